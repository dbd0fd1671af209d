import { openAsBlob } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { XMediaError } from '../../errors/x-media-error.js';
import { explainFileError } from '../file-error.js';
import type { ByteSource } from './types.js';

/**
 * A file on disk. Segments are slices of a file-backed `Blob` (read from disk as each APPEND's body
 * is sent: in parallel, again for a retry or a re-cut, and never held in memory); `read` does
 * positioned reads for the header bytes.
 */
export async function fileSource(
  path: string,
  options: { name?: string; onClose?: () => Promise<void> } = {},
): Promise<ByteSource> {
  const absolute = resolve(path);
  let handle: FileHandle;
  try {
    handle = await open(absolute, 'r');
  } catch (error) {
    throw unreadable(absolute, error);
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw new XMediaError(`${absolute} is not a regular file; pass the path of a media file`, {
      code: 'source_unreadable',
    });
  }
  const size = stats.size;
  // A file-backed Blob: a slice of it is read from disk while the request body is sent, so a
  // segment in flight costs no memory, and reading it fails if the file changes meanwhile.
  const whole = await openAsBlob(absolute);
  const read = async (offset: number, length: number): Promise<Uint8Array> => {
    const want = Math.max(0, Math.min(length, size - offset));
    const buffer = Buffer.allocUnsafe(want);
    let done = 0;
    while (done < want) {
      const { bytesRead } = await handle.read(buffer, done, want - done, offset + done);
      if (bytesRead === 0) {
        throw new XMediaError(
          `${absolute} shrank while it was uploaded (${size} bytes expected); upload it again once it is complete`,
          { code: 'source_changed' },
        );
      }
      done += bytesRead;
    }
    return buffer;
  };
  return {
    access: 'random',
    size,
    name: options.name ?? basename(absolute),
    path: absolute,
    head: (length) => read(0, length),
    read,
    blob: (offset, length) => whole.slice(offset, offset + length),
    close: async () => {
      await handle.close().catch(() => {});
      await options.onClose?.();
    },
  };
}

function unreadable(path: string, error: unknown): XMediaError {
  const why = explainFileError(error);
  return new XMediaError(`cannot read media file ${path}: ${why}`, {
    code: 'source_unreadable',
    cause: error,
  });
}
