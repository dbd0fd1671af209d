import type { Queryable } from '../db/types.js';
import type { RouteDeps } from '../deps.js';
import { validationError } from '../errors.js';
import { derivePostState } from '../states.js';
import { type PostRow, postsApi } from '../store/posts-api.js';
import { type AccountRow, type PostTargetRow, posts, targets } from '../store/sql.js';
import {
  type ItemInput,
  lengthLimitOf,
  type PlannedContent,
  planContent,
  storeRequest,
} from './normalize.js';
import { resolveAccounts, type Unreachable } from './resolve-accounts.js';
import type { CreatePostBody, PostView } from './schemas.js';
import { type StoredPostRequest, storedMediaIds } from './stored-request.js';
import { planTarget } from './target-plan.js';
import { checkScheduledAt, type Problems } from './validate-fields.js';
import { checkMediaRows, loadMediaInfo, type MediaRef, parseMediaEntries } from './validate-media.js';
import { loadPostView } from './views.js';

/** A create request that passed every check, ready to store. */
export interface ValidCreate {
  accounts: AccountRow[];
  content: PlannedContent;
  scheduledAt: Date | null;
  draft: boolean;
}

/**
 * Checks everything about a new post that can be known before publishing, and throws ONE 422 listing
 * every problem by field: accounts, schedule, lengths against the accounts' smallest limit, media,
 * poll, X options. Reads the database (accounts, uploaded media) but writes nothing.
 */
export async function validateCreate(
  q: Queryable,
  body: CreatePostBody,
  now: Date,
  unreachable?: Unreachable,
): Promise<ValidCreate> {
  const problems: Problems = [];
  const scheduledAt =
    body.post.scheduled_at === undefined
      ? null
      : (checkScheduledAt(body.post.scheduled_at, now, 'post.scheduled_at', problems) ?? null);
  const accounts = await resolveAccounts(q, body, problems, unreachable);
  const media = parseMediaEntries(body.media ?? [], 'media', problems);
  const thread: ItemInput[] = (body.thread ?? []).map((item, i) => ({
    body: item.body ?? '',
    media: parseMediaEntries(item.media ?? [], `thread[${i}].media`, problems),
  }));
  await checkMedia(q, media, thread, problems);
  const content = planContent(
    { body: body.post.body ?? '', media, thread, threadGenerated: false, x: body.x ?? {} },
    lengthLimitOf(accounts),
    problems,
  );
  if (problems.length > 0) throw validationError(problems);
  return { accounts, content, scheduledAt, draft: body.post.draft ?? false };
}

/**
 * Inside the storing transaction: locks the media the request names against deletion (the retention
 * purge, `DELETE /api/media/:id`) and refuses the post if one went away since it was validated.
 */
export async function holdMedia(tx: Queryable, request: StoredPostRequest): Promise<void> {
  const ids = storedMediaIds(request);
  if (ids.length === 0) return;
  const { rows } = await tx.query<{ id: string }>(postsApi.holdMedia(ids));
  const present = new Set(rows.map((r) => r.id.toLowerCase()));
  const gone = ids.filter((id) => !present.has(id.toLowerCase()));
  if (gone.length > 0) {
    throw validationError(
      gone.map((id) => ({
        field: 'media',
        code: 'unknown_media',
        message: `media ${id} was deleted while this post was being stored; upload it again (POST /api/media)`,
      })),
    );
  }
}

/** Media named by id must exist and be ready; a video or a GIF alone (validate-media.ts). */
export async function checkMedia(
  q: Queryable,
  media: MediaRef[],
  thread: ItemInput[],
  problems: Problems,
): Promise<void> {
  const rows = await loadMediaInfo(q, [...media, ...thread.flatMap((item) => item.media)]);
  checkMediaRows(
    [
      { mediaField: 'media', media },
      ...thread.map((item, i) => ({ mediaField: `thread[${i}].media`, media: item.media })),
    ],
    rows,
    problems,
  );
}

export interface StoreOptions {
  apiKeyId: string | null;
  idempotencyKey?: string;
  requestHash?: string;
  /** Called in the transaction with the answer, before it commits (the idempotency key's response). */
  complete?: (tx: Queryable, status: number, body: unknown) => Promise<void>;
}

/**
 * Stores a valid post in ONE transaction: media rows for URLs, the post with its normalised request,
 * one target per account (`draft`, `scheduled` at `scheduled_at`, or `queued` now) and, for those to
 * publish, their pg-boss job, which exists only if the post does. Returns the post view.
 */
export async function storePost(
  deps: Pick<RouteDeps, 'db' | 'clock' | 'queue'>,
  valid: ValidCreate,
  options: StoreOptions,
): Promise<PostView> {
  const now = deps.clock();
  return deps.db.transaction(async (tx) => {
    const request = await storeRequest(tx, valid.content, options.apiKeyId);
    await holdMedia(tx, request);
    const plan = planTarget({ draft: valid.draft, scheduledAt: valid.scheduledAt }, now);
    const { rows } = await tx.query<PostRow>(
      posts.insert({
        apiKeyId: options.apiKeyId,
        body: request.items[0]!.body,
        scheduledAt: valid.scheduledAt,
        draft: valid.draft,
        state: derivePostState(valid.accounts.map(() => plan.state)),
        request,
        idempotencyKey: options.idempotencyKey ?? null,
        requestHash: options.requestHash ?? null,
      }),
    );
    const post = rows[0]!;
    const mediaPending = request.items.some((item) => item.media.length > 0);
    for (const account of valid.accounts) {
      const target = await tx.query<PostTargetRow>(
        targets.insert({
          postId: post.id,
          accountId: account.id,
          state: plan.state,
          runAt: plan.runAt,
          mediaPending,
        }),
      );
      if (plan.state !== 'draft') {
        await deps.queue?.schedulePublish({ targetId: target.rows[0]!.id, runAt: plan.runAt }, { tx });
      }
    }
    const view = (await loadPostView(tx, post.id))!;
    await options.complete?.(tx, 201, view);
    return view;
  });
}
