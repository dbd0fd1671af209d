import { systemClock } from '../clock.js';
import { XAuthError } from '../errors/x-auth-error.js';
import { refreshToken } from '../oauth/token-client.js';
import { TOKEN_ERROR_CODES } from '../oauth/token-errors.js';
import type { NowClock, TokenSet } from '../oauth/token-set.js';
import { DEFAULT_API_BASE } from '../options.js';
import { createTransport } from '../request/transport.js';
import type { RequestHandler, XRawResponse, XRequest } from '../request/types.js';
import { singleFlight } from './refresh-flights.js';
import { assertTokenKey, type TokenStore } from './token-store.js';
import type { AuthProvider } from './types.js';

/** Refresh this long before `expiresAt`, so a request never leaves with a token about to lapse. */
export const DEFAULT_REFRESH_SKEW_MS = 60_000;

export interface OAuth2UserAuthOptions {
  /** Where the account's token pair lives; every process using the account must share it. */
  store: TokenStore;
  /** The account's key in the store. */
  key: string;
  clientId: string;
  /** Confidential apps only. */
  clientSecret?: string;
  /** How token requests are sent. Default: `client.send`, else a transport to `apiBase`. */
  send?: RequestHandler;
  /** An object with `send` (an `XClient`): token requests go through its pipeline. */
  client?: { send: RequestHandler };
  /** Used only when neither `send` nor `client` is given. */
  apiBase?: string;
  clock?: NowClock;
  /** Refresh when the access token has less than this long to live. Keep it below the token's lifetime (2 h at X). */
  refreshSkewMs?: number;
  /** `subject()`: the name of this account's rate-limit state. Default `key`. */
  subject?: string;
}

export interface OAuth2UserAuth extends AuthProvider {
  /** A token pair that is valid now, refreshed first when it is about to expire. */
  tokens(): Promise<TokenSet>;
  /** Rotate the pair now (under the lock; another process's fresh rotation is used instead). */
  refresh(): Promise<TokenSet>;
}

/**
 * OAuth 2.0 user context that keeps itself logged in (DESIGN "Tokens never get lost"; REFERENCE §1.4):
 * it refreshes ahead of expiry and once after a 401, one refresh at a time per account in this
 * process and, through `store.withLock`, across processes. Inside the lock it reads the store first,
 * saves the rotated pair before using it, and after X refuses a refresh token it reads the store once
 * more before telling the user to log in again.
 */
export function oauth2UserAuth(options: OAuth2UserAuthOptions): OAuth2UserAuth {
  const { store, key, clientId, clientSecret } = options;
  if (!store)
    throw new TypeError('oauth2UserAuth(): pass store (memoryTokenStore() or fileTokenStore({ dir }))');
  assertTokenKey(key);
  if (!clientId)
    throw new TypeError('oauth2UserAuth(): pass clientId (set XPOST_CLIENT_ID or pass clientId)');
  const clock = options.clock ?? systemClock;
  const skewMs = options.refreshSkewMs ?? DEFAULT_REFRESH_SKEW_MS;
  if (!Number.isFinite(skewMs) || skewMs < 0)
    throw new RangeError('oauth2UserAuth(): refreshSkewMs must be ≥ 0');
  const send = resolveSend(options);
  const subject = options.subject ?? key;

  /** The pair this provider last read or rotated; the store stays the truth. */
  let current: TokenSet | undefined;
  /** A rotated pair X gave us that `store.set` failed to save; saved before anything else next time. */
  let unsaved: { from: string; tokens: TokenSet } | undefined;

  const expiring = (tokens: TokenSet) => clock.now() >= tokens.expiresAt - skewMs;

  async function load(): Promise<TokenSet> {
    const stored = await store.get(key);
    if (!stored) throw loginRequired(key);
    current = stored;
    return stored;
  }

  /** Runs holding the lock: every step that decides whether to spend the refresh token. */
  async function rotateLocked(stale: string | undefined): Promise<TokenSet> {
    let stored = await store.get(key);
    if (unsaved && stored?.refreshToken === unsaved.from) {
      await store.set(key, unsaved.tokens);
      stored = unsaved.tokens;
      unsaved = undefined;
    }
    if (!stored) throw loginRequired(key);
    // Another process (or a login) already rotated: use its pair, without calling X.
    if (stored.accessToken !== stale && !expiring(stored)) return stored;
    if (!stored.refreshToken) {
      throw new XAuthError(
        `The access token for "${key}" has expired and there is no refresh token (offline.access was not granted). Log in again (xpost login).`,
        { code: TOKEN_ERROR_CODES.loginRequired },
      );
    }
    let fresh: TokenSet;
    try {
      fresh = await refreshToken({ send, clientId, clientSecret, refreshToken: stored.refreshToken, clock });
    } catch (error) {
      if (error instanceof XAuthError && error.code === TOKEN_ERROR_CODES.invalidRefreshToken) {
        // Someone who does not take our lock (another tool, a login) may have rotated in between.
        const again = await store.get(key);
        if (
          again &&
          (again.refreshToken !== stored.refreshToken || again.accessToken !== stored.accessToken)
        ) {
          return again;
        }
      }
      throw error;
    }
    // X has spent the old refresh token: the new pair is saved before anyone uses it.
    try {
      await store.set(key, fresh);
    } catch (error) {
      unsaved = { from: stored.refreshToken, tokens: fresh };
      throw error;
    }
    return fresh;
  }

  async function refreshFrom(stale: string | undefined): Promise<TokenSet> {
    const tokens = await singleFlight(store, key, () => store.withLock(key, () => rotateLocked(stale)));
    current = tokens;
    return tokens;
  }

  async function tokens(): Promise<TokenSet> {
    const known = current ?? (await load());
    if (unsaved || expiring(known)) return refreshFrom(known.accessToken);
    return known;
  }

  return {
    kind: 'oauth2',
    tokens,
    refresh: async () => refreshFrom((current ?? (await load())).accessToken),
    async authorize() {
      const { accessToken } = await tokens();
      return { authorization: `Bearer ${accessToken}` };
    },
    async onUnauthorized(request: XRequest, response: XRawResponse) {
      const used = bearerOf(response.request) ?? bearerOf(request) ?? current?.accessToken;
      // Already replaced in this process since that request left: just send it again.
      if (current && used !== undefined && used !== current.accessToken) return true;
      await refreshFrom(used);
      return true;
    },
    subject: () => subject,
  };
}

function resolveSend(options: OAuth2UserAuthOptions): RequestHandler {
  if (options.send) return options.send;
  const client = options.client;
  if (client) return (request) => client.send(request);
  return createTransport({ apiBase: options.apiBase ?? DEFAULT_API_BASE });
}

function bearerOf(request: XRequest | undefined): string | undefined {
  const header = request?.headers?.authorization ?? request?.headers?.Authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

function loginRequired(key: string): XAuthError {
  return new XAuthError(`No OAuth 2.0 tokens are stored for "${key}". Log in first (xpost login).`, {
    code: TOKEN_ERROR_CODES.loginRequired,
  });
}
