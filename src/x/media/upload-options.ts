import { MEDIA_CATEGORIES, MiB } from './limits.js';
import type { MediaCategory, UploadJournal, UploadProgress } from './types.js';

/**
 * APPENDs in flight at once. X documents no parallel APPEND and its samples send one at a time
 * (REFERENCE §4.2); a few in flight hide the round trip without queueing much at the edge. The
 * upload benchmark (bench/) is where this figure is chosen.
 */
export const DEFAULT_APPEND_CONCURRENCY = 4;
export const MAX_APPEND_CONCURRENCY = 16;
/** How long to wait for X to process a video or GIF before giving up. */
export const DEFAULT_PROCESSING_TIMEOUT_MS = 10 * 60_000;

/** What `media.upload(input, options)` accepts. Every option is documented in docs/media.md. */
export interface UploadOptions {
  /** Declared `media_type`; default: what the file's first bytes say (never its name). */
  mediaType?: string;
  /** X's category; default from the type (image → tweet_image, GIF → tweet_gif, video → tweet_video). */
  mediaCategory?: MediaCategory;
  /** The posting account has X Premium: the larger size limits apply. Default false. */
  premium?: boolean;
  /** The byte size of a stream or URL body; without it a stream of unknown size is spooled to a temp file. */
  size?: number;
  /** A name for messages and progress (default: the file's or URL's base name). */
  name?: string;
  /** Segment size in bytes, 1–4 MiB (default 4 MiB); grown within that range to stay under 1000 segments. */
  chunkSize?: number;
  /** APPENDs in flight at once (default `DEFAULT_APPEND_CONCURRENCY`). */
  concurrency?: number;
  /** How long to wait for processing, default 10 minutes (`XMediaError` code `processing_timeout`). */
  processingTimeoutMs?: number;
  /** Alt text, at most 1000 characters, set after FINALIZE (`POST /2/media/metadata`). */
  altText?: string;
  /** Up to 100 user ids who may also attach the media. */
  additionalOwners?: string[];
  /** Remembers acknowledged segments of a file upload, so a rerun continues where it stopped. */
  journal?: UploadJournal;
  onProgress?: (event: UploadProgress) => void;
  /** Cancels everything: APPENDs in flight, processing waits. */
  signal?: AbortSignal;
}

export interface UploadSettings {
  chunkSize: number;
  concurrency: number;
  processingTimeoutMs: number;
}

const KNOWN = new Set<keyof UploadOptions>([
  'mediaType',
  'mediaCategory',
  'premium',
  'size',
  'name',
  'chunkSize',
  'concurrency',
  'processingTimeoutMs',
  'altText',
  'additionalOwners',
  'journal',
  'onProgress',
  'signal',
]);

/** Options checked once; mistakes in them are programming errors (TypeError) that say the fix. */
export function checkUploadOptions(options: UploadOptions, defaults: { chunkSize: number }): UploadSettings {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key as keyof UploadOptions)) {
      throw new TypeError(`media.upload(): unknown option "${key}"; known options: ${[...KNOWN].join(', ')}`);
    }
  }
  const chunkSize = options.chunkSize ?? defaults.chunkSize;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 * MiB || chunkSize > 4 * MiB) {
    throw new TypeError(
      `media.upload(): chunkSize must be a whole number of bytes from 1 MiB (1048576) to 4 MiB (4194304), got ${String(options.chunkSize)}`,
    );
  }
  const concurrency = options.concurrency ?? DEFAULT_APPEND_CONCURRENCY;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > MAX_APPEND_CONCURRENCY) {
    throw new TypeError(
      `media.upload(): concurrency must be a whole number from 1 to ${MAX_APPEND_CONCURRENCY}, got ${String(options.concurrency)}`,
    );
  }
  const processingTimeoutMs = options.processingTimeoutMs ?? DEFAULT_PROCESSING_TIMEOUT_MS;
  if (typeof processingTimeoutMs !== 'number' || !(processingTimeoutMs >= 0)) {
    throw new TypeError(
      `media.upload(): processingTimeoutMs must be a number of milliseconds ≥ 0, got ${String(options.processingTimeoutMs)}`,
    );
  }
  if (options.size !== undefined && (!Number.isSafeInteger(options.size) || options.size < 0)) {
    throw new TypeError(`media.upload(): size must be a whole number of bytes, got ${String(options.size)}`);
  }
  if (options.mediaCategory !== undefined && !MEDIA_CATEGORIES.includes(options.mediaCategory)) {
    throw new TypeError(
      `media.upload(): mediaCategory must be one of ${MEDIA_CATEGORIES.join(', ')}, got ${JSON.stringify(options.mediaCategory)}`,
    );
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new TypeError('media.upload(): onProgress must be a function (event) => void');
  }
  return { chunkSize, concurrency, processingTimeoutMs };
}
