import { XForbiddenError, XUnknownOutcomeError } from '../errors/index.js';
import { XThreadError } from '../errors/x-thread-error.js';
import { type ValidationIssue, XValidationError } from '../errors/x-validation-error.js';
import type {
  CreatedPost,
  CreatePostParams,
  FindRecentParams,
  Post,
  ThreadItem,
  ThreadOptions,
  ThreadPost,
  ThreadResult,
} from '../types/tweets.js';
import { validatePost } from './validate-post.js';

/**
 * Threads: each item replies to the one before (replying to your own posts stays allowed on
 * self-serve plans, REFERENCE §3.1). A thread never posts an item twice:
 *
 * - Every item is checked before the first is sent, so a bad item 4 does not leave items 0–3 alone.
 * - When item k fails for sure (X refused it), `XThreadError` carries the ids posted so far; pass
 *   `error.resumeFrom` back to continue from item k, replying to the last posted id.
 * - When item k's outcome is unknown (`XUnknownOutcomeError`: X may have created it and the answer
 *   was lost), the thread first looks for it among the account's recent posts (`findRecent`): found,
 *   its id is recorded and the thread goes on; not found, it is sent again (at most
 *   `MAX_SENDS_PER_ITEM` sends in all).
 * - A resumed thread looks for item k the same way before sending it, since the run that failed
 *   may have posted it (a crash, or an unknown outcome that was never settled).
 * - After an unknown outcome, X's duplicate-content 403 on the resend is evidence the first send
 *   landed (DESIGN, "the service"): the post is looked up once more, and the thread stops rather than
 *   guess if it still cannot be found.
 *
 * X's user timeline may lag a write by a moment; a post that landed but is not listed yet is sent
 * again, and X's duplicate-content rule (same text within 24 h) then stops the duplicate as above.
 * Media-only posts are exempt from that rule, so give thread items text.
 */

export const MAX_SENDS_PER_ITEM = 3;
/** How far before our own clock's send time to search, for clock skew between us and X. */
export const RECONCILE_CLOCK_MARGIN_MS = 5 * 60_000;

export interface ThreadDeps {
  create(params: CreatePostParams, signal?: AbortSignal): Promise<CreatedPost>;
  findRecent(params: FindRecentParams): Promise<Post | null>;
  maxWeightedLength: number;
  now(): number;
}

export async function postThread(
  deps: ThreadDeps,
  items: readonly ThreadItem[],
  options: ThreadOptions,
): Promise<ThreadResult> {
  const prepared = prepareItems(items, options, deps.maxWeightedLength);
  const ids = [...(options.resumeFrom?.postedIds ?? [])];
  const resumeSince = options.resumeFrom?.since;
  const posts: ThreadPost[] = [];
  const start = ids.length;
  for (let index = start; index < prepared.length; index++) {
    const previous = ids[index - 1];
    const item = prepared[index]!;
    const params: CreatePostParams =
      previous === undefined ? item : { ...item, reply: { ...item.reply, inReplyTo: previous } };
    const resuming = options.resumeFrom !== undefined && index === start;
    const posted = await postItem(deps, params, {
      index,
      total: prepared.length,
      postedIds: ids,
      mayHaveLanded: resuming && (ids.length > 0 || resumeSince !== undefined),
      sentAt: resuming && resumeSince !== undefined ? new Date(resumeSince) : undefined,
      signal: options.signal,
    });
    ids.push(posted.id);
    posts.push(posted);
  }
  return { ids, posts };
}

interface ItemContext {
  index: number;
  total: number;
  postedIds: readonly string[];
  /** A previous send may have created it: look before sending. */
  mayHaveLanded: boolean;
  sentAt?: Date;
  signal?: AbortSignal;
}

async function postItem(deps: ThreadDeps, params: CreatePostParams, ctx: ItemContext): Promise<ThreadPost> {
  let { mayHaveLanded, sentAt } = ctx;
  let lastError: unknown;
  const stop = (cause: unknown, outcomeUnknown: boolean) =>
    new XThreadError({
      postedIds: ctx.postedIds,
      failedIndex: ctx.index,
      total: ctx.total,
      cause,
      outcomeUnknown,
      sentAt,
    });
  const reconcile = async (): Promise<ThreadPost | undefined> => {
    let found: Post | null;
    try {
      found = await deps.findRecent(lookupFor(params, sentAt, ctx.signal));
    } catch (error) {
      throw stop(error, true);
    }
    return found
      ? {
          id: found.id,
          text: found.text,
          editHistoryTweetIds: found.editHistoryTweetIds,
          index: ctx.index,
          reconciled: true,
        }
      : undefined;
  };

  for (let sends = 0; ; ) {
    if (mayHaveLanded) {
      const found = await reconcile();
      if (found) return found;
    }
    if (sends === MAX_SENDS_PER_ITEM) throw stop(lastError, true);
    if (ctx.signal?.aborted) throw stop(ctx.signal.reason, mayHaveLanded);
    sentAt ??= new Date(deps.now());
    sends++;
    try {
      const created = await deps.create(params, ctx.signal);
      return { ...created, index: ctx.index, reconciled: false };
    } catch (error) {
      lastError = error;
      if (error instanceof XUnknownOutcomeError) {
        mayHaveLanded = true;
        continue;
      }
      if (mayHaveLanded && error instanceof XForbiddenError && error.reason === 'duplicate-content') {
        const found = await reconcile();
        if (found) return found;
        throw stop(error, true);
      }
      // Cancelled while the request was out: X may have acted on it.
      throw stop(error, ctx.signal?.aborted === true);
    }
  }
}

/**
 * Where to look: a reply is always newer than the post it answers, so its id bounds the search
 * exactly; otherwise the time of the first send, less a margin for clock skew.
 */
function lookupFor(
  params: CreatePostParams,
  sentAt: Date | undefined,
  signal?: AbortSignal,
): FindRecentParams {
  const inReplyTo = params.reply?.inReplyTo;
  const lookup: FindRecentParams = { text: params.text ?? '', signal };
  if (inReplyTo !== undefined) {
    lookup.inReplyTo = inReplyTo;
    lookup.sinceId = inReplyTo;
  } else if (sentAt) {
    lookup.since = new Date(sentAt.getTime() - RECONCILE_CLOCK_MARGIN_MS);
  }
  return lookup;
}

/** Every item as params, checked; and the resume point, checked. All problems at once. */
function prepareItems(
  items: readonly ThreadItem[],
  options: ThreadOptions,
  maxWeightedLength: number,
): CreatePostParams[] {
  const issues: ValidationIssue[] = [];
  if (!Array.isArray(items) || items.length === 0) {
    throw new XValidationError(
      [{ field: 'items', rule: 'min-items', message: 'items is an array of at least one post' }],
      { endpoint: 'POST /2/tweets' },
    );
  }
  const prepared = items.map((item, index) => {
    const params: CreatePostParams = typeof item === 'string' ? { text: item } : item;
    for (const issue of validatePost(params, { maxWeightedLength })) {
      issues.push({
        ...issue,
        field: `items[${index}].${issue.field}`,
        message: `items[${index}]: ${issue.message}`,
      });
    }
    if (index > 0 && params.reply?.inReplyTo !== undefined) {
      issues.push({
        field: `items[${index}].reply.inReplyTo`,
        rule: 'thread-reply',
        message: `items[${index}]: reply.inReplyTo is set by the thread (each item replies to the one before); leave it out`,
      });
    }
    return params;
  });
  const posted = options.resumeFrom?.postedIds;
  if (posted !== undefined) {
    if (!Array.isArray(posted) || posted.some((id) => typeof id !== 'string' || !/^[0-9]{1,19}$/.test(id))) {
      issues.push({
        field: 'resumeFrom.postedIds',
        rule: 'id-format',
        message: 'resumeFrom.postedIds is the array of post ids from XThreadError.postedIds',
      });
    } else if (posted.length > items.length) {
      issues.push({
        field: 'resumeFrom.postedIds',
        rule: 'max-items',
        message: `resumeFrom.postedIds has ${posted.length} ids for ${items.length} items: is this the same thread?`,
      });
    }
  }
  if (issues.length > 0) throw new XValidationError(issues, { endpoint: 'POST /2/tweets' });
  return prepared;
}
