import type { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { MediaInput } from '../types.js';
import { bufferSource } from './buffer-source.js';
import { fileSource } from './file-source.js';
import { sequentialSource } from './sequential-source.js';
import { spoolToFile } from './spool.js';
import {
  isNodeReadable,
  isWebReadableStream,
  nodeStreamPuller,
  type StreamPuller,
  webStreamPuller,
} from './stream-source.js';
import { fetchUrlBody, isHttpUrl } from './url-source.js';

export type { ByteSource } from './types.js';
export { isHttpUrl } from './url-source.js';

export interface OpenSourceOptions {
  /** The size of a stream or URL body, when the caller knows it. */
  size?: number;
  /** A name for messages (default: the file's or URL's base name, or "the stream"). */
  name?: string;
  fetch: typeof fetch;
  signal?: AbortSignal;
  /** A stream of unknown size is spooled up to this many bytes, then `tooLarge` is thrown. */
  maxSpoolBytes: number;
  tooLarge: (name: string, bytes: number) => Error;
}

/** Turn any `MediaInput` into a `ByteSource` whose size is known. */
export async function openSource(input: MediaInput, options: OpenSourceOptions) {
  if (input instanceof Uint8Array) return bufferSource(input, options.name);
  if (isHttpUrl(input)) {
    const body = await fetchUrlBody(new URL(input), options.fetch, options.signal);
    return streamSource(body.puller, {
      ...options,
      name: options.name ?? body.name,
      size: options.size ?? body.size,
    });
  }
  if (typeof input === 'string') return fileSource(input, options.name ? { name: options.name } : {});
  if (input instanceof URL && input.protocol === 'file:') return fileSource(input.pathname, options);
  if (isNodeReadable(input)) return streamSource(nodeStreamPuller(input as Readable), options);
  if (isWebReadableStream(input)) {
    return streamSource(webStreamPuller(input as WebReadableStream<Uint8Array>), options);
  }
  throw new TypeError(
    'media.upload(input): pass a file path, an http(s) URL, a Uint8Array/Buffer, a Node Readable or a web ReadableStream',
  );
}

async function streamSource(puller: StreamPuller, options: OpenSourceOptions) {
  const name = options.name ?? 'the stream';
  if (options.size !== undefined) {
    return sequentialSource({ pull: puller.pull, cancel: puller.cancel, size: options.size, name });
  }
  const spooled = await spoolToFile(puller, {
    maxBytes: options.maxSpoolBytes,
    tooLarge: (bytes) => options.tooLarge(name, bytes),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return fileSource(spooled.path, { name, onClose: spooled.remove });
}
