import { revokeToken } from '../../x/index.js';
import type { RouteDeps } from '../deps.js';
import { accountRemoval } from '../store/accounts-api.js';
import { recomputePostState } from '../store/post-state.js';
import { type AccountRow, accounts, posts } from '../store/sql.js';
import { openTokens } from '../worker/db-token-store.js';
import { accountsXClient, classifyXFailure, sendThrough, xSays } from './x-calls.js';

/**
 * `DELETE /api/accounts/:id`: forget the account, cancel what it had not started, and revoke its
 * tokens at X. In that order, on purpose:
 *
 * 1. Under the account's row lock (the one token refreshes take), read the sealed tokens and wipe
 *    them: a worker mid-refresh finishes first and we read the pair it stored, and no worker can
 *    refresh afterwards, so the pair we revoke is the last one that exists.
 * 2. Cancel its draft/scheduled/queued targets that no worker holds, each under its post's lock with
 *    the post's state recomputed (as the worker does). A held target (uploading/publishing) stays:
 *    its worker finds the account gone and fails it.
 * 3. Revoke at X with the pair read in 1, outside any transaction. A failure is reported, not fatal:
 *    the account is forgotten either way, and the answer says how to revoke by hand.
 */

export const ACCOUNT_REMOVED = 'account_removed';
const REMOVED_DETAIL = 'the account was removed (DELETE /api/accounts/:id) before this post was published';
export const OAUTH1_NOT_REVOKED = 'OAuth 1.0a tokens are revoked in the X developer portal';
const BY_HAND = 'revoke xpost’s access at https://x.com/settings/connected_apps';

export interface ForgetResult {
  id: string;
  revoked: boolean;
  revoke_error?: string;
  /** Targets cancelled because they had not started. */
  targets_cancelled: number;
  /** Targets a worker was publishing; they fail once it finds the account gone. */
  targets_in_progress: number;
}

/** Undefined when there is no such live account. */
export async function forgetAccount(deps: RouteDeps, id: string): Promise<ForgetResult | undefined> {
  const now = deps.clock();
  const row = await deps.db.transaction(async (tx) => {
    const { rows } = await tx.query<AccountRow>(accounts.lockForRefresh(id));
    if (!rows[0]) return undefined;
    await tx.query(accounts.softDelete(id, now));
    await tx.query(accountRemoval.forgetRateLimits(id));
    return rows[0];
  });
  if (!row) return undefined;

  const cancelled = await cancelUnstartedTargets(deps, id, now);
  const held = (await deps.db.query(accountRemoval.heldTargets(id))).rowCount;
  const revoke = await revokeAtX(deps, row);
  return { id, ...revoke, targets_cancelled: cancelled, targets_in_progress: held };
}

async function cancelUnstartedTargets(deps: RouteDeps, accountId: string, now: Date): Promise<number> {
  const { rows } = await deps.db.query<{ post_id: string }>(
    accountRemoval.postsWithCancellableTargets(accountId),
  );
  let cancelled = 0;
  for (const { post_id: postId } of rows) {
    cancelled += await deps.db.transaction(async (tx) => {
      // The post first, then its target: the worker's order, so the two never wait on each other.
      await tx.query(posts.lock(postId));
      const moved = await tx.query(
        accountRemoval.cancelTarget({
          postId,
          accountId,
          now,
          code: ACCOUNT_REMOVED,
          detail: REMOVED_DETAIL,
        }),
      );
      if (moved.rowCount === 0) return 0; // a worker claimed it meanwhile: it stays with the worker
      await recomputePostState(tx, postId);
      return moved.rowCount;
    });
  }
  return cancelled;
}

async function revokeAtX(
  deps: RouteDeps,
  row: AccountRow,
): Promise<{ revoked: boolean; revoke_error?: string }> {
  if (row.auth_kind === 'oauth1') return { revoked: false, revoke_error: OAUTH1_NOT_REVOKED };
  let tokens: ReturnType<typeof openTokens>;
  try {
    tokens = openTokens(deps.box, row);
  } catch {
    return {
      revoked: false,
      revoke_error: `the stored tokens could not be decrypted (was the secret key changed?); ${BY_HAND}`,
    };
  }
  try {
    // Inside the try: whatever goes wrong reaching X, the account stays forgotten and the answer says so.
    const access = deps.x(row);
    const fetch = access.client?.fetch ?? deps.xApp.fetch;
    const client = accountsXClient(deps.db, {
      apiBase: access.client?.apiBase ?? deps.xApp.apiBase,
      ...(fetch ? { fetch } : {}),
    });
    const app = {
      send: sendThrough(client),
      clientId: access.clientId,
      ...(access.clientSecret ? { clientSecret: access.clientSecret } : {}),
    };
    // The refresh token first: revoking it ends the grant, and its access tokens with it.
    if (tokens.refreshToken)
      await revokeToken({ ...app, token: tokens.refreshToken, tokenTypeHint: 'refresh_token' });
    await revokeToken({ ...app, token: tokens.accessToken, tokenTypeHint: 'access_token' });
    return { revoked: true };
  } catch (error) {
    const why =
      classifyXFailure(error) === 'unavailable'
        ? `X could not be reached (${xSays(error)})`
        : `X did not revoke them (${xSays(error)})`;
    return { revoked: false, revoke_error: `${why}; the account is forgotten here, but ${BY_HAND}` };
  }
}
