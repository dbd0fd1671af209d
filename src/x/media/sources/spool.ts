import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { StreamPuller } from './stream-source.js';

export const SPOOL_PREFIX = 'xpost-spool-';

/**
 * INITIALIZE needs `total_bytes` up front: a stream of unknown size is written to a temporary file
 * first (memory stays at one piece of the stream), then uploaded from there. Stops early, deletes the
 * file and throws `tooLarge()` once more than `maxBytes` arrived.
 */
export async function spoolToFile(
  puller: StreamPuller,
  options: { maxBytes: number; tooLarge: (bytes: number) => Error; signal?: AbortSignal },
): Promise<{ path: string; size: number; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), SPOOL_PREFIX));
  const remove = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'media');
  const out = createWriteStream(path, { mode: 0o600 });
  let size = 0;
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const piece = await puller.pull();
      if (piece === undefined) break;
      size += piece.byteLength;
      if (size > options.maxBytes) throw options.tooLarge(size);
      if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', resolve));
    }
    out.end();
    await finished(out);
    return { path, size, remove };
  } catch (error) {
    out.destroy();
    await puller.cancel();
    await remove();
    throw error;
  }
}
