import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A segment written to disk but not yet placed under its media id and index. */
export interface PendingSegment {
  path: string;
  size: number;
  sha256: string;
  /** The segment's first bytes (up to `headBytes`), for the one-shot form's type detection. */
  head: Buffer;
  /** More bytes arrived than allowed; the file holds only a prefix and must be discarded. */
  tooLarge: boolean;
}

export interface AssembledFile {
  sha256: string;
  size: number;
  head: Buffer;
}

/**
 * Received segments live on disk, one file per (media id, segment_index), so an upload of gigabytes
 * costs the emulator no memory: bytes are hashed while they stream in, and FINALIZE streams the
 * files once, in index order, to hash the whole file. One folder per emulator, created on first use.
 */
export class SegmentStore {
  #dir: Promise<string> | undefined;
  #dirPath: string | undefined;

  constructor(
    private readonly baseDir: string = tmpdir(),
    private readonly headBytes = 64 * 1024,
  ) {}

  /** Stream `source` into a temporary file, hashing it; stop keeping bytes past `maxBytes`. */
  async receive(source: Readable, maxBytes: number): Promise<PendingSegment> {
    const dir = await this.#folder();
    const path = join(dir, `incoming-${randomUUID()}`);
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    let tooLarge = false;
    const tap = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        if (tooLarge) return done();
        size += chunk.length;
        if (size > maxBytes) {
          // Keep draining the source (so the request finishes) but drop what follows.
          tooLarge = true;
          return done();
        }
        hash.update(chunk);
        if (headLength < this.headBytes) {
          const part = chunk.subarray(0, this.headBytes - headLength);
          head.push(Buffer.from(part));
          headLength += part.length;
        }
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, tap, createWriteStream(path));
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    return { path, size, sha256: hash.digest('hex'), head: Buffer.concat(head), tooLarge };
  }

  /** Place a received segment under its media id and index, replacing an earlier one (a retry). */
  async commit(pending: PendingSegment, mediaId: string, index: number): Promise<void> {
    const dir = join(await this.#folder(), mediaId);
    await mkdir(dir, { recursive: true });
    await rename(pending.path, join(dir, String(index)));
  }

  async discard(pending: PendingSegment): Promise<void> {
    await rm(pending.path, { force: true });
  }

  /** Stream segments 0..count-1 in order once: the whole file's SHA-256, size and first bytes. */
  async assemble(mediaId: string, count: number): Promise<AssembledFile> {
    const dir = join(await this.#folder(), mediaId);
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    for (let index = 0; index < count; index++) {
      for await (const chunk of createReadStream(join(dir, String(index)))) {
        const bytes = chunk as Buffer;
        hash.update(bytes);
        size += bytes.length;
        if (headLength < this.headBytes) {
          const part = bytes.subarray(0, this.headBytes - headLength);
          head.push(Buffer.from(part));
          headLength += part.length;
        }
      }
    }
    return { sha256: hash.digest('hex'), size, head: Buffer.concat(head) };
  }

  /** After FINALIZE only the hash, sizes and header facts are kept: disk use stays flat. */
  async remove(mediaId: string): Promise<void> {
    if (!this.#dirPath) return;
    await rm(join(this.#dirPath, mediaId), { recursive: true, force: true });
  }

  /** Forget every segment (emulator reset). Synchronous, as reset hooks are. */
  clearSync(): void {
    if (this.#dirPath) rmSync(this.#dirPath, { recursive: true, force: true });
    this.#dir = undefined;
    this.#dirPath = undefined;
  }

  async close(): Promise<void> {
    const dir = this.#dir;
    this.#dir = undefined;
    this.#dirPath = undefined;
    if (dir) await rm(await dir, { recursive: true, force: true });
  }

  #folder(): Promise<string> {
    this.#dir ??= mkdir(this.baseDir, { recursive: true })
      .then(() => mkdtemp(join(this.baseDir, 'xpost-emulator-media-')))
      .then((path) => {
        this.#dirPath = path;
        return path;
      });
    return this.#dir;
  }
}
