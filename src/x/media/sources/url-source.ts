import { XMediaError } from '../../errors/x-media-error.js';
import { type StreamPuller, webStreamPuller } from './stream-source.js';

export interface UrlBody {
  puller: StreamPuller;
  /** From `content-length`, when the body is not re-encoded on the way. */
  size?: number;
  name: string;
}

/** Whether a string input is a URL to fetch rather than a file path. */
export function isHttpUrl(input: unknown): input is string | URL {
  if (input instanceof URL) return input.protocol === 'http:' || input.protocol === 'https:';
  return typeof input === 'string' && /^https?:\/\//i.test(input);
}

/**
 * GET the media through the client's `fetch` and stream its body: nothing is buffered beyond the
 * piece being read.
 */
export async function fetchUrlBody(
  url: URL,
  fetchImpl: typeof fetch,
  signal?: AbortSignal,
): Promise<UrlBody> {
  const name = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '') || url.host;
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: signal ?? null, redirect: 'follow' });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new XMediaError(`could not fetch ${url.href}: ${(error as Error).message}`, {
      code: 'source_unreadable',
      cause: error,
    });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => {});
    throw new XMediaError(`could not fetch ${url.href}: the server answered ${response.status}`, {
      code: 'source_unreadable',
      status: response.status,
    });
  }
  // A compressed body is decoded by fetch, so its content-length is not the media's size.
  const encoding = response.headers.get('content-encoding');
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  const sized = Number.isSafeInteger(length) && length >= 0 && (!encoding || encoding === 'identity');
  const puller = webStreamPuller(response.body);
  return sized ? { puller, size: length, name } : { puller, name };
}
