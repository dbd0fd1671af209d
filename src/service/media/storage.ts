import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DETECT_TYPE_BYTES } from '../../x/media/detect-type.js';

/**
 * Local media storage: one file per media item at `<dataDir>/media/<media uuid>`, the folder 0700 and
 * the files 0600. A file is streamed to a temporary name in the same folder (never held in memory),
 * hashed and counted on the way, and renamed into place only once it is whole, so a reader never sees
 * half a file. With several machines, `<dataDir>/media` must be a shared folder (or media given by
 * URL, which any worker fetches): a file uploaded to one machine is read by whichever worker uploads it.
 */

export const MEDIA_DIR_NAME = 'media';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function mediaDir(dataDir: string): string {
  return join(dataDir, MEDIA_DIR_NAME);
}

/** Where a media item's bytes live. Only a uuid is a name here, so no id can point outside the folder. */
export function mediaFilePath(dataDir: string, mediaId: string): string {
  if (!UUID.test(mediaId)) throw new TypeError(`a media id is a uuid, got ${JSON.stringify(mediaId)}`);
  return join(mediaDir(dataDir), mediaId.toLowerCase());
}

/** Creates `<dataDir>/media` (0700) if needed and returns it. */
export async function ensureMediaDir(dataDir: string): Promise<string> {
  const dir = mediaDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by the umask and ignored for a folder that exists: set it outright.
  await chmod(dir, 0o700);
  return dir;
}

/** Deletes a media file; a file already gone is fine. */
export async function removeMediaFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

export interface StoredFile {
  /** The file's final path, `<dataDir>/media/<id>`. */
  path: string;
  size: number;
  /** SHA-256 of the bytes, lowercase hex. */
  sha256: string;
  /** The first bytes (up to `DETECT_TYPE_BYTES`), for type detection. */
  head: Buffer;
}

/** The byte limit was passed: the caller's message (it knows which limit, and what to do). */
export class StoredFileTooLargeError extends Error {
  override readonly name = 'StoredFileTooLargeError';

  constructor(
    readonly limit: number,
    readonly received: number,
  ) {
    super(`more than ${limit} bytes`);
  }
}

export interface StoreStreamOptions {
  dataDir: string;
  mediaId: string;
  /** At most this many bytes; one more fails with `tooLarge(limit, received)`. */
  maxBytes: number;
  tooLarge?: (limit: number, received: number) => Error;
  /**
   * Called once with the first `DETECT_TYPE_BYTES` bytes (or all of a smaller file), before more is
   * written: throw to refuse the file (its type), or return a lower byte limit (its category's).
   */
  onHead?: (head: Buffer) => number | undefined;
  /** Told of every chunk's size as it arrives (metrics, leases, progress). */
  onBytes?: (bytes: number) => void;
  /** Called when the bytes have all arrived, before the file is renamed into place: throw to refuse it. */
  beforeCommit?: (file: Omit<StoredFile, 'path'>) => void | Promise<void>;
  /**
   * Renames the file into place. Default `rename(temp, final)`; a fetch that must check its claim in
   * the same breath (prepareMedia) passes its own and calls `commit()` inside its transaction.
   */
  commit?: (commit: () => Promise<void>, file: StoredFile) => Promise<void>;
}

/**
 * Streams `source` to `<dataDir>/media/<mediaId>` (through a temporary file, see above). On any
 * failure the temporary file is deleted and the error thrown; nothing is left behind.
 */
export async function storeStream(
  source: Readable | AsyncIterable<Uint8Array>,
  options: StoreStreamOptions,
): Promise<StoredFile> {
  const dir = await ensureMediaDir(options.dataDir);
  const finalPath = mediaFilePath(options.dataDir, options.mediaId);
  const temp = join(dir, `.${options.mediaId.toLowerCase()}.${randomBytes(6).toString('hex')}.part`);
  const meter = new Meter(options);
  const out = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
  try {
    await pipeline(source, meter, out);
    const file = meter.result(finalPath);
    await options.beforeCommit?.({ size: file.size, sha256: file.sha256, head: file.head });
    // The bytes reach the disk before the name does: a crash never leaves a named, short file.
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const commit = () => rename(temp, finalPath);
    await (options.commit ? options.commit(commit, file) : commit());
    return file;
  } finally {
    // A failed pipeline destroys the file stream, but its open() may still be under way and would
    // create the file after an rm now: wait until the stream has closed, then remove the file.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    // After a successful rename the temporary name is gone and this does nothing.
    await rm(temp, { force: true });
  }
}

/** Counts, hashes and inspects the bytes on their way to disk, and enforces the byte limit. */
class Meter extends Transform {
  #size = 0;
  #limit: number;
  readonly #hash = createHash('sha256');
  #headParts: Buffer[] = [];
  #headBytes = 0;
  #head: Buffer | undefined;

  constructor(private readonly options: StoreStreamOptions) {
    super();
    this.#limit = options.maxBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#size += chunk.length;
      this.options.onBytes?.(chunk.length);
      if (this.#head === undefined) {
        const need = DETECT_TYPE_BYTES - this.#headBytes;
        this.#headParts.push(Buffer.from(chunk.subarray(0, need)));
        this.#headBytes += Math.min(need, chunk.length);
        if (this.#headBytes >= DETECT_TYPE_BYTES) this.#inspect();
      }
      if (this.#size > this.#limit) throw this.#tooLarge();
      this.#hash.update(chunk);
      callback(null, chunk);
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.#head === undefined) this.#inspect();
      if (this.#size > this.#limit) throw this.#tooLarge();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  #inspect(): void {
    this.#head = Buffer.concat(this.#headParts);
    this.#headParts = [];
    const lower = this.options.onHead?.(this.#head);
    if (lower !== undefined) this.#limit = Math.min(this.#limit, lower);
  }

  #tooLarge(): Error {
    return (
      this.options.tooLarge?.(this.#limit, this.#size) ?? new StoredFileTooLargeError(this.#limit, this.#size)
    );
  }

  result(path: string): StoredFile {
    return { path, size: this.#size, sha256: this.#hash.digest('hex'), head: this.#head ?? Buffer.alloc(0) };
  }
}
