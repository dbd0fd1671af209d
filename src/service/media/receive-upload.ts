import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { formatBytes, MAX_ALT_TEXT_LENGTH } from '../../x/media/limits.js';
import { type FieldProblem, ServiceError, validationError } from '../errors.js';
import { categoryLimitText, type MediaKind, POST_MEDIA_TYPES_TEXT, postMediaKind } from './media-types.js';
import { removeMediaFile, type StoredFile, storeStream } from './storage.js';

/**
 * Reads a `POST /api/media` body (multipart/form-data: one `file` part, an optional `alt` field) and
 * streams the file to local storage: never buffered in memory, counted and hashed on the way, its
 * type read from its first bytes. Any refusal deletes what was written.
 */

export const FILE_FIELD = 'file';
export const ALT_FIELD = 'alt';

export interface ReceivedUpload {
  mediaId: string;
  file: StoredFile;
  kind: MediaKind;
  alt: string | null;
}

export interface ReceiveUploadOptions {
  dataDir: string;
  /** `XPOST_MEDIA_MAX_BYTES`; the multipart parser stops the file there too (`limits.fileSize`). */
  maxBytes: number;
  onBytes?: (bytes: number) => void;
}

const USAGE = `send multipart/form-data with the file in a part named "${FILE_FIELD}" (curl -F ${FILE_FIELD}=@photo.jpg)`;

export async function receiveUpload(
  request: FastifyRequest,
  options: ReceiveUploadOptions,
): Promise<ReceivedUpload> {
  if (!request.isMultipart())
    throw new ServiceError(415, 'unsupported_media_type', `this route takes a file upload: ${USAGE}`);
  const mediaId = randomUUID();
  let file: StoredFile | undefined;
  let kind: MediaKind | undefined;
  let alt: string | null = null;
  const problems: FieldProblem[] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== FILE_FIELD || file) {
          part.file.resume(); // read past it: the parser needs the part consumed
          problems.push({
            field: part.fieldname,
            code: 'unknown_field',
            message: `is not a file part of this request: ${USAGE}, one file per request`,
          });
          continue;
        }
        const stream = part.file;
        file = await storeStream(stream, {
          dataDir: options.dataDir,
          mediaId,
          maxBytes: options.maxBytes,
          tooLarge: (limit) => tooLarge(kind, limit, options.maxBytes),
          onHead: (head) => {
            kind = postMediaKind(head);
            if (!kind) throw unsupported(head.length === 0);
            return kind.maxBytes;
          },
          ...(options.onBytes ? { onBytes: options.onBytes } : {}),
          beforeCommit: (stored) => {
            // The parser cut the file at XPOST_MEDIA_MAX_BYTES: it was longer.
            if (stream.truncated) throw tooLarge(kind, options.maxBytes, options.maxBytes);
            if (stored.size === 0) throw unsupported(true);
          },
        });
      } else if (part.fieldname === ALT_FIELD) {
        const value = typeof part.value === 'string' ? part.value : String(part.value ?? '');
        if (part.valueTruncated || [...value].length > MAX_ALT_TEXT_LENGTH) {
          problems.push({
            field: ALT_FIELD,
            code: 'too_long',
            message: `alt text is at most ${MAX_ALT_TEXT_LENGTH} characters (X's limit); shorten it`,
          });
        } else {
          alt = value === '' ? null : value;
        }
      } else {
        problems.push({
          field: part.fieldname,
          code: 'unknown_field',
          message: `is not a field of this request (fields: "${FILE_FIELD}", "${ALT_FIELD}"); remove it`,
        });
      }
    }
    if (!file) problems.push({ field: FILE_FIELD, code: 'required', message: `is required: ${USAGE}` });
    if (problems.length > 0) throw validationError(problems);
    return { mediaId, file: file!, kind: kind!, alt };
  } catch (error) {
    if (file) await removeMediaFile(file.path);
    throw mapParserError(error);
  }
}

function unsupported(empty: boolean): ServiceError {
  return new ServiceError(
    415,
    'unsupported_media_type',
    empty
      ? `the file is empty; ${USAGE}`
      : `the file is not an image or video X takes in a post (read from its bytes, not its name); supported: ${POST_MEDIA_TYPES_TEXT}`,
  );
}

function tooLarge(kind: MediaKind | undefined, limit: number, configured: number): ServiceError {
  if (kind && limit < configured) {
    return new ServiceError(
      413,
      'payload_too_large',
      `the file is larger than ${formatBytes(limit)}: ${categoryLimitText(kind)}`,
    );
  }
  return new ServiceError(
    413,
    'payload_too_large',
    `the file is larger than ${formatBytes(configured)} (${configured} bytes), the most this service accepts ` +
      `(XPOST_MEDIA_MAX_BYTES=${configured}); send a smaller file or raise XPOST_MEDIA_MAX_BYTES`,
  );
}

/** The multipart parser's own errors, in the service's words. */
function mapParserError(error: unknown): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'FST_FILES_LIMIT')
    return validationError([
      { field: FILE_FIELD, code: 'too_many_files', message: `send one file per request` },
    ]);
  if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT')
    return new ServiceError(
      400,
      'bad_request',
      `too many parts: ${USAGE} and at most an "${ALT_FIELD}" field`,
    );
  if (code === 'FST_PROTO_VIOLATION' || code === 'FST_INVALID_MULTIPART_CONTENT_TYPE')
    return new ServiceError(400, 'bad_request', `the multipart body could not be read: ${USAGE}`);
  const message = (error as { message?: string }).message ?? '';
  if (/Unexpected end of (multipart )?(data|form)|Part terminated early|Malformed/i.test(message))
    return new ServiceError(400, 'bad_request', `the multipart body is cut short or malformed: ${USAGE}`);
  return error;
}
