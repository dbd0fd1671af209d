import { randomUUID } from 'node:crypto';
import type { TokenSet } from '../../x/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db, Queryable } from '../db/types.js';
import { type AccountRow, sql } from '../store/sql.js';
import { sealTokens, tokenAad } from '../worker/db-token-store.js';

/** X Premium raises the weighted length limit of a post from 280 to 25,000 (REFERENCE, posts). */
export const STANDARD_POST_LENGTH = 280;
export const PREMIUM_POST_LENGTH = 25_000;

/** What users/me says about the account being connected. */
export interface ConnectedUser {
  id: string;
  username: string;
  /** `Premium`, `PremiumPlus`, `Basic` or `None`, when X sends it. */
  subscription_type?: string;
}

export function postLengthLimit(user: ConnectedUser): number {
  const type = user.subscription_type;
  return type && type !== 'None' ? PREMIUM_POST_LENGTH : STANDARD_POST_LENGTH;
}

/**
 * The live row of this X user, locked, or a fresh id for a new one. Sealed columns are bound to the
 * account id (AAD), so the id must be known before anything is sealed: a reconnect keeps the row's id.
 */
async function accountIdFor(tx: Queryable, xUserId: string): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    sql(
      `SELECT id FROM xpost.accounts WHERE provider = 'x' AND x_user_id = $1 AND deleted_at IS NULL FOR UPDATE`,
      [xUserId],
    ),
  );
  return rows[0]?.id ?? randomUUID();
}

const UPSERT = `INSERT INTO xpost.accounts AS a
    (id, x_user_id, username, auth_kind, access_token, refresh_token, token_secret, consumer_key,
     consumer_secret, scopes, expires_at, post_length_limit, sandbox)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
  ON CONFLICT (id) DO UPDATE SET
    username = EXCLUDED.username, auth_kind = EXCLUDED.auth_kind,
    access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token,
    token_secret = EXCLUDED.token_secret, consumer_key = EXCLUDED.consumer_key,
    consumer_secret = EXCLUDED.consumer_secret, scopes = EXCLUDED.scopes, expires_at = EXCLUDED.expires_at,
    post_length_limit = EXCLUDED.post_length_limit, sandbox = EXCLUDED.sandbox,
    needs_reconnect = false, reconnect_reason = NULL, updated_at = now()
  RETURNING *`;

/**
 * Connects an OAuth 2.0 account, or reconnects the live one of the same X user (new tokens, the
 * reconnect flag cleared, the same id so its posts keep their account). Tokens are sealed here.
 */
export async function saveOAuth2Account(
  db: Db,
  box: SecretBox,
  input: { user: ConnectedUser; tokens: TokenSet; sandbox?: boolean },
): Promise<AccountRow> {
  return db.transaction(async (tx) => {
    const id = await accountIdFor(tx, input.user.id);
    const sealed = sealTokens(box, id, input.tokens);
    const { rows } = await tx.query<AccountRow>(
      sql(UPSERT, [
        id,
        input.user.id,
        input.user.username,
        'oauth2',
        sealed.accessToken,
        sealed.refreshToken,
        null,
        null,
        null,
        [...input.tokens.scopes],
        sealed.expiresAt,
        postLengthLimit(input.user),
        input.sandbox ?? false,
      ]),
    );
    return rows[0]!;
  });
}

/** OAuth 1.0a credentials: the app's consumer key and secret and the user's access token and secret. */
export interface OAuth1Credentials {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessTokenSecret: string;
}

/** Connects (or reconnects) an OAuth 1.0a account; all four secrets are sealed to the row. */
export async function saveOAuth1Account(
  db: Db,
  box: SecretBox,
  input: { user: ConnectedUser; credentials: OAuth1Credentials; sandbox?: boolean },
): Promise<AccountRow> {
  const c = input.credentials;
  return db.transaction(async (tx) => {
    const id = await accountIdFor(tx, input.user.id);
    const seal = (value: string, column: Parameters<typeof tokenAad>[1]) =>
      box.seal(value, tokenAad(id, column));
    const { rows } = await tx.query<AccountRow>(
      sql(UPSERT, [
        id,
        input.user.id,
        input.user.username,
        'oauth1',
        seal(c.accessToken, 'access_token'),
        null,
        seal(c.accessTokenSecret, 'token_secret'),
        seal(c.consumerKey, 'consumer_key'),
        seal(c.consumerSecret, 'consumer_secret'),
        [],
        null,
        postLengthLimit(input.user),
        input.sandbox ?? false,
      ]),
    );
    return rows[0]!;
  });
}
