import { type Static, Type } from 'typebox';
import type { AccountViewRow } from '../store/accounts-api.js';
import type { RateLimitRow } from '../store/sql.js';
import { tokenHealth } from './token-health.js';

/**
 * What the API shows of an account: who it is, how its credentials stand and the rate limits X last
 * reported for it. Never a token, a secret or a ciphertext: the response schemas below list every
 * field, and Fastify's serializer drops anything else.
 */

const Time = (description: string) =>
  Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description });
const Count = (description: string) => Type.Union([Type.Integer(), Type.Null()], { description });

export const RateLimitView = Type.Object(
  {
    endpoint: Type.String({ description: 'The X endpoint, as `METHOD /path` (`POST /2/tweets`).' }),
    limit: Count('Requests allowed in the current window (`x-rate-limit-limit`).'),
    remaining: Count('Requests left in the current window (`x-rate-limit-remaining`).'),
    reset_at: Time('When the current window resets.'),
    daily_limit: Count('The 24-hour cap (`x-user-limit-24hour-*`, or the app’s `x-app-limit-24hour-*`).'),
    daily_remaining: Count('Requests left under the 24-hour cap.'),
    daily_reset_at: Time('When the 24-hour cap resets.'),
    updated_at: Type.String({ format: 'date-time', description: 'When X last reported these figures.' }),
  },
  { additionalProperties: false },
);

export const TokenView = Type.Object(
  {
    status: Type.Union(
      [
        Type.Literal('ok'),
        Type.Literal('expiring'),
        Type.Literal('expired_refreshable'),
        Type.Literal('needs_reconnect'),
      ],
      {
        description:
          '`ok`; `expiring` (within 10 minutes); `expired_refreshable` (renewed at next use); `needs_reconnect` (connect it again with GET /connect/x).',
      },
    ),
    expires_at: Time('When the access token expires (null: OAuth 1.0a, or unknown).'),
    refreshable: Type.Boolean({ description: 'A refresh token is stored (OAuth 2.0 with offline.access).' }),
  },
  { additionalProperties: false },
);

export const AccountView = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'The account id to use in posts (`accounts: [id]`).' }),
    provider: Type.Literal('x'),
    x_user_id: Type.String({ description: 'The X user id.' }),
    username: Type.String({ description: 'The X handle, without @.' }),
    auth_kind: Type.Union([Type.Literal('oauth2'), Type.Literal('oauth1')], {
      description: 'How the service acts as the account: OAuth 2.0 (connect flow) or OAuth 1.0a keys.',
    }),
    sandbox: Type.Boolean({ description: 'Connected to the sandbox emulator: its posts never reach X.' }),
    scopes: Type.Array(Type.String(), { description: 'OAuth 2.0 scopes granted (empty for OAuth 1.0a).' }),
    post_length_limit: Type.Integer({
      description: 'The weighted length X allows a post of this account: 280, or 25,000 with X Premium.',
    }),
    created_at: Type.String({ format: 'date-time' }),
    token: TokenView,
    needs_reconnect: Type.Boolean({
      description: 'Posts to this account fail until it is connected again (GET /connect/x).',
    }),
    reconnect_reason: Type.Union([Type.String(), Type.Null()], {
      description: 'Why it needs reconnecting (`invalid_refresh_token`, …); null when it does not.',
    }),
    rate_limits: Type.Array(RateLimitView, {
      description: 'Rate limits X last reported for this account, by endpoint.',
    }),
    app_rate_limits: Type.Array(RateLimitView, {
      description: 'The X app’s own 24-hour caps, shared by every account.',
    }),
  },
  { additionalProperties: false },
);
export type AccountView = Static<typeof AccountView>;

export const AccountList = Type.Object(
  { data: Type.Array(AccountView, { description: 'Connected accounts, oldest first.' }) },
  { additionalProperties: false },
);

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function rateLimitView(row: RateLimitRow): Static<typeof RateLimitView> {
  return {
    endpoint: row.endpoint,
    limit: row.request_limit,
    remaining: row.remaining,
    reset_at: iso(row.reset_at),
    daily_limit: row.daily_limit,
    daily_remaining: row.daily_remaining,
    daily_reset_at: iso(row.daily_reset_at),
    updated_at: row.updated_at.toISOString(),
  };
}

export function accountView(
  row: AccountViewRow,
  limits: { account: readonly RateLimitRow[]; app: readonly RateLimitRow[] },
  now: Date,
): AccountView {
  const health = tokenHealth(row, now);
  const needsReconnect = health.status === 'needs_reconnect';
  return {
    id: row.id,
    provider: 'x',
    x_user_id: row.x_user_id,
    username: row.username,
    auth_kind: row.auth_kind,
    sandbox: row.sandbox,
    scopes: [...row.scopes],
    post_length_limit: row.post_length_limit,
    created_at: row.created_at.toISOString(),
    token: { status: health.status, expires_at: iso(health.expiresAt), refreshable: health.refreshable },
    needs_reconnect: needsReconnect,
    reconnect_reason: needsReconnect ? health.reconnectReason : null,
    rate_limits: limits.account.map(rateLimitView),
    app_rate_limits: limits.app.map(rateLimitView),
  };
}
