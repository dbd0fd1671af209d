import type { FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { invalidRequest, XProblem } from '../problems.js';
import type { MediaCategory, MediaRecord } from '../state/types.js';
import { requireOwnMedia } from './lookup.js';
import { detectKind, mediaTypeOfKind } from './magic-numbers.js';
import { readUploadBody, type UploadBody } from './request-body.js';
import {
  MAX_ADDITIONAL_OWNERS,
  MAX_TOTAL_BYTES,
  MEDIA_CATEGORIES,
  MEDIA_TYPES,
  ONE_SHOT_CATEGORIES,
} from './schemas.js';
import { type MediaUploads, parseSegmentIndex } from './uploads.js';
import { appendView, initializeView, mediaView } from './views.js';

/**
 * `POST /2/media/upload`: the one-shot upload (REFERENCE §4.1) and, when a `command` parameter is
 * present, the deprecated command form INIT|APPEND|FINALIZE|STATUS (REFERENCE §4.5). Both are
 * thin adapters over `MediaUploads`, the same state machine the dedicated endpoints use.
 */
export async function handleUploadEndpoint(
  ctx: EmulatorContext,
  uploads: MediaUploads,
  request: FastifyRequest,
) {
  const user = request.xAuth!.user;
  const queryCommand = (request.query as Record<string, unknown>).command;
  // A command in the query string is known before the body: APPEND gets the segment limit at once.
  const cap =
    String(queryCommand ?? '').toUpperCase() === 'APPEND'
      ? ctx.settings.media.maxSegmentBytes
      : uploads.maxUploadBytes(user);
  const body = await readUploadBody(request, uploads.segments, cap);
  const command = body.fields.command;
  if (command === undefined) return oneShot(ctx, uploads, request, body);
  const now = () => ctx.clock.now();
  switch (String(command).toUpperCase()) {
    case 'INIT': {
      await discardMedia(uploads, body);
      const f = body.fields;
      const record = uploads.initialize(user, {
        mediaType: enumField(f.media_type, 'media_type', MEDIA_TYPES, true)!,
        totalBytes: totalBytesField(f.total_bytes),
        category: enumField(f.media_category, 'media_category', MEDIA_CATEGORIES, false),
        additionalOwners: ownersField(f.additional_owners),
      });
      return initializeView(record, now());
    }
    case 'APPEND': {
      const mediaId = mediaIdField(body.fields.media_id);
      if (body.media && body.media.size > ctx.settings.media.maxSegmentBytes) body.media.tooLarge = true;
      const record = await appendFromBody(uploads, request, mediaId, body);
      return appendView(record);
    }
    case 'FINALIZE':
      await discardMedia(uploads, body);
      return mediaView(await uploads.finalize(user.id, mediaIdField(body.fields.media_id)), now());
    case 'STATUS':
      await discardMedia(uploads, body);
      return statusView(ctx, user.id, mediaIdField(body.fields.media_id));
    default:
      await discardMedia(uploads, body);
      throw invalidRequest([
        {
          parameters: { command: [String(command)] },
          message: `The \`command\` parameter value [${String(command)}] is not valid`,
        },
      ]);
  }
}

/** APPEND from parsed fields: shared by the dedicated endpoint and the command form. */
export async function appendFromBody(
  uploads: MediaUploads,
  request: FastifyRequest,
  mediaId: string,
  body: UploadBody,
): Promise<MediaRecord> {
  let index: number;
  try {
    index = parseSegmentIndex(body.fields.segment_index);
  } catch (error) {
    await discardMedia(uploads, body);
    throw error;
  }
  if (request.xLog) request.xLog.meta = { mediaId, segmentIndex: index, bytes: body.media?.size ?? 0 };
  if (!body.media) throw invalidRequest('$.media: is missing but it is required');
  return uploads.append(request.xAuth!.user.id, mediaId, index, body.media);
}

/** STATUS: only after FINALIZE is there anything to report (REFERENCE §4.1). */
export function statusView(ctx: EmulatorContext, userId: string, mediaId: string) {
  const record = requireOwnMedia(ctx, mediaId, userId);
  if (record.phase !== 'finalized') {
    throw invalidRequest([
      { parameters: { media_id: [mediaId] }, message: `Media id ${mediaId} has not been finalized.` },
    ]);
  }
  return mediaView(record, ctx.clock.now());
}

async function oneShot(
  ctx: EmulatorContext,
  uploads: MediaUploads,
  request: FastifyRequest,
  body: UploadBody,
) {
  const user = request.xAuth!.user;
  const media = body.media;
  try {
    if (!media) throw invalidRequest('$.media: is missing but it is required');
    if (media.tooLarge) throw new XProblem(413, null);
    const category = enumField(body.fields.media_category, 'media_category', ONE_SHOT_CATEGORIES, true)!;
    const declared = enumField(body.fields.media_type, 'media_type', MEDIA_TYPES, false);
    const kind = detectKind(media.head);
    const mediaType = declared ?? (kind ? mediaTypeOfKind(kind) : undefined);
    if (!mediaType) throw invalidRequest('The media type could not be determined from the uploaded bytes.');
    const record = uploads.initialize(user, {
      mediaType,
      totalBytes: media.size,
      category: category as MediaCategory,
      additionalOwners: ownersField(body.fields.additional_owners),
    });
    await uploads.append(user.id, record.id, 0, media);
    return mediaView(await uploads.finalize(user.id, record.id), ctx.clock.now());
  } catch (error) {
    await discardMedia(uploads, body);
    throw error;
  }
}

async function discardMedia(uploads: MediaUploads, body: UploadBody): Promise<void> {
  if (body.media) await uploads.segments.discard(body.media);
}

function mediaIdField(value: unknown): string {
  if (typeof value === 'string' && /^[0-9]{1,19}$/.test(value)) return value;
  if (value === undefined) throw invalidRequest('$.media_id: is missing but it is required');
  throw invalidRequest(`$.media_id: does not match the regex pattern ^[0-9]{1,19}$`);
}

function totalBytesField(value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (value === undefined) throw invalidRequest('$.total_bytes: is missing but it is required');
  if (typeof n !== 'number' || !Number.isInteger(n)) throw invalidRequest('$.total_bytes: integer expected');
  if (n < 1) throw invalidRequest('$.total_bytes: must have a minimum value of 1');
  if (n > MAX_TOTAL_BYTES)
    throw invalidRequest(`$.total_bytes: must have a maximum value of ${MAX_TOTAL_BYTES}`);
  return n;
}

function enumField<T extends string>(value: unknown, name: string, allowed: readonly T[], required: boolean) {
  if (value === undefined || value === '') {
    if (required) throw invalidRequest(`$.${name}: is missing but it is required`);
    return undefined;
  }
  if (!allowed.includes(value as T)) {
    throw invalidRequest(`$.${name}: does not have a value in the enumeration [${allowed.join(', ')}]`);
  }
  return value as T;
}

/** `additional_owners`: a comma-separated string in v2.167, an array in JSON bodies. */
function ownersField(value: unknown): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  const list = Array.isArray(value)
    ? value.map(String)
    : String(value)
        .split(',')
        .map((s) => s.trim());
  if (list.length > MAX_ADDITIONAL_OWNERS) {
    throw invalidRequest(
      `$.additional_owners: there must be a maximum of ${MAX_ADDITIONAL_OWNERS} items in the array`,
    );
  }
  if (!list.every((id) => /^[0-9]{1,19}$/.test(id))) {
    throw invalidRequest('$.additional_owners: does not match the regex pattern ^[0-9]{1,19}$');
  }
  return list;
}
