/**
 * How an account's credentials stand, for `GET /api/accounts`, computed from the row alone (no call
 * to X, no secret opened):
 *
 * - `ok`: the access token is good for a while (OAuth 1.0a tokens never expire).
 * - `expiring`: it expires within `EXPIRING_WITHIN_MS`; a refreshable one is renewed at next use.
 * - `expired_refreshable`: it expired, and the stored refresh token will renew it at next use.
 * - `needs_reconnect`: a refresh failed (the row says why), or the token expired with nothing to
 *   refresh it: connect the account again (`GET /connect/x`).
 */
export type TokenStatus = 'ok' | 'expiring' | 'expired_refreshable' | 'needs_reconnect';

/** An access token lives two hours; ten minutes before the end is worth flagging. */
export const EXPIRING_WITHIN_MS = 10 * 60_000;

export interface TokenHealthInput {
  auth_kind: 'oauth2' | 'oauth1';
  expires_at: Date | null;
  needs_reconnect: boolean;
  reconnect_reason: string | null;
  /** A refresh token is stored. */
  refreshable: boolean;
}

export interface TokenHealth {
  status: TokenStatus;
  expiresAt: Date | null;
  refreshable: boolean;
  /** Set when `status` is `needs_reconnect`. */
  reconnectReason: string | null;
}

/** Why an account needs reconnecting when the row has no reason of its own. */
export const EXPIRED_WITHOUT_REFRESH = 'access_token_expired_without_refresh_token';

export function tokenHealth(row: TokenHealthInput, now: Date): TokenHealth {
  const refreshable = row.auth_kind === 'oauth2' && row.refreshable;
  const expiresAt = row.auth_kind === 'oauth2' ? row.expires_at : null;
  const health = (status: TokenStatus, reconnectReason: string | null = null): TokenHealth => ({
    status,
    expiresAt,
    refreshable,
    reconnectReason,
  });
  if (row.needs_reconnect) return health('needs_reconnect', row.reconnect_reason ?? 'reconnect_required');
  if (expiresAt === null) return health('ok');
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) {
    return refreshable ? health('expired_refreshable') : health('needs_reconnect', EXPIRED_WITHOUT_REFRESH);
  }
  return health(left <= EXPIRING_WITHIN_MS ? 'expiring' : 'ok');
}
