import type { ByteSource } from './types.js';

/** Bytes in memory: every segment is a view into them (`subarray`), never a copy. */
export function bufferSource(bytes: Uint8Array, name = 'the buffer'): ByteSource {
  return {
    access: 'random',
    size: bytes.byteLength,
    name,
    head: async (length) => bytes.subarray(0, length),
    read: async (offset, length) => bytes.subarray(offset, offset + length),
    close: async () => {},
  };
}
