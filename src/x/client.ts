import type { AuthProvider } from './auth/types.js';
import { PostsApi } from './endpoints/posts.js';
import { UsersApi } from './endpoints/users.js';
import { errorFromResponse } from './errors/error-from-response.js';
import type { XErrorItem } from './errors/x-error.js';
import { MediaApi } from './media/media-api.js';
import { normalizeOptions, type XClientOptions, type XClientSettings } from './options.js';
import { authPlugin } from './plugins/auth.js';
import { parseRateLimitHeaders } from './plugins/rate-limit/parse-headers.js';
import { recordRateLimitsPlugin } from './plugins/rate-limit/record.js';
import { type RateLimitReader, RateLimitState } from './plugins/rate-limit/state.js';
import type { RateLimitInfo } from './plugins/rate-limit/types.js';
import { rateLimitWaitPlugin } from './plugins/rate-limit/wait.js';
import { retryPlugin } from './plugins/retry/index.js';
import { createTransport } from './request/transport.js';
import type { RequestHandler, XRawResponse, XRequest } from './request/types.js';

/** A successful answer. `data` is the body as X sent it (for v2: `{ data, includes, meta, errors }`). */
export interface XResponse<T> {
  data: T;
  status: number;
  headers: Headers;
  rateLimit?: RateLimitInfo;
  requestId?: string;
  /**
   * X's partial errors: a 2xx may carry `errors[]` beside `data` (a missing post in a lookup,
   * REFERENCE §5.1). They are returned, not thrown, since the rest of the answer is good.
   */
  errors?: XErrorItem[];
}

/** What endpoint classes (`posts`, `users`, `media`) need from the client. */
export interface XClientCore {
  readonly options: XClientSettings;
  readonly rateLimits: RateLimitReader;
  /** Sends through the pipeline; throws the `XError` for any status ≥ 400. */
  request<T>(req: XRequest): Promise<XResponse<T>>;
  /** Sends through the pipeline and hands back any status (the OAuth token helpers read 400 bodies). */
  send(req: XRequest): Promise<XRawResponse>;
}

/** The subject of requests without user credentials. */
const ANONYMOUS = 'anonymous';

export class XClient implements XClientCore {
  readonly options: XClientSettings;
  readonly rateLimits: RateLimitReader;
  /** Create, read, delete posts; threads; reconciliation (`findRecent`). */
  readonly posts: PostsApi;
  /** The authenticated user and their recent posts. */
  readonly users: UsersApi;
  /** Chunked, resumable media upload (`media.upload(pathOrStream)`), STATUS, alt text. */
  readonly media: MediaApi;
  readonly #pipeline: RequestHandler;

  constructor(options: XClientOptions = {}) {
    this.options = normalizeOptions(options);
    const { auth, clock } = this.options;
    const state = new RateLimitState(() => userSubject(auth));
    this.rateLimits = state;
    const subjectOf = (request: XRequest) => subjectFor(request, auth);

    const transport = createTransport({
      apiBase: this.options.apiBase,
      fetch: this.options.fetch,
      timeoutMs: this.options.timeoutMs,
      userAgent: this.options.userAgent,
    });
    // Outermost first. The rate-limit wait owns 429s and wraps everything, so one wait covers all
    // attempts. Retry sits outside auth so each resend is authorized afresh (a new OAuth 1.0a nonce
    // and timestamp, a refreshed OAuth 2.0 token). The recorder sits right on the transport so the
    // rate-limit state sees every answer, including the ones retry and the 401 resend swallow.
    const plugins = [
      rateLimitWaitPlugin({
        state,
        clock,
        subjectOf,
        onRateLimit: this.options.onRateLimit,
        maxWaitMs: this.options.maxRateLimitWaitMs,
        preflight: this.options.rateLimitPreflight,
      }),
      retryPlugin({
        maxRetries: this.options.maxRetries,
        baseDelayMs: this.options.retryBaseDelayMs,
        maxDelayMs: this.options.retryMaxDelayMs,
        clock,
        random: this.options.random,
      }),
      authPlugin({ apiBase: this.options.apiBase, provider: auth }),
      recordRateLimitsPlugin({ state, clock, subjectOf }),
    ];
    this.#pipeline = plugins.reduceRight<RequestHandler>((next, plugin) => plugin(next), transport);
    this.users = new UsersApi(this);
    this.media = new MediaApi(this);
    this.posts = new PostsApi(this, {
      users: this.users,
      media: this.media,
      maxWeightedLength: this.options.maxWeightedLength,
    });
  }

  async send(req: XRequest): Promise<XRawResponse> {
    checkRequest(req);
    return this.#pipeline(req);
  }

  async request<T>(req: XRequest): Promise<XResponse<T>> {
    const raw = await this.send(req);
    const rateLimit = parseRateLimitHeaders(raw.headers);
    if (raw.status >= 400) throw errorFromResponse(raw, rateLimit, this.options.clock.now());
    const requestId = raw.headers.get('x-transaction-id') ?? raw.headers.get('x-request-id') ?? undefined;
    const body = raw.body as { errors?: unknown } | null;
    const errors = Array.isArray(body?.errors) ? (body.errors as XErrorItem[]) : undefined;
    return {
      data: raw.body as T,
      status: raw.status,
      headers: raw.headers,
      ...(rateLimit ? { rateLimit } : {}),
      ...(requestId ? { requestId } : {}),
      ...(errors ? { errors } : {}),
    };
  }
}

function userSubject(auth: AuthProvider | undefined): string {
  return auth ? auth.subject() : ANONYMOUS;
}

function subjectFor(request: XRequest, auth: AuthProvider | undefined): string {
  if (request.auth.kind === 'user') return userSubject(auth);
  if (request.auth.kind === 'client') return `app:${request.auth.clientId}`;
  return ANONYMOUS;
}

function checkRequest(req: XRequest): void {
  const bodies = [req.json, req.form, req.body].filter((b) => b !== undefined && b !== null).length;
  if (bodies > 1) {
    throw new TypeError(`${req.endpoint}: set one of json, form or body, not ${bodies}`);
  }
  if (!req.path.startsWith('/')) {
    throw new TypeError(`${req.endpoint}: path must start with "/", e.g. /2/tweets (got ${req.path})`);
  }
}
