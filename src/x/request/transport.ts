import { XNetworkError } from '../errors/x-network-error.js';
import { XTimeoutError } from '../errors/x-timeout-error.js';
import { buildUrl } from './build-url.js';
import { describeNetworkFailure } from './network-failure.js';
import { parseBody, serializeBody } from './serialize-body.js';
import type { RequestHandler, XRequest } from './types.js';

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface TransportOptions {
  apiBase: string;
  fetch?: typeof fetch;
  /** Per-attempt timeout; `request.timeoutMs` overrides it. */
  timeoutMs?: number;
  userAgent?: string;
}

/**
 * The one place the SDK calls `fetch`. It answers every HTTP status with an `XRawResponse` (turning
 * statuses into errors is the client's job, so the OAuth helpers can read 400 bodies), and throws
 * only when there is no answer: `XNetworkError` (with `neverSent`), `XTimeoutError`, or the caller's
 * abort reason.
 */
export function createTransport(options: TransportOptions): RequestHandler {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return async (request) => {
    const url = buildUrl(options.apiBase, request);
    const { body, contentType } = serializeBody(request);
    const headers = new Headers(request.headers);
    if (contentType && !headers.has('content-type')) headers.set('content-type', contentType);
    if (options.userAgent && !headers.has('user-agent')) headers.set('user-agent', options.userAgent);

    const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;

    const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers, signal };
    if (body !== undefined) init.body = body;
    // A streamed body needs half-duplex in undici's fetch.
    if (body instanceof ReadableStream) init.duplex = 'half';

    try {
      const response = await fetchImpl(url, init);
      // The timeout covers reading the body too: a stalled body is as bad as a stalled connect.
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: parseBody(text), request };
    } catch (error) {
      throw translateFailure(error, request, timeoutMs, timeout);
    }
  };
}

function translateFailure(
  error: unknown,
  request: XRequest,
  timeoutMs: number,
  timeout: AbortSignal,
): unknown {
  if (request.signal?.aborted) {
    return request.signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
  }
  if (timeout.aborted) {
    return new XTimeoutError(
      `${request.endpoint} timed out after ${timeoutMs} ms; X may be slow or unreachable (raise timeoutMs if this persists)`,
      { request, timeoutMs, cause: error },
    );
  }
  const failure = describeNetworkFailure(error);
  const sent = failure.neverSent ? 'the request never reached X' : 'X may or may not have received it';
  return new XNetworkError(
    `${request.endpoint} failed: ${failure.message}${failure.code ? ` (${failure.code})` : ''}; ${sent}`,
    { request, neverSent: failure.neverSent, ...(failure.code ? { code: failure.code } : {}), cause: error },
  );
}
