import { XMediaError } from '../../errors/x-media-error.js';
import type { ByteSource } from './types.js';

/** Pulls the next piece of a stream; `undefined` at its end. */
export type PullChunk = () => Promise<Uint8Array | undefined>;

/**
 * A stream read forward, on demand: bytes are pulled only when a segment is about to be sent, so the
 * stream is never read faster than X takes it, and only the pieces of the current segment are held
 * here. `unread` puts bytes back in front (a 413 re-cut re-sends bytes already read).
 */
export function sequentialSource(options: {
  pull: PullChunk;
  size: number;
  name: string;
  cancel: () => Promise<void>;
}): ByteSource {
  const { pull, size, name } = options;
  /** Pieces read from the stream (or given back) and not yet handed out, in order. */
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let position = 0;
  let ended = false;

  /** Pull until `length` bytes are pending or the stream ends. */
  const fill = async (length: number) => {
    while (pendingBytes < length && !ended) {
      const piece = await pull();
      if (piece === undefined) ended = true;
      else if (piece.byteLength > 0) {
        pending.push(piece);
        pendingBytes += piece.byteLength;
      }
    }
  };

  /** Up to `length` pending bytes as one array; `consume` takes them out. */
  const take = (length: number, consume: boolean): Uint8Array => {
    const want = Math.min(length, pendingBytes);
    const first = pending[0];
    if (first && first.byteLength >= want) {
      const out = first.subarray(0, want);
      if (consume) shift(want);
      return out;
    }
    const out = new Uint8Array(want);
    let filled = 0;
    for (const piece of pending) {
      if (filled === want) break;
      const part = piece.subarray(0, want - filled);
      out.set(part, filled);
      filled += part.byteLength;
    }
    if (consume) shift(want);
    return out;
  };

  const shift = (count: number) => {
    let left = count;
    while (left > 0) {
      const piece = pending[0]!;
      if (piece.byteLength <= left) {
        pending.shift();
        left -= piece.byteLength;
      } else {
        pending[0] = piece.subarray(left);
        left = 0;
      }
    }
    pendingBytes -= count;
  };

  return {
    access: 'sequential',
    size,
    name,
    async head(length) {
      await fill(length);
      return take(length, false);
    },
    async read(offset, length) {
      if (offset !== position) {
        throw new Error(`sequential source: read at ${offset}, but the stream is at ${position}`);
      }
      const want = Math.min(length, size - offset);
      await fill(want);
      if (pendingBytes < want) {
        throw new XMediaError(
          `${name} ended after ${offset + pendingBytes} bytes, but its size was given as ${size}; pass the right size`,
          { code: 'size_mismatch', limit: size, actual: offset + pendingBytes },
        );
      }
      position += want;
      return take(want, true);
    },
    unread(chunks) {
      const total = chunks.reduce((sum, c) => sum + c.byteLength, 0);
      pending.unshift(...chunks);
      pendingBytes += total;
      position -= total;
    },
    async assertEnd() {
      await fill(1);
      if (pendingBytes > 0) {
        throw new XMediaError(
          `${name} holds more than the ${size} bytes its size was given as; pass the right size`,
          { code: 'size_mismatch', limit: size },
        );
      }
    },
    close: options.cancel,
  };
}
