import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { explainFileError } from '../file-error.js';
import type { FileIdentity } from '../types.js';

/** How much of each end of a file the identity hashes. */
export const IDENTITY_SAMPLE_BYTES = 1024 * 1024;
/** A file that changes while it is being sampled is sampled again, this many times in all. */
const MAX_ATTEMPTS = 3;

/**
 * Enough to tell that a rerun uploads the same bytes, without reading a multi-gigabyte video: the
 * size, the modification time, and a SHA-256 of the first and last MiB (of the whole file when it is
 * 2 MiB or less), read with positioned reads so memory stays at 2 MiB whatever the size.
 *
 * The limit, on purpose: a change confined to the middle of a large file that keeps its size and
 * its mtime (an in-place edit followed by `touch -d`) is not seen. Every ordinary way of changing a
 * file (rewrite, re-encode, copy over, append, truncate) moves the size or the mtime, and the journal
 * is only an optimisation; the emulator (and X) would accept the mixed bytes.
 */
export async function fileIdentity(path: string): Promise<FileIdentity> {
  const absolute = resolve(path);
  let handle: FileHandle;
  try {
    handle = await open(absolute, 'r');
  } catch (error) {
    throw fileError(absolute, error);
  }
  try {
    for (let attempt = 1; ; attempt++) {
      const before = await handle.stat();
      if (!before.isFile()) {
        throw Object.assign(new Error(`media file ${absolute} is not a regular file`), {
          code: 'EISDIR',
          path: absolute,
        });
      }
      const headTailSha256 = await sampleHash(handle, before.size);
      const after = await handle.stat();
      if (sameStat(before, after)) {
        return { path: absolute, size: before.size, mtimeMs: before.mtimeMs, headTailSha256 };
      }
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(
          `media file ${absolute} kept changing while it was read; wait until whatever writes it has finished`,
        );
      }
    }
  } finally {
    await handle.close();
  }
}

async function sampleHash(handle: FileHandle, size: number): Promise<string> {
  const hash = createHash('sha256');
  if (size <= 2 * IDENTITY_SAMPLE_BYTES) {
    await hashRange(handle, hash, 0, size);
  } else {
    await hashRange(handle, hash, 0, IDENTITY_SAMPLE_BYTES);
    await hashRange(handle, hash, size - IDENTITY_SAMPLE_BYTES, IDENTITY_SAMPLE_BYTES);
  }
  return hash.digest('hex');
}

async function hashRange(
  handle: FileHandle,
  hash: ReturnType<typeof createHash>,
  start: number,
  length: number,
): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(length, IDENTITY_SAMPLE_BYTES));
  let done = 0;
  while (done < length) {
    const want = Math.min(buffer.length, length - done);
    const { bytesRead } = await handle.read(buffer, 0, want, start + done);
    // The file shrank under us; the stat comparison afterwards notices and samples again.
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    done += bytesRead;
  }
}

function sameStat(a: Stats, b: Stats): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

function fileError(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const why = explainFileError(error);
  return Object.assign(new Error(`cannot read media file ${path}: ${why}`, { cause: error }), {
    code,
    path,
  });
}
