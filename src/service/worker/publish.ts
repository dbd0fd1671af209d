import {
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
import type { Db, Queryable } from '../db/types.js';
import type { PostEventSink } from '../events.js';
import { observePublishLatency } from '../metrics/counters.js';
import { readStoredRequest } from '../posts/stored-request.js';
import { derivePostState, type PostTargetState } from '../states.js';
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
import { clientForAccount, type XAccess } from './account-client.js';

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
  leaseMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export type PublishResult =
  | { outcome: 'not-claimed' }
  /** Someone else holds the target now (our lease ran out): we stopped without sending. */
  | { outcome: 'lost' }
  /** Claimed with media still to upload: the upload step's job, not this one. */
  | { outcome: 'needs-upload' }
  | { outcome: 'published'; xPostIds: string[] }
  | { outcome: 'requeued'; runAt: Date; code: string }
  | { outcome: 'failed'; code: string; detail: string | null };

/** One item of the thread to post. */
export interface PublishItem {
  text: string;
}

/**
 * The items of a post's normalised request: `items` (or `thread`) of `{ body }`, else the post's body;
 * the first item replies to `x.reply_to` when given.
 */
export function requestItems(post: { body: string; request: unknown }): {
  items: PublishItem[];
  replyTo?: string;
} {
  const request = readStoredRequest(post);
  const items = request.items.map((item) => ({ text: item.body }));
  const replyTo = request.x.reply_to;
  return replyTo ? { items, replyTo } : { items };
}

interface Ctx {
  deps: PublishDeps;
  target: ClaimedTargetRow;
  account: AccountRow;
  client: XClient;
  items: PublishItem[];
  replyTo: string | undefined;
}

class Lost extends Error {}

/** A failure a later run may fix (network, 5xx, an unknown outcome that did not land). */
class Retryable extends Error {
  constructor(
    readonly code: string,
    readonly detail: string | null,
  ) {
    super(`${code}: ${detail ?? ''}`);
  }
}

async function one<Row>(
  q: Queryable,
  query: { text: string; values?: readonly unknown[] },
): Promise<Row | undefined> {
  const { rows } = await q.query<Row>(query);
  return rows[0];
}

/**
 * The publish step, what a pg-boss publish job runs: publishes one target (one post on one account),
 * each thread item exactly once (DESIGN "Publishing is exactly-once by design"):
 * - every `POST /2/tweets` is committed as an attempt before it is sent;
 * - an attempt left open (a crashed worker, an unknown outcome) is reconciled with the account's
 *   recent posts on X before anything is sent again; a duplicate-content 403 for an item already
 *   attempted is reconciled too;
 * - a rate limit requeues the target at the reset, network errors and 5xx with backoff (up to
 *   `maxAttempts`), other refusals fail it with X's detail and our reason code.
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
  await db.transaction((tx) => refreshPostState(tx, target.post_id));

  const post = await one<{ body: string; request: unknown }>(db, posts.get(target.post_id));
  const account = await one<AccountRow>(db, accounts.get(target.account_id));
  if (!post) throw new Error(`post ${target.post_id} of target ${target.id} is gone`);
  if (!account || account.needs_reconnect) {
    return fail(
      deps,
      target,
      'account_needs_reconnect',
      account?.reconnect_reason ?? 'the account was removed',
    );
  }
  const { items, replyTo } = requestItems(post);
  const ctx: Ctx = { deps, target, account, client: buildClient(deps, account), items, replyTo };
  try {
    return await run(ctx);
  } catch (error) {
    return settleError(ctx, error);
  }
}

function buildClient(deps: PublishDeps, account: AccountRow): XClient {
  return clientForAccount(deps, account, { onRateLimit: 'throw' });
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

    // Pacing: a window known to be spent waits for its reset without calling X.
    const go = await one(db, rateLimits.take(target.account_id, TWEETS_ENDPOINT, now));
    const known = go
      ? undefined
      : await one<{ reset_at: Date | null }>(db, rateLimits.get(target.account_id, TWEETS_ENDPOINT));
    // No row back and none stored: nothing known yet, go.
    if (known) {
      const runAt = known?.reset_at ?? new Date(now.getTime() + 15 * 60_000);
      return requeue(
        ctx,
        runAt,
        'rate_limited',
        'the rate limit for POST /2/tweets is spent until its reset',
      );
    }

    const text = ctx.items[index]!.text;
    const inReplyTo = index === 0 ? ctx.replyTo : held.x_post_ids[index - 1];
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
      const created = await ctx.client.posts.create(inReplyTo ? { text, reply: { inReplyTo } } : { text });
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

async function settleError(ctx: Ctx, error: unknown): Promise<PublishResult> {
  if (error instanceof Lost) return { outcome: 'lost' };
  const { deps, target } = ctx;
  const now = deps.clock.now();
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
    return requeue(ctx, resetAt, 'rate_limited', detailOf(error));
  }
  let retryable: { code: string; detail: string | null } | undefined;
  if (error instanceof Retryable) retryable = { code: error.code, detail: error.detail };
  else if (error instanceof XNetworkError || error instanceof XTimeoutError) retryable = codeOf(error);
  else if (error instanceof XApiError && (error.status ?? 0) >= 500) retryable = codeOf(error);
  if (retryable) {
    const held = await one<PostTargetRow>(deps.db, targets.get(target.id));
    const tries = held?.attempts ?? target.attempts;
    const max = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (tries >= max)
      return fail(
        deps,
        target,
        retryable.code,
        `${retryable.detail ?? ''} (gave up after ${tries} attempts)`,
      );
    const base = deps.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
    const delay = Math.min(base * 2 ** Math.max(0, tries - 1), deps.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS);
    return requeue(ctx, new Date(now.getTime() + delay), retryable.code, retryable.detail);
  }
  if (
    error instanceof XAuthError &&
    (error.code === TOKEN_ERROR_CODES.invalidRefreshToken || error.code === TOKEN_ERROR_CODES.loginRequired)
  ) {
    await deps.db.query(accounts.markNeedsReconnect(target.account_id, error.code));
    return fail(deps, target, 'account_needs_reconnect', detailOf(error));
  }
  if (
    error instanceof XApiError ||
    error instanceof XForbiddenError ||
    error instanceof XAuthError ||
    error instanceof XValidationError
  ) {
    const { code, detail } = codeOf(error);
    return fail(deps, target, code, detail);
  }
  throw error;
}

async function requeue(ctx: Ctx, runAt: Date, code: string, detail: string | null): Promise<PublishResult> {
  const moved = await move(ctx.deps, ctx.target, 'queued', {
    runAt,
    error: { code, detail, retryable: true },
  });
  return moved ? { outcome: 'requeued', runAt, code } : { outcome: 'lost' };
}

async function fail(
  deps: PublishDeps,
  target: PostTargetRow,
  code: string,
  detail: string | null,
): Promise<PublishResult> {
  const moved = await move(deps, target, 'failed', { error: { code, detail, retryable: false } });
  return moved ? { outcome: 'failed', code, detail } : { outcome: 'lost' };
}

async function publish(ctx: Ctx, held: PostTargetRow): Promise<PublishResult> {
  const moved = await move(ctx.deps, ctx.target, 'published', { error: null });
  return moved
    ? { outcome: 'published', xPostIds: moved.x_post_ids ?? held.x_post_ids }
    : { outcome: 'lost' };
}

/** Moves the held target and recomputes its post's state, in one transaction. */
async function move(
  deps: PublishDeps,
  target: PostTargetRow,
  to: PostTargetState,
  options: { runAt?: Date; error?: { code: string; detail: string | null; retryable: boolean } | null },
): Promise<PostTargetRow | undefined> {
  return deps.db.transaction(async (tx) => {
    await tx.query(posts.lock(target.post_id));
    const moved = await one<PostTargetRow>(
      tx,
      targets.move({
        id: target.id,
        workerId: deps.workerId,
        from: 'publishing',
        to,
        now: deps.clock.now(),
        ...(options.runAt === undefined ? {} : { runAt: options.runAt }),
        ...(options.error === undefined ? {} : { error: options.error }),
      }),
    );
    if (!moved) return undefined;
    await refreshPostState(tx, target.post_id);
    await afterMove(deps, tx, moved, options);
    return moved;
  });
}

/** In the move's transaction: the webhook event (an outbox row), and the publish latency for /metrics. */
async function afterMove(
  deps: PublishDeps,
  tx: Queryable,
  moved: PostTargetRow,
  options: { runAt?: Date; error?: { code: string; detail: string | null; retryable: boolean } | null },
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

async function refreshPostState(tx: Queryable, postId: string): Promise<void> {
  await tx.query(posts.lock(postId));
  const { rows } = await tx.query<{ state: PostTargetState }>(posts.targetStates(postId));
  await tx.query(posts.setState(postId, derivePostState(rows.map((r) => r.state))));
}
