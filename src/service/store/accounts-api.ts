import type { SqlQuery } from '../db/types.js';
import { CLAIMABLE_STATES, HELD_STATES, type PostTargetState } from '../states.js';
import { sql } from './sql.js';

/**
 * The SQL of the accounts API (`/connect/x`, `/api/accounts`), as pure functions in the style of
 * `sql.ts`. Times are parameters from the application's clock.
 */

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

// ---------------------------------------------------------------------------------------------
// OAuth 2.0 connect: the PKCE verifier and state, kept server side (migration 0002)

export interface OAuthStateRow {
  state: string;
  /** Sealed with AAD `oauth_state:<state>`. */
  code_verifier: Uint8Array;
  api_key_id: string | null;
  redirect_to: string | null;
  created_at: Date;
  expires_at: Date;
}

export const oauthStates = {
  insert: (s: {
    state: string;
    codeVerifier: Uint8Array;
    apiKeyId: string | null;
    redirectTo: string | null;
    createdAt: Date;
    expiresAt: Date;
  }): SqlQuery =>
    sql(
      `INSERT INTO xpost.oauth_states (state, code_verifier, api_key_id, redirect_to, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [s.state, s.codeVerifier, s.apiKeyId, s.redirectTo, s.createdAt, s.expiresAt],
    ),
  /**
   * Takes the state out, whatever its age: single use even when the callback comes too late or
   * twice (a reload). The caller checks `expires_at` against its clock.
   */
  consume: (state: string): SqlQuery =>
    sql('DELETE FROM xpost.oauth_states WHERE state = $1 RETURNING *', [state]),
  purgeExpired: (now: Date): SqlQuery => sql('DELETE FROM xpost.oauth_states WHERE expires_at <= $1', [now]),
};

// ---------------------------------------------------------------------------------------------
// Account views: every column but the sealed ones, and whether a refresh token is held

/** An account row without its secrets, for `GET /api/accounts`. */
export interface AccountViewRow {
  id: string;
  provider: 'x';
  x_user_id: string;
  username: string;
  auth_kind: 'oauth2' | 'oauth1';
  scopes: string[];
  expires_at: Date | null;
  needs_reconnect: boolean;
  reconnect_reason: string | null;
  post_length_limit: number;
  sandbox: boolean;
  created_at: Date;
  updated_at: Date;
  /** A refresh token is stored (its ciphertext is not read). */
  refreshable: boolean;
}

const VIEW_COLUMNS = `id, provider, x_user_id, username, auth_kind, scopes, expires_at, needs_reconnect,
  reconnect_reason, post_length_limit, sandbox, created_at, updated_at,
  (refresh_token IS NOT NULL AND length(refresh_token) > 0) AS refreshable`;

export const accountViews = {
  list: (): SqlQuery =>
    sql(`SELECT ${VIEW_COLUMNS} FROM xpost.accounts WHERE deleted_at IS NULL ORDER BY created_at, id`),
  get: (id: string): SqlQuery =>
    sql(`SELECT ${VIEW_COLUMNS} FROM xpost.accounts WHERE id = $1 AND deleted_at IS NULL`, [id]),
};

// ---------------------------------------------------------------------------------------------
// Forgetting an account: its rate-limit rows, and its targets that have not started

/** Targets that a removed account's posts can still drop: not started, and held by no worker. */
export const CANCELLABLE_ON_REMOVAL: readonly PostTargetState[] = Object.freeze([
  'draft',
  ...CLAIMABLE_STATES,
]);

export const accountRemoval = {
  forgetRateLimits: (accountId: string): SqlQuery =>
    sql('DELETE FROM xpost.rate_limits WHERE subject = $1', [accountId]),
  /** The posts that have a cancellable target on this account (each is then cancelled under its post's lock). */
  postsWithCancellableTargets: (accountId: string): SqlQuery =>
    sql(
      `SELECT DISTINCT post_id FROM xpost.post_targets
       WHERE account_id = $1 AND state IN (${list(CANCELLABLE_ON_REMOVAL)}) AND locked_by IS NULL
       ORDER BY post_id`,
      [accountId],
    ),
  /**
   * Cancels this account's target of one post, if it still has not started and no worker holds it
   * (run under `posts.lock`). The reason goes in the error columns, so the post says why.
   */
  cancelTarget: (c: {
    postId: string;
    accountId: string;
    now: Date;
    code: string;
    detail: string;
  }): SqlQuery =>
    sql(
      `UPDATE xpost.post_targets SET state = 'cancelled', error_code = $4, error_detail = $5,
         error_retryable = false, version = version + 1, updated_at = $3
       WHERE post_id = $1 AND account_id = $2 AND state IN (${list(CANCELLABLE_ON_REMOVAL)})
         AND locked_by IS NULL
       RETURNING id`,
      [c.postId, c.accountId, c.now, c.code, c.detail],
    ),
  /** Targets a worker is working on now: they stay, and fail once the worker finds the account gone. */
  heldTargets: (accountId: string): SqlQuery =>
    sql(
      `SELECT id FROM xpost.post_targets WHERE account_id = $1 AND state IN (${list(HELD_STATES)}) ORDER BY id`,
      [accountId],
    ),
};
