import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';
import { invalidRequest, XProblem } from '../problems.js';
import type { PendingSegment, SegmentStore } from './segment-store.js';

/** Text fields of a form are small (ids, indexes, categories); X's own limit is unknown. */
const FIELD_SIZE_LIMIT = 64 * 1024;

export interface ParsedForm {
  fields: Record<string, string>;
  /** The `media` part, already on disk; absent when the form had none. */
  media?: PendingSegment;
}

/**
 * Parse a multipart body with busboy, streaming the `media` part into the segment store as it
 * arrives. The body is the (possibly throttled) stream the app hands to routes, not
 * `request.raw`, so emulated bandwidth faults apply to uploads. Fields may come before or after
 * the file, which is why the file lands in a temporary place first.
 */
export async function parseMultipart(
  body: Readable,
  headers: IncomingHttpHeaders,
  segments: SegmentStore,
  maxFileBytes: number,
): Promise<ParsedForm> {
  try {
    return await readMultipart(body, headers, segments, maxFileBytes);
  } catch (error) {
    if (error instanceof XProblem) throw error;
    // A malformed body (no boundary, cut short) is the client's mistake: X's 400, not a 500.
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidRequest(`The multipart/form-data body could not be read (${reason}).`);
  }
}

async function readMultipart(
  body: Readable,
  headers: IncomingHttpHeaders,
  segments: SegmentStore,
  maxFileBytes: number,
): Promise<ParsedForm> {
  const fields: Record<string, string> = {};
  const files: Array<Promise<PendingSegment>> = [];
  const streams: Readable[] = [];
  const parser = Busboy({
    headers: headers as IncomingHttpHeaders & { 'content-type': string },
    // A `media` part is the file whether or not the client gave it a filename.
    isPartAFile: (name, _type, filename) => name === 'media' || filename !== undefined,
    limits: { fieldSize: FIELD_SIZE_LIMIT, files: 4 },
  });
  parser.on('field', (name, value) => {
    fields[name] = value;
  });
  parser.on('file', (name, stream) => {
    if (name !== 'media' || files.length > 0) return void stream.resume();
    streams.push(stream);
    const received = segments.receive(stream, maxFileBytes);
    // Handled below; this keeps an early failure from counting as an unhandled rejection.
    received.catch(() => {});
    files.push(received);
  });
  const done = new Promise<void>((resolve, reject) => {
    parser.on('finish', resolve);
    parser.on('error', reject);
    body.on('error', reject);
  });
  body.pipe(parser);
  try {
    await done;
  } catch (error) {
    // A body cut short leaves the file part open: end it, wait for the writer, drop what it wrote.
    for (const stream of streams) stream.destroy(error instanceof Error ? error : new Error(String(error)));
    for (const file of await Promise.allSettled(files))
      if (file.status === 'fulfilled') await segments.discard(file.value);
    throw error;
  }
  const [media] = await Promise.all(files);
  return media ? { fields, media } : { fields };
}
