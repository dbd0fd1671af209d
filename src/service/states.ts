/**
 * Every state the service stores, as frozen constants shared with the database: the migration's
 * `CHECK (... IN (...))` constraints are the text `checkIn()` builds from these lists, and a test
 * (`test/service/db/states.test.ts`) fails when the two drift apart.
 */

/**
 * The life of one post on one account (a `post_targets` row).
 *
 * - `draft`: saved, not to be published until someone asks.
 * - `scheduled`: waiting for its `run_at` (the post's `scheduled_at`).
 * - `queued`: due, or waiting for a retry's backoff or a rate limit's reset (`run_at`), for a worker.
 * - `uploading`: a worker holds it and uploads its media to X.
 * - `publishing`: a worker holds it and creates the post (each item of a thread) on X.
 * - `published`, `failed`, `cancelled`: final.
 */
export const POST_TARGET_STATES = Object.freeze([
  'draft',
  'scheduled',
  'queued',
  'uploading',
  'publishing',
  'published',
  'failed',
  'cancelled',
] as const);
export type PostTargetState = (typeof POST_TARGET_STATES)[number];

export const TERMINAL_STATES = Object.freeze(['published', 'failed', 'cancelled'] as const);
export type TerminalState = (typeof TERMINAL_STATES)[number];

/** States a worker claims from (`claimTarget`) once `run_at` has come. */
export const CLAIMABLE_STATES = Object.freeze(['scheduled', 'queued'] as const);
/** States a worker holds under a lease (`locked_by`, `locked_until`); an expired lease is reclaimed. */
export const HELD_STATES = Object.freeze(['uploading', 'publishing'] as const);

/**
 * The allowed moves, as data. Staying in a state is not a transition (a reclaimed lease keeps the
 * state). Notably:
 * - `publishing` cannot be `cancelled`: a `POST /2/tweets` may be in flight; cancel after it ends
 *   (and delete on X), never during.
 * - `publishing → uploading`: a later retry found the uploaded media expired at X.
 * - `publishing → queued`: a safe retry later (nothing was sent, or the outcome was reconciled), or a
 *   wait for a rate limit's reset; a thread resumes from its first item not posted.
 * - Final states have no way out: a new attempt is a new post.
 */
export const TRANSITIONS: Readonly<Record<PostTargetState, readonly PostTargetState[]>> = Object.freeze({
  draft: Object.freeze(['scheduled', 'queued', 'cancelled'] as const),
  scheduled: Object.freeze(['draft', 'queued', 'uploading', 'publishing', 'failed', 'cancelled'] as const),
  queued: Object.freeze(['scheduled', 'uploading', 'publishing', 'failed', 'cancelled'] as const),
  uploading: Object.freeze(['publishing', 'queued', 'failed', 'cancelled'] as const),
  publishing: Object.freeze(['published', 'queued', 'uploading', 'failed'] as const),
  published: Object.freeze([] as const),
  failed: Object.freeze([] as const),
  cancelled: Object.freeze([] as const),
});

export function isPostTargetState(value: unknown): value is PostTargetState {
  return typeof value === 'string' && (POST_TARGET_STATES as readonly string[]).includes(value);
}

export function isTerminal(state: PostTargetState): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

export function canTransition(from: PostTargetState, to: PostTargetState): boolean {
  return (TRANSITIONS[from] as readonly string[] | undefined)?.includes(to) ?? false;
}

/**
 * The state of a post as a whole (`posts.state`), derived from its targets by `derivePostState`.
 * `partially_published`: finished, published on some accounts and failed on others.
 */
export const POST_STATES = Object.freeze([
  'draft',
  'scheduled',
  'processing',
  'published',
  'partially_published',
  'failed',
  'cancelled',
] as const);
export type PostState = (typeof POST_STATES)[number];

/**
 * The rule, in order:
 * 1. While any target is unfinished, the post is unfinished: `processing` if any target is queued,
 *    uploading or publishing; else `scheduled` if any is scheduled; else `draft`.
 * 2. Once all are final: `cancelled` if all were cancelled; otherwise, ignoring cancelled targets,
 *    `published` if all were published, `failed` if none was, `partially_published` in between.
 * A post with no targets (not something the routes create) is a `draft`.
 */
export function derivePostState(targets: readonly PostTargetState[]): PostState {
  const unfinished = targets.filter((s) => !isTerminal(s));
  if (unfinished.length > 0) {
    if (unfinished.some((s) => s === 'queued' || s === 'uploading' || s === 'publishing'))
      return 'processing';
    return unfinished.includes('scheduled') ? 'scheduled' : 'draft';
  }
  if (targets.length === 0) return 'draft';
  const counted = targets.filter((s) => s !== 'cancelled');
  if (counted.length === 0) return 'cancelled';
  const published = counted.filter((s) => s === 'published').length;
  if (published === counted.length) return 'published';
  return published === 0 ? 'failed' : 'partially_published';
}

/** What happened to one `POST /2/tweets` (`publish_attempts.outcome`); NULL while it is in flight. */
export const ATTEMPT_OUTCOMES = Object.freeze(['sent', 'failed', 'unknown', 'reconciled'] as const);
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];
/** Outcomes that leave the attempt open: the worker must reconcile before it sends again. */
export const UNRESOLVED_OUTCOMES = Object.freeze(['unknown'] as const);

export const AUTH_KINDS = Object.freeze(['oauth2', 'oauth1'] as const);
export type AuthKind = (typeof AUTH_KINDS)[number];

/** A media item we were given: `pending` (not fetched yet), `fetching`, `ready` (on our disk), `failed`. */
export const MEDIA_STATES = Object.freeze(['pending', 'fetching', 'ready', 'failed'] as const);
export type MediaState = (typeof MEDIA_STATES)[number];

export const WEBHOOK_EVENTS = Object.freeze(['post.published', 'post.failed', 'post.retrying'] as const);
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const DELIVERY_STATES = Object.freeze(['pending', 'delivered', 'failed'] as const);
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** `CHECK (column IN ('a', 'b'))`, the constraint text the migration carries verbatim. */
export function checkIn(column: string, values: readonly string[]): string {
  return `CHECK (${column} IN (${values.map(sqlString).join(', ')}))`;
}

/** `ARRAY['a', 'b']::text[]`, for `events <@ ...` style checks. */
export function textArray(values: readonly string[]): string {
  return `ARRAY[${values.map(sqlString).join(', ')}]::text[]`;
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
