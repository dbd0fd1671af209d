import type { RouteDeps } from '../deps.js';
import { ServiceError } from '../errors.js';
import { recomputePostState } from '../store/post-state.js';
import { postsApi } from '../store/posts-api.js';
import { type PostTargetRow, targets as targetSql } from '../store/sql.js';
import { changedMeanwhile, isHeld, lockPostForChange } from './lock-post.js';
import type { PostView } from './schemas.js';
import { WAITING_STATES } from './target-plan.js';
import { loadPostView } from './views.js';

/**
 * POST /api/posts/:id/publish: a draft, a scheduled post, or one queued for later (a retry, a rate
 * limit) goes out now: every waiting target → `queued` at now, its job rescheduled, the post no longer
 * a draft and its `scheduled_at` now. Targets already final are left as they are. Refused (409) while a
 * worker holds a target (`post_publishing`), or when nothing waits (`post_already_published`,
 * `post_finished`).
 */
export async function publishNow(
  deps: Pick<RouteDeps, 'db' | 'clock' | 'queue'>,
  id: string,
): Promise<PostView> {
  return deps.db.transaction(async (tx) => {
    const { targets } = await lockPostForChange(tx, id);
    if (targets.some(isHeld)) {
      throw new ServiceError(
        409,
        'post_publishing',
        'the post is being published right now; GET it in a moment to see the result',
      );
    }
    const waiting = targets.filter((t) => WAITING_STATES.includes(t.state));
    if (waiting.length === 0) {
      const published = targets.some((t) => t.state === 'published');
      throw new ServiceError(
        409,
        published ? 'post_already_published' : 'post_finished',
        published
          ? 'the post is already published; there is nothing left to publish'
          : `the post is ${[...new Set(targets.map((t) => t.state))].join(', ')}; a finished post cannot be published again (create a new one)`,
      );
    }
    const now = deps.clock();
    for (const target of waiting) {
      // `targets.update` moves draft/scheduled → queued; a queued target only moves to now.
      const query =
        target.state === 'queued'
          ? postsApi.moveUnheld({
              id: target.id,
              version: target.version,
              from: 'queued',
              to: 'queued',
              runAt: now,
              now,
            })
          : targetSql.update({
              id: target.id,
              version: target.version,
              from: target.state,
              to: 'queued',
              runAt: now,
              now,
            });
      const moved = await tx.query<PostTargetRow>(query);
      if (moved.rowCount === 0) throw changedMeanwhile();
      await deps.queue?.reschedulePublish({ targetId: target.id, runAt: now }, { tx });
    }
    // Due now: `scheduled_at` says when it was due (the publish latency is measured from it).
    await tx.query(postsApi.setSchedule({ id, scheduledAt: now, draft: false, now }));
    await recomputePostState(tx, id);
    return (await loadPostView(tx, id))!;
  });
}
