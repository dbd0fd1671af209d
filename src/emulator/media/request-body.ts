import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { invalidRequest, XProblem } from '../problems.js';
import { parseMultipart } from './multipart.js';
import type { PendingSegment, SegmentStore } from './segment-store.js';

/** Room for multipart boundaries and the small fields next to a segment of the maximum size. */
export const MULTIPART_ALLOWANCE = 64 * 1024;

export interface UploadBody {
  /** Every parameter: query string, then body fields (body wins). */
  fields: Record<string, unknown>;
  /** The `media` bytes, streamed to a temporary file (multipart) or decoded from base64 (JSON). */
  media?: PendingSegment;
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/**
 * Read an APPEND or one-shot body in any of the forms X accepts (REFERENCE §4.1, §4.5): multipart
 * with raw `media`, JSON with base64 `media`, a url-encoded form or no body (command form).
 */
export async function readUploadBody(
  request: FastifyRequest,
  segments: SegmentStore,
  maxMediaBytes: number,
): Promise<UploadBody> {
  const query = { ...(request.query as Record<string, unknown>) };
  const body = request.body;
  if (isMultipart(request) && body instanceof Readable) {
    const form = await parseMultipart(body, request.headers, segments, maxMediaBytes);
    return withMedia({ ...query, ...form.fields }, form.media);
  }
  if (body instanceof Readable) {
    // Any other content type: drain it and answer as X does for bodies it cannot read.
    body.resume();
    throw invalidRequest(
      'Requests with bodies must have content-type of application/json or multipart/form-data.',
    );
  }
  const fields = { ...query, ...((body as Record<string, unknown> | undefined) ?? {}) };
  const media = fields.media;
  delete fields.media;
  if (media === undefined) return { fields };
  if (typeof media !== 'string' || !BASE64.test(media)) {
    throw invalidRequest('$.media: does not match the base64 format');
  }
  const bytes = Buffer.from(media, 'base64');
  if (bytes.length > maxMediaBytes) throw new XProblem(413, null);
  return withMedia(fields, await segments.receive(Readable.from([bytes]), maxMediaBytes));
}

/** Up-front 413 for a body too large to hold a segment of the allowed size (REFERENCE §4.2). */
export function declaredTooLarge(request: FastifyRequest, maxSegmentBytes: number): boolean {
  const length = Number(request.headers['content-length']);
  if (!Number.isFinite(length)) return false;
  // A JSON body carries base64: 4 characters per 3 bytes.
  const allowed = isMultipart(request) ? maxSegmentBytes : Math.ceil((maxSegmentBytes * 4) / 3);
  return length > allowed + MULTIPART_ALLOWANCE;
}

function isMultipart(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

function withMedia(fields: Record<string, unknown>, media: PendingSegment | undefined): UploadBody {
  delete fields.media;
  return media ? { fields, media } : { fields };
}
