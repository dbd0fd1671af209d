import type { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { PullChunk } from './sequential-source.js';

/** A stream as a pull function: one piece per call, only when asked (no read-ahead of ours). */
export interface StreamPuller {
  pull: PullChunk;
  /** Stop reading and release the stream (destroy or cancel it). */
  cancel: () => Promise<void>;
}

export function isNodeReadable(value: unknown): value is Readable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Readable).pipe === 'function' &&
    typeof (value as Readable)[Symbol.asyncIterator] === 'function'
  );
}

export function isWebReadableStream(value: unknown): value is WebReadableStream<Uint8Array> {
  return (
    typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function'
  );
}

export function nodeStreamPuller(stream: Readable): StreamPuller {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  return {
    pull: async () => {
      const next = await iterator.next();
      return next.done ? undefined : toBytes(next.value);
    },
    cancel: async () => {
      if (!stream.readableEnded) stream.destroy();
    },
  };
}

export function webStreamPuller(
  stream: WebReadableStream<Uint8Array> | ReadableStream<Uint8Array>,
): StreamPuller {
  const reader = (stream as ReadableStream<Uint8Array>).getReader();
  let done = false;
  return {
    pull: async () => {
      const next = await reader.read();
      if (next.done) done = true;
      return next.done ? undefined : toBytes(next.value);
    },
    cancel: async () => {
      if (!done) await reader.cancel().catch(() => {});
      reader.releaseLock();
    },
  };
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`media.upload(): the stream gave a ${typeof value}, not bytes; use a binary stream`);
}
