import {
  type CreatePostParams,
  TOKEN_ERROR_CODES,
  XApiError,
  XAuthError,
  type XClient,
  XForbiddenError,
  XNetworkError,
  XRateLimitError,
  XTimeoutError,
  XUnknownOutcomeError,
  XValidationError,
} from '../../x/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { SecretBoxError } from '../crypto/secret-box-error.js';
import { one } from '../db/one.js';
import type { Db, Queryable } from '../db/types.js';
import type { PostEventSink } from '../events.js';
import type { MediaSettings } from '../media/prepare-media.js';
import { observePublishLatency } from '../metrics/counters.js';
import { readStoredRequest, type StoredMedia, type StoredXOptions } from '../posts/stored-request.js';
import type { PostTargetState } from '../states.js';
import { type MediaUploadRow, mediaUploads } from '../store/media-api.js';
import { recomputePostState } from '../store/post-state.js';
import {
  type AccountRow,
  accounts,
  attempts,
  type ClaimedTargetRow,
  type PostTargetRow,
  type PublishAttemptRow,
  posts,
  rateLimits,
  targets,
} from '../store/sql.js';
import { XAccessUnavailableError } from '../x-access.js';
import { clientForAccount, workerClientOptions, type XAccess } from './account-client.js';
import { pacingWait, RESET_MARGIN_MS } from './pacing.js';

export type { XAccess } from './account-client.js';

export const TWEETS_ENDPOINT = 'POST /2/tweets';
/** How long a claim holds a target; extended before each item of a thread. */
export const DEFAULT_LEASE_MS = 5 * 60_000;
/** Attempts (`post_targets.attempts`) after which a retryable failure fails for good. */
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_BACKOFF_BASE_MS = 30_000;
export const DEFAULT_BACKOFF_MAX_MS = 60 * 60_000;
/** Reconciliation looks this far before the attempt started: our clock and X's may disagree. */
const RECONCILE_SKEW_MS = 60_000;

export interface PublishDeps {
  db: Db;
  box: SecretBox;
  clock: { now(): Date };
  workerId: string;
  /** How to reach X for an account (the worker forces `onRateLimit: 'throw'`). */
  x: (account: AccountRow) => XAccess;
  /** Told of every publish, failure and retry, inside the transaction that records it (webhooks). */
  events?: PostEventSink;
  /**
   * Where media live and how URLs are fetched (`mediaSettingsFromConfig(config)`). Without it, a
   * post whose media must still be fetched from a URL fails with `media_settings_missing`.
   */
  media?: MediaSettings;
  leaseMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export type PublishResult =
  | { outcome: 'not-claimed' }
  /** Someone else holds the target now (our lease ran out): we stopped without sending. */
  | { outcome: 'lost' }
  /**
   * The target is held in `uploading` by this worker: media to upload first (`uploadTarget`, then
   * `publishHeldTarget`). From a fresh claim with media pending, or because an X media id expired.
   */
  | { outcome: 'needs-upload' }
  | { outcome: 'published'; xPostIds: string[] }
  | { outcome: 'requeued'; runAt: Date; code: string }
  | { outcome: 'failed'; code: string; detail: string | null };

/** One item of the thread to post. */
export interface PublishItem {
  text: string;
  /** `xpost.media` ids with their alt text, in order; their X media ids are in `media_uploads`. */
  media: StoredMedia[];
}

/** What the first item carries besides text and media (the post's `x` options). */
export type FirstItemOptions = Pick<StoredXOptions, 'quote' | 'poll' | 'reply_settings'>;

/**
 * The items of a post's normalised request: `items` (or `thread`) of `{ body, media }`, else the
 * post's body; the first item replies to `x.reply_to` when given and carries the quote, the poll
 * and who may reply.
 */
export function requestItems(post: { body: string; request: unknown }): {
  items: PublishItem[];
  replyTo?: string;
  first: FirstItemOptions;
} {
  const request = readStoredRequest(post);
  const items = request.items.map((item) => ({ text: item.body, media: item.media }));
  const { reply_to: replyTo, quote, poll, reply_settings } = request.x;
  const first: FirstItemOptions = {
    ...(quote ? { quote } : {}),
    ...(poll ? { poll } : {}),
    ...(reply_settings ? { reply_settings } : {}),
  };
  return replyTo ? { items, replyTo, first } : { items, first };
}

/** A target this worker holds, and the state it holds it in (what a move starts from). */
export interface HeldTarget {
  deps: PublishDeps;
  target: PostTargetRow;
  from: PostTargetState;
}

interface Ctx extends HeldTarget {
  target: ClaimedTargetRow;
  account: AccountRow;
  client: XClient;
  items: PublishItem[];
  replyTo: string | undefined;
  first: FirstItemOptions;
}

/** The target is no longer ours (our lease ran out and another worker has it): stop, send nothing. */
export class Lost extends Error {}

/** A failure a later run may fix (network, 5xx, an unknown outcome that did not land). */
export class Retryable extends Error {
  constructor(
    readonly code: string,
    readonly detail: string | null,
  ) {
    super(`${code}: ${detail ?? ''}`);
  }
}

/**
 * The publish step, what a pg-boss publish job runs: publishes one target (one post on one account),
 * each thread item exactly once (DESIGN "Publishing is exactly-once by design"):
 * - every `POST /2/tweets` is committed as an attempt before it is sent;
 * - an attempt left open (a crashed worker, an unknown outcome) is reconciled with the account's
 *   recent posts on X before anything is sent again; a duplicate-content 403 for an item already
 *   attempted is reconciled too;
 * - a rate limit requeues the target at the reset, network errors and 5xx with backoff (up to
 *   `maxAttempts`), other refusals fail it with X's detail and our reason code;
 * - each item carries its media as the X media ids `media_uploads` holds for this account; when one
 *   is missing or expired the target goes back to `uploading` (`needs-upload`) instead of posting,
 *   and a claim with media pending answers `needs-upload` at once: the upload step (upload.ts) runs,
 *   then `publishHeldTarget` (publish-job.ts does both in one job). Item 0 also carries the quote,
 *   the poll and who may reply.
 * Errors that are not X's (the database) are thrown: the job is retried, and the lease it held runs
 * out, after which the next claim reconciles.
 */
export async function publishTarget(deps: PublishDeps, targetId: string): Promise<PublishResult> {
  const { db, workerId } = deps;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const now = deps.clock.now();
  const target = await one<ClaimedTargetRow>(
    db,
    targets.claim({ workerId, now, leaseUntil: new Date(now.getTime() + leaseMs), targetId }),
  );
  if (!target) return { outcome: 'not-claimed' };
  if (target.state !== 'publishing') return { outcome: 'needs-upload' };
  return publishClaimed(deps, target);
}

/**
 * The publish step for a target this worker already holds in `publishing`: after `uploadTarget`
 * moved it there, in the same job. Not held by us (any more): `lost`.
 */
export async function publishHeldTarget(deps: PublishDeps, targetId: string): Promise<PublishResult> {
  const held = await one<PostTargetRow>(deps.db, targets.get(targetId));
  if (!held || held.locked_by !== deps.workerId || held.state !== 'publishing') return { outcome: 'lost' };
  return publishClaimed(deps, { ...held, previous_state: 'uploading' });
}

async function publishClaimed(deps: PublishDeps, target: ClaimedTargetRow): Promise<PublishResult> {
  const { db } = deps;
  await db.transaction((tx) => recomputePostState(tx, target.post_id));

  const post = await one<{ body: string; request: unknown }>(db, posts.get(target.post_id));
  const account = await one<AccountRow>(db, accounts.get(target.account_id));
  if (!post) throw new Error(`post ${target.post_id} of target ${target.id} is gone`);
  const held: HeldTarget = { deps, target, from: 'publishing' };
  if (!account || account.needs_reconnect) {
    return fail(held, 'account_needs_reconnect', account?.reconnect_reason ?? 'the account was removed');
  }
  const { items, replyTo, first } = requestItems(post);
  try {
    // Building the client may already fail (an account this process cannot reach): settled below too.
    return await run({ ...held, target, account, client: buildClient(deps, account), items, replyTo, first });
  } catch (error) {
    return settleError(held, error);
  }
}

function buildClient(deps: PublishDeps, account: AccountRow): XClient {
  return clientForAccount(deps, account, workerClientOptions(deps.leaseMs ?? DEFAULT_LEASE_MS));
}

async function run(ctx: Ctx): Promise<PublishResult> {
  const { deps, target } = ctx;
  const { db, workerId } = deps;
  const open = await one<PublishAttemptRow>(db, attempts.open(target.id));
  // A crashed worker's attempt, or an unknown outcome: find out before sending anything.
  if (open) await reconcile(ctx, open);

  for (;;) {
    const now = deps.clock.now();
    const held = await one<PostTargetRow>(
      db,
      targets.extendLease({
        id: target.id,
        workerId,
        leaseUntil: new Date(now.getTime() + (deps.leaseMs ?? DEFAULT_LEASE_MS)),
      }),
    );
    if (held?.state !== 'publishing') throw new Lost();
    const index = held.next_item;
    if (index >= ctx.items.length) return publish(ctx, held);

    // Pacing: a window known to be spent (the account's, its daily cap, the app's daily cap) waits
    // for its reset without calling X.
    const wait = await pacingWait(db, target.account_id, TWEETS_ENDPOINT, now);
    if (wait) {
      return requeue(ctx, wait, 'rate_limited', 'the rate limit for POST /2/tweets is spent until its reset');
    }

    const item = ctx.items[index]!;
    const text = item.text;
    const inReplyTo = index === 0 ? ctx.replyTo : held.x_post_ids[index - 1];
    // The item's media must have live X media ids for this account; else upload them (again) first.
    const mediaIds = await xMediaIdsFor(ctx, item, now);
    if (mediaIds === undefined) return backToUpload(ctx);
    let attempt: PublishAttemptRow | undefined;
    try {
      attempt = await one<PublishAttemptRow>(
        db,
        attempts.record({ targetId: target.id, workerId, itemIndex: index, text, now }),
      );
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      // Another attempt is open (publish_attempts_one_open): reconcile it, then look again.
      const stillOpen = await one<PublishAttemptRow>(db, attempts.open(target.id));
      if (stillOpen) await reconcile(ctx, stillOpen);
      continue;
    }
    if (!attempt) throw new Lost();

    let id: string;
    try {
      const created = await ctx.client.posts.create(createParams(ctx, index, text, inReplyTo, mediaIds));
      id = created.id;
    } catch (error) {
      if (error instanceof XUnknownOutcomeError) {
        await finish(ctx, attempt, 'unknown', { error: codeOf(error) });
        const found = await reconcile(ctx, { ...attempt, outcome: 'unknown' });
        if (found) continue;
        throw new Retryable('x_outcome_unknown', error.message);
      }
      if (error instanceof XForbiddenError && error.reason === 'duplicate-content') {
        const earlier = (await db.query<PublishAttemptRow>(attempts.ofTarget(target.id))).rows.filter(
          (a) => a.item_index === index && a.id !== attempt!.id,
        );
        if (earlier.length > 0) {
          // X has this text already and we sent it before: evidence that it landed.
          const post = await findOnX(ctx, text, inReplyTo, earlier[0]!.started_at);
          if (post) {
            await finish(ctx, attempt, 'reconciled', { xPostId: post });
            continue;
          }
        }
      }
      await finish(ctx, attempt, 'failed', { error: codeOf(error) });
      throw error;
    }
    await finish(ctx, attempt, 'sent', { xPostId: id });
  }
}

/**
 * The X media ids of an item's media for this account, in order (`[]` for none), or undefined when
 * one is missing or expired (`expires_at` ≤ now): the target must go back to uploading.
 */
async function xMediaIdsFor(ctx: Ctx, item: PublishItem, now: Date): Promise<string[] | undefined> {
  if (item.media.length === 0) return [];
  const { rows } = await ctx.deps.db.query<MediaUploadRow>(
    mediaUploads.forAccount(
      ctx.target.account_id,
      item.media.map((m) => m.id),
    ),
  );
  const byMedia = new Map(rows.map((r) => [r.media_id, r]));
  const ids: string[] = [];
  for (const m of item.media) {
    const upload = byMedia.get(m.id);
    if (!upload || (upload.expires_at !== null && upload.expires_at.getTime() <= now.getTime()))
      return undefined;
    ids.push(upload.x_media_id);
  }
  return ids;
}

/** `publishing → uploading` (media pending): the upload step runs next, in this job or the next claim's. */
async function backToUpload(ctx: Ctx): Promise<PublishResult> {
  const moved = await move(ctx, 'uploading', { mediaPending: true });
  return moved ? { outcome: 'needs-upload' } : { outcome: 'lost' };
}

/** `POST /2/tweets` params of item `index`: text, media, the reply chain, and item 0's options. */
function createParams(
  ctx: Ctx,
  index: number,
  text: string,
  inReplyTo: string | undefined,
  mediaIds: string[],
): CreatePostParams {
  const params: CreatePostParams = {};
  // A post of media only has no text (X takes `media` instead of `text`).
  if (text !== '' || mediaIds.length === 0) params.text = text;
  if (mediaIds.length > 0) params.mediaIds = mediaIds;
  if (inReplyTo) params.reply = { inReplyTo };
  if (index === 0) {
    const { quote, poll, reply_settings } = ctx.first;
    if (quote) params.quote = quote;
    if (poll) params.poll = { options: [...poll.options], durationMinutes: poll.duration_minutes };
    if (reply_settings) params.replySettings = reply_settings;
  }
  return params;
}

/**
 * Settles an open attempt against X: the post found among the account's recent posts → `reconciled`
 * (the thread advances); not found → `failed` (it never landed; safe to send again). Returns whether
 * it was found.
 */
async function reconcile(ctx: Ctx, open: PublishAttemptRow): Promise<boolean> {
  const held = await one<PostTargetRow>(ctx.deps.db, targets.get(ctx.target.id));
  if (!held || held.locked_by !== ctx.deps.workerId) throw new Lost();
  const inReplyTo = open.item_index === 0 ? ctx.replyTo : held.x_post_ids[open.item_index - 1];
  const found = await findOnX(ctx, open.text_sent, inReplyTo, open.started_at);
  if (found) {
    await finish(ctx, open, 'reconciled', { xPostId: found });
    return true;
  }
  await finish(ctx, open, 'failed', {
    error: {
      code: 'not_landed',
      detail: 'reconciled: the post is not among the account’s recent posts on X',
    },
  });
  return false;
}

async function findOnX(
  ctx: Ctx,
  text: string,
  inReplyTo: string | undefined,
  since: Date,
): Promise<string | undefined> {
  const post = await ctx.client.posts.findRecent({
    text,
    authorId: ctx.account.x_user_id,
    since: new Date(since.getTime() - RECONCILE_SKEW_MS),
    ...(inReplyTo === undefined ? {} : { inReplyTo }),
  });
  return post?.id;
}

async function finish(
  ctx: Ctx,
  attempt: PublishAttemptRow,
  outcome: 'sent' | 'failed' | 'unknown' | 'reconciled',
  extra: { xPostId?: string; error?: { code: string; detail?: string | null } },
): Promise<void> {
  const row = await one<{ advanced: boolean }>(
    ctx.deps.db,
    attempts.finish({
      attemptId: attempt.id,
      workerId: ctx.deps.workerId,
      outcome,
      now: ctx.deps.clock.now(),
      xPostId: extra.xPostId ?? null,
      error: extra.error ?? null,
    }),
  );
  if (!row) throw new Lost();
  if ((outcome === 'sent' || outcome === 'reconciled') && !row.advanced) throw new Lost();
}

function codeOf(error: unknown): { code: string; detail: string | null } {
  if (error instanceof XForbiddenError)
    return { code: error.reason.replaceAll('-', '_'), detail: detailOf(error) };
  if (error instanceof XRateLimitError) return { code: 'rate_limited', detail: detailOf(error) };
  if (error instanceof XUnknownOutcomeError) return { code: 'x_outcome_unknown', detail: error.message };
  if (error instanceof XValidationError) return { code: 'invalid_post', detail: error.message };
  if (error instanceof XAuthError) return { code: error.code ?? 'unauthorized', detail: detailOf(error) };
  if (error instanceof XNetworkError || error instanceof XTimeoutError)
    return { code: 'network_error', detail: error.message };
  if (error instanceof XApiError) {
    const status = error.status ?? 0;
    return { code: status >= 500 ? 'x_unavailable' : `x_rejected_${status}`, detail: detailOf(error) };
  }
  return { code: 'internal_error', detail: error instanceof Error ? error.message : String(error) };
}

function detailOf(error: XApiError | XForbiddenError | XAuthError | XRateLimitError): string {
  return error.detail ?? error.message;
}

/**
 * What an error of X (or of our own bookkeeping) does to a held target: a rate limit requeues it at
 * the reset, network errors and 5xx with backoff until `maxAttempts`, a refused refresh token marks
 * the account, other refusals fail it with X's detail and our reason code. Anything else is thrown.
 * Shared by the publish and upload steps.
 */
/** A SecretBoxError thrown here or wrapped (as a cause) by the SDK's auth. */
function secretBoxErrorIn(error: unknown): SecretBoxError | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof SecretBoxError) return e;
  }
  return undefined;
}

export async function settleError(ctx: HeldTarget, error: unknown): Promise<PublishResult> {
  if (error instanceof Lost) return { outcome: 'lost' };
  const { deps, target } = ctx;
  const now = deps.clock.now();
  if (error instanceof XAccessUnavailableError) {
    // This process cannot reach the account's X (a sandbox account without the sandbox, or the
    // reverse): no retry here can fix that, so fail now with the reason.
    return fail(ctx, error.code, error.message);
  }
  const sealed = secretBoxErrorIn(error);
  if (sealed) {
    // No retry can fix a key this process does not have: fail now and say which setting to check.
    return fail(
      ctx,
      'secret_key_mismatch',
      `the account's stored credentials cannot be decrypted by this worker (${sealed.code}): every ` +
        'process must run with the same XPOST_SECRET_KEY, and keys rotated out go in XPOST_SECRET_KEY_OLD',
    );
  }
  if (error instanceof XRateLimitError) {
    const resetAt = new Date(error.resetAt ?? now.getTime() + 15 * 60_000);
    await deps.db.query(
      rateLimits.upsert({
        subject: target.account_id,
        // The 429 may come from reconciliation's read (GET /2/users/:id/tweets), not the post.
        endpoint: error.endpoint ?? TWEETS_ENDPOINT,
        limit: error.rateLimit?.window?.limit ?? null,
        remaining: 0,
        resetAt,
        observedAt: now,
      }),
    );
    // Not before the reset (a reset already past, as a 429 read late can name: at once), plus the
    // margin pacing keeps, so the next try does not land in X's last second of the window.
    const runAt = new Date(Math.max(resetAt.getTime(), now.getTime()) + RESET_MARGIN_MS);
    return requeue(ctx, runAt, 'rate_limited', detailOf(error));
  }
  let retryable: { code: string; detail: string | null } | undefined;
  if (error instanceof Retryable) retryable = { code: error.code, detail: error.detail };
  else if (error instanceof XNetworkError || error instanceof XTimeoutError) retryable = codeOf(error);
  else if (error instanceof XApiError && (error.status ?? 0) >= 500) retryable = codeOf(error);
  if (retryable) {
    // Measured by the failed runs, not by `attempts`: a thread's successful items are attempts too,
    // and counting them gave a long thread no retry at all and ever longer backoffs.
    const counted = await one<{ failures: number }>(
      deps.db,
      targets.countFailure({ id: target.id, workerId: deps.workerId, from: ctx.from, now }),
    );
    if (!counted) return { outcome: 'lost' };
    const failures = counted.failures;
    const max = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (failures >= max)
      return fail(
        ctx,
        retryable.code,
        `${retryable.detail ?? ''} (gave up after ${failures} failed attempts)`,
      );
    const base = deps.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
    const delay = Math.min(base * 2 ** (failures - 1), deps.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS);
    return requeue(ctx, new Date(now.getTime() + delay), retryable.code, retryable.detail);
  }
  if (
    error instanceof XAuthError &&
    (error.code === TOKEN_ERROR_CODES.invalidRefreshToken || error.code === TOKEN_ERROR_CODES.loginRequired)
  ) {
    await deps.db.query(accounts.markNeedsReconnect(target.account_id, error.code));
    return fail(ctx, 'account_needs_reconnect', detailOf(error));
  }
  if (
    error instanceof XApiError ||
    error instanceof XForbiddenError ||
    error instanceof XAuthError ||
    error instanceof XValidationError
  ) {
    const { code, detail } = codeOf(error);
    return fail(ctx, code, detail);
  }
  throw error;
}

/** Back to `queued` until `runAt`, with the reason (retryable): a `post.retrying` event. */
export async function requeue(
  ctx: HeldTarget,
  runAt: Date,
  code: string,
  detail: string | null,
): Promise<PublishResult> {
  const moved = await move(ctx, 'queued', { runAt, error: { code, detail, retryable: true } });
  return moved ? { outcome: 'requeued', runAt, code } : { outcome: 'lost' };
}

/** `failed` for good, with our reason code and X's detail: a `post.failed` event. */
export async function fail(ctx: HeldTarget, code: string, detail: string | null): Promise<PublishResult> {
  const moved = await move(ctx, 'failed', { error: { code, detail, retryable: false } });
  return moved ? { outcome: 'failed', code, detail } : { outcome: 'lost' };
}

async function publish(ctx: Ctx, held: PostTargetRow): Promise<PublishResult> {
  const moved = await move(ctx, 'published', { error: null });
  return moved
    ? { outcome: 'published', xPostIds: moved.x_post_ids ?? held.x_post_ids }
    : { outcome: 'lost' };
}

export interface MoveOptions {
  runAt?: Date;
  mediaPending?: boolean;
  error?: { code: string; detail: string | null; retryable: boolean } | null;
}

/**
 * Moves the held target from `ctx.from` to `to` and recomputes its post's state, in one transaction
 * (with the webhook event and the latency metric). Undefined: the target is no longer ours.
 */
export async function move(
  ctx: HeldTarget,
  to: PostTargetState,
  options: MoveOptions,
): Promise<PostTargetRow | undefined> {
  const { deps, target } = ctx;
  return deps.db.transaction(async (tx) => {
    await tx.query(posts.lock(target.post_id));
    const moved = await one<PostTargetRow>(
      tx,
      targets.move({
        id: target.id,
        workerId: deps.workerId,
        from: ctx.from,
        to,
        now: deps.clock.now(),
        ...(options.runAt === undefined ? {} : { runAt: options.runAt }),
        ...(options.mediaPending === undefined ? {} : { mediaPending: options.mediaPending }),
        ...(options.error === undefined ? {} : { error: options.error }),
      }),
    );
    if (!moved) return undefined;
    await recomputePostState(tx, target.post_id);
    await afterMove(deps, tx, moved, options);
    return moved;
  });
}

/** In the move's transaction: the webhook event (an outbox row), and the publish latency for /metrics. */
async function afterMove(
  deps: PublishDeps,
  tx: Queryable,
  moved: PostTargetRow,
  options: MoveOptions,
): Promise<void> {
  const now = deps.clock.now();
  if (moved.state === 'published') {
    const post = await one<{ scheduled_at: Date | null; created_at: Date }>(tx, posts.get(moved.post_id));
    // Due at its scheduled time, or when it was accepted; the latency is how long after that it went out.
    const due = post?.scheduled_at ?? post?.created_at ?? moved.created_at;
    await observePublishLatency(tx, (now.getTime() - due.getTime()) / 1000);
  }
  if (!deps.events) return;
  const event =
    moved.state === 'published'
      ? 'post.published'
      : moved.state === 'failed'
        ? 'post.failed'
        : moved.state === 'queued' && options.error
          ? 'post.retrying'
          : undefined;
  if (!event) return;
  await deps.events.emit(tx, {
    event,
    postId: moved.post_id,
    targetId: moved.id,
    accountId: moved.account_id,
    state: moved.state,
    xPostIds: [...moved.x_post_ids],
    ...(options.error ? { error: options.error } : {}),
    ...(event === 'post.retrying' ? { retryAt: moved.run_at } : {}),
    at: now,
  });
}
