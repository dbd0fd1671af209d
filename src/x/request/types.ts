/**
 * The request core's vocabulary. `request/transport.ts` is the only code that calls `fetch`; auth,
 * retry and rate limits are plugins that wrap the next handler (octokit's shape), so each can be
 * read and tested on its own.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

/** How a request authenticates. */
export type RequestAuth =
  /** The user context the client was built with (OAuth 2.0 bearer or OAuth 1.0a). */
  | { kind: 'user' }
  /** OAuth 2.0 client authentication at the token endpoints: Basic for confidential clients. */
  | { kind: 'client'; clientId: string; clientSecret?: string }
  | { kind: 'none' };

export interface XRequest {
  method: HttpMethod;
  /** Path on the API base, e.g. `/2/tweets/123`. */
  path: string;
  /**
   * The endpoint as X's rate-limit tables name it (`POST /2/tweets`, `DELETE /2/tweets/:id`):
   * the key of rate-limit state, retry policy and logs.
   */
  endpoint: string;
  query?: Record<string, QueryValue>;
  /** A JSON body (sent with `content-type: application/json`). */
  json?: unknown;
  /** An `application/x-www-form-urlencoded` body (signed by OAuth 1.0a). */
  form?: Record<string, string>;
  /** Any other body (multipart `FormData`, a stream); not signed, not retried unless `replayable`. */
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  auth: RequestAuth;
  /**
   * Whether sending the request twice is harmless. `POST /2/tweets` is not: it is retried only when
   * it provably never reached X.
   */
  idempotent: boolean;
  /** Cancels the request, its retries and any rate-limit wait. */
  signal?: AbortSignal;
  /** Per-attempt timeout in milliseconds (overrides the client's). */
  timeoutMs?: number;
  /** On 429: wait for the reset or throw `XRateLimitError` at once (overrides the client's). */
  onRateLimit?: 'wait' | 'throw';
  /** The longest rate-limit wait in milliseconds before throwing instead (overrides the client's). */
  maxRateLimitWaitMs?: number;
}

/** What X answered, before it is turned into data or an error. */
export interface XRawResponse {
  status: number;
  headers: Headers;
  /** The body parsed as JSON when it is JSON, the text otherwise, null when empty. */
  body: unknown;
  /** The request that produced it (after plugins changed it), for errors and logs. */
  request: XRequest;
}

/** One step of the pipeline. */
export type RequestHandler = (request: XRequest) => Promise<XRawResponse>;

/** A plugin wraps the next handler: auth, retry, rate limits. */
export type RequestPlugin = (next: RequestHandler) => RequestHandler;
