import type { Clock } from '../clock.js';

/**
 * What a login or a refresh buys: an access token, usually a refresh token, and when the access
 * token stops working. Stored as it is by the token stores (`src/x/auth/`).
 */
export interface TokenSet {
  accessToken: string;
  /** Present when `offline.access` was granted (REFERENCE §1.3). Single use: each refresh rotates it. */
  refreshToken?: string;
  /** When the access token expires, epoch milliseconds on the clock that received it. */
  expiresAt: number;
  scopes: string[];
  /** `bearer`. */
  tokenType: string;
}

/** The part of the SDK's clock (`src/x/clock.ts`) that token expiry reads; `emulator.clock` fits too. */
export type NowClock = Pick<Clock, 'now'>;

/** X's access tokens live two hours (REFERENCE §1.3); assumed when a response leaves `expires_in` out. */
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECS = 7200;

/**
 * Read a token endpoint's 200 body. Returns null when it is not a token response; the caller turns
 * that into an error without quoting the body (it may hold a token).
 */
export function parseTokenResponse(body: unknown, clock: NowClock): TokenSet | null {
  if (typeof body !== 'object' || body === null) return null;
  const raw = body as Record<string, unknown>;
  if (typeof raw.access_token !== 'string' || raw.access_token === '') return null;
  const expiresIn =
    typeof raw.expires_in === 'number' && Number.isFinite(raw.expires_in) && raw.expires_in >= 0
      ? raw.expires_in
      : DEFAULT_ACCESS_TOKEN_LIFETIME_SECS;
  const tokens: TokenSet = {
    accessToken: raw.access_token,
    expiresAt: clock.now() + expiresIn * 1000,
    scopes: typeof raw.scope === 'string' ? raw.scope.split(/\s+/).filter(Boolean) : [],
    tokenType: typeof raw.token_type === 'string' ? raw.token_type : 'bearer',
  };
  if (typeof raw.refresh_token === 'string' && raw.refresh_token !== '')
    tokens.refreshToken = raw.refresh_token;
  return tokens;
}

/** Whether a stored value has the shape of a `TokenSet` (files can be edited by hand). */
export function isTokenSet(value: unknown): value is TokenSet {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.accessToken === 'string' &&
    (v.refreshToken === undefined || typeof v.refreshToken === 'string') &&
    typeof v.expiresAt === 'number' &&
    Array.isArray(v.scopes) &&
    v.scopes.every((s) => typeof s === 'string') &&
    typeof v.tokenType === 'string'
  );
}
