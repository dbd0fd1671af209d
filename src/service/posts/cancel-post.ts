import {
  XApiError,
  XAuthError,
  XForbiddenError,
  XNetworkError,
  XRateLimitError,
  XTimeoutError,
  XUnknownOutcomeError,
} from '../../x/index.js';
import type { RouteDeps } from '../deps.js';
import { ServiceError } from '../errors.js';
import { recomputePostState } from '../store/post-state.js';
import { postsApi } from '../store/posts-api.js';
import { type AccountRow, accounts, type PostTargetRow, targets as targetSql } from '../store/sql.js';
import { clientForAccount } from '../worker/account-client.js';
import { changedMeanwhile, isHeld, lockPostForChange } from './lock-post.js';
import type { PostView } from './schemas.js';
import { WAITING_STATES } from './target-plan.js';
import { loadPostView } from './views.js';

type CancelDeps = Pick<RouteDeps, 'db' | 'box' | 'clock' | 'x'>;

/**
 * DELETE /api/posts/:id: cancel what has not been published, and delete on X what has.
 *
 * 1. In one transaction, with the post and its targets locked: refused with 409 `post_publishing`
 *    while a worker holds a target (a `POST /2/tweets` may be in flight; cancelling then could leave a
 *    post on X we no longer track). Otherwise every waiting target → `cancelled` (its waiting job may
 *    stay: a claim ignores cancelled targets) and the post's state is recomputed.
 * 2. Then, outside any transaction (X is slow): every X post of the post's targets (a published
 *    thread, or the part of a thread posted before a failure or a cancel) is deleted on X, last item
 *    first, and `x_deleted_at` recorded per target. A post already gone on X counts as deleted.
 *    A failure leaves the rest for the next DELETE (which is safe to repeat) and answers an error
 *    that says so.
 */
export async function cancelPost(deps: CancelDeps, id: string): Promise<PostView> {
  const leftOnX = await deps.db.transaction(async (tx) => {
    const { targets } = await lockPostForChange(tx, id);
    if (targets.some(isHeld)) {
      throw new ServiceError(
        409,
        'post_publishing',
        'the post is being published right now and cannot be cancelled mid-flight; try again in a few seconds (a published post is then deleted on X)',
      );
    }
    const now = deps.clock();
    const after: PostTargetRow[] = [];
    for (const target of targets) {
      if (!WAITING_STATES.includes(target.state)) {
        after.push(target);
        continue;
      }
      const moved = await tx.query<PostTargetRow>(
        targetSql.update({
          id: target.id,
          version: target.version,
          from: target.state,
          to: 'cancelled',
          now,
        }),
      );
      if (!moved.rows[0]) throw changedMeanwhile();
      after.push(moved.rows[0]);
    }
    await recomputePostState(tx, id);
    return after.filter((t) => t.x_post_ids.length > 0 && t.x_deleted_at === null);
  });

  let failure: unknown;
  for (const target of leftOnX) {
    try {
      await deleteOnX(deps, target);
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
  return (await loadPostView(deps.db, id))!;
}

async function deleteOnX(deps: CancelDeps, target: PostTargetRow): Promise<void> {
  const account = (await deps.db.query<AccountRow>(accounts.get(target.account_id))).rows[0];
  const pending = `its ${target.x_post_ids.length} post(s) on X are still there`;
  if (!account) {
    throw new ServiceError(
      409,
      'account_removed',
      `the post is cancelled, but ${pending}: its account was removed from xpost, so xpost cannot delete them (connect the account again, then DELETE again)`,
    );
  }
  if (account.needs_reconnect) {
    throw new ServiceError(
      409,
      'account_needs_reconnect',
      `the post is cancelled, but ${pending}: @${account.username} must be connected again (GET /connect/x), then DELETE again`,
    );
  }
  // A route must not sleep through a rate limit: it answers and the client retries.
  const client = clientForAccount(
    { db: deps.db, box: deps.box, clock: { now: deps.clock }, x: deps.x },
    account,
    { onRateLimit: 'throw' },
  );
  // Last item first: a thread's replies go before the post they reply to.
  for (const xPostId of [...target.x_post_ids].reverse()) {
    try {
      await client.posts.delete(xPostId);
    } catch (error) {
      if (error instanceof XApiError && error.status === 404) continue; // already gone on X
      throw xDeleteError(error, account, pending);
    }
  }
  await deps.db.query(postsApi.markDeletedOnX(target.id, deps.clock()));
}

function xDeleteError(error: unknown, account: AccountRow, pending: string): unknown {
  const retry = 'DELETE again to finish (it is safe to repeat)';
  if (error instanceof XRateLimitError) {
    const until = error.resetAt === undefined ? '' : ` until ${new Date(error.resetAt).toISOString()}`;
    return new ServiceError(
      503,
      'x_rate_limited',
      `X's limit for deleting posts of @${account.username} is spent${until}; ${pending}. ${retry} after that`,
      { cause: error },
    );
  }
  if (
    error instanceof XNetworkError ||
    error instanceof XTimeoutError ||
    error instanceof XUnknownOutcomeError ||
    (error instanceof XApiError && (error.status ?? 0) >= 500)
  ) {
    return new ServiceError(
      503,
      'x_unavailable',
      `X did not answer the deletion (${error.message}); ${pending}. ${retry}`,
      {
        cause: error,
      },
    );
  }
  if (error instanceof XForbiddenError || error instanceof XAuthError || error instanceof XApiError) {
    const words = error.detail ?? error.message;
    return new ServiceError(
      409,
      'x_delete_refused',
      `X refused to delete a post of @${account.username}: "${words}"; ${pending}`,
      {
        cause: error,
      },
    );
  }
  return error;
}
