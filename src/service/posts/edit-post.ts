import type { RouteDeps } from '../deps.js';
import { ServiceError, validationError } from '../errors.js';
import { recomputePostState } from '../store/post-state.js';
import type { PostRow } from '../store/posts-api.js';
import { postsApi } from '../store/posts-api.js';
import type { AccountRow, PostTargetRow } from '../store/sql.js';
import { checkMedia, holdMedia } from './create-post.js';
import { changedMeanwhile, isHeld, lockPostForChange } from './lock-post.js';
import { type ItemInput, lengthLimitOf, planContent, storeRequest } from './normalize.js';
import type { PatchPostBody, PostView } from './schemas.js';
import { readStoredRequest, type StoredXOptions } from './stored-request.js';
import { planTarget, WAITING_STATES } from './target-plan.js';
import { checkScheduledAt, type Problems, type XOptionsInput } from './validate-fields.js';
import { type MediaRef, parseMediaEntries, storedMediaRefs } from './validate-media.js';
import { loadPostView } from './views.js';

/**
 * PATCH /api/posts/:id: edit or reschedule a post before it is published. Fields left out keep their
 * value; `media` and `thread` replace the first post's media and the rest of the thread; an `x` field
 * set to `null` is removed; `post.scheduled_at: null` removes the schedule (publish now, unless the
 * post is a draft). The merged request is checked like a new one (one 422 listing every problem),
 * except that a schedule already stored and now past is not an error: it means now.
 *
 * Allowed only while every target waits (draft, scheduled, queued) and no worker holds it, else 409
 * `post_not_editable`. Everything happens in one transaction: the post and its targets locked, the
 * new request stored, the targets moved (draft ↔ scheduled ↔ queued, with version checks) and their
 * jobs rescheduled.
 */
export async function editPost(
  deps: Pick<RouteDeps, 'db' | 'clock' | 'queue'>,
  id: string,
  patch: PatchPostBody,
  apiKeyId: string | null,
): Promise<PostView> {
  return deps.db.transaction(async (tx) => {
    const { post, targets } = await lockPostForChange(tx, id);
    assertEditable(targets);
    const now = deps.clock();
    const problems: Problems = [];

    const p = patch.post ?? {};
    const draft = p.draft ?? post.draft;
    let scheduledAt: Date | null = post.scheduled_at;
    if (p.scheduled_at === null) scheduledAt = null;
    else if (p.scheduled_at !== undefined) {
      scheduledAt = checkScheduledAt(p.scheduled_at, now, 'post.scheduled_at', problems) ?? null;
    }

    const content = mergeContent(post, patch, problems);
    await checkMedia(tx, content.media, content.thread, problems);
    const accounts = (await tx.query<AccountRow>(postsApi.accountsByIds(targets.map((t) => t.account_id))))
      .rows;
    const planned = planContent(content, lengthLimitOf(accounts), problems);
    if (problems.length > 0) throw validationError(problems);

    const plan = planTarget({ draft, scheduledAt }, now);
    if (plan.state === 'draft' && targets.some((t) => t.state === 'queued')) {
      throw new ServiceError(
        409,
        'post_not_editable',
        'the post is already queued for publishing and can no longer become a draft; cancel it with DELETE /api/posts/:id instead',
      );
    }

    const request = await storeRequest(tx, planned, apiKeyId);
    await holdMedia(tx, request);
    await tx.query(
      postsApi.updatePost({ id, body: request.items[0]!.body, request, scheduledAt, draft, now }),
    );
    const mediaPending = request.items.some((item) => item.media.length > 0);
    for (const target of targets) {
      // A queued target keeps its run_at (it may be waiting for a retry or a rate limit's reset).
      const runAt = target.state === 'queued' && plan.state === 'queued' ? target.run_at : plan.runAt;
      const moved = await tx.query<PostTargetRow>(
        postsApi.moveUnheld({
          id: target.id,
          version: target.version,
          from: target.state,
          to: plan.state,
          runAt,
          now,
          mediaPending,
        }),
      );
      if (moved.rowCount === 0) throw changedMeanwhile();
      // Always: a job that fired while the rows were locked found nothing to claim and is gone.
      if (plan.state !== 'draft') await deps.queue?.reschedulePublish({ targetId: target.id, runAt }, { tx });
    }
    await recomputePostState(tx, id);
    return (await loadPostView(tx, id))!;
  });
}

function assertEditable(targets: readonly PostTargetRow[]): void {
  const blocking = targets.filter((t) => !WAITING_STATES.includes(t.state) || isHeld(t));
  if (blocking.length === 0) return;
  const states = [...new Set(blocking.map((t) => t.state))].join(', ');
  throw new ServiceError(
    409,
    'post_not_editable',
    `the post can no longer be edited: it is ${states} on ${blocking.length} of its ${targets.length} account(s). Edits are possible only before publishing starts; DELETE cancels what has not started (and deletes published posts on X)`,
  );
}

/**
 * The content after the patch. A thread that an earlier `auto_thread` split produced is kept as it is
 * when the body is unchanged, and dropped (split anew) when the body changes.
 */
function mergeContent(
  post: PostRow,
  patch: PatchPostBody,
  problems: Problems,
): {
  body: string;
  media: MediaRef[];
  thread: ItemInput[];
  threadGenerated: boolean;
  x: XOptionsInput;
} {
  const stored = readStoredRequest(post);
  const first = stored.items[0] ?? { body: post.body, media: [] };
  const rest = stored.items.slice(1);
  const x = mergeX(stored.x, patch.x);
  const bodyGiven = patch.post?.body !== undefined;
  const body = patch.post?.body ?? first.body;
  const media =
    patch.media !== undefined
      ? parseMediaEntries(patch.media, 'media', problems)
      : storedMediaRefs(first.media, 'media');
  const keptRest = (): ItemInput[] =>
    rest.map((item, i) => ({ body: item.body, media: storedMediaRefs(item.media, `thread[${i}].media`) }));

  if (patch.thread !== undefined) {
    const thread = patch.thread.map((item, i) => ({
      body: item.body ?? '',
      media: parseMediaEntries(item.media ?? [], `thread[${i}].media`, problems),
    }));
    return { body, media, thread, threadGenerated: false, x };
  }
  if (stored.x.auto_thread === true) {
    return bodyGiven
      ? { body, media, thread: [], threadGenerated: false, x }
      : { body, media, thread: keptRest(), threadGenerated: true, x };
  }
  return { body, media, thread: keptRest(), threadGenerated: false, x };
}

function mergeX(stored: StoredXOptions, patch: PatchPostBody['x']): XOptionsInput {
  const merged: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return merged as XOptionsInput;
}
