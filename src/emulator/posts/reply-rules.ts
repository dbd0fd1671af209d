import type { PostRules } from '../options.js';
import {
  forbidden,
  QUOTE_NOT_ALLOWED_DETAIL,
  REPLY_NOT_ALLOWED_DETAIL,
  REPLY_TARGET_MISSING_DETAIL,
  type XProblem,
} from '../problems.js';
import type { EmulatorStore } from '../state/store.js';
import type { PostRecord } from '../state/types.js';

/**
 * Self-serve (pay-per-use) engagement rules for replies and quotes (REFERENCE §3.1): since
 * 2026-02-23 a self-serve app may reply only where the target's author "summoned" the caller, and
 * replying to your own posts (threads) keeps working.
 */

/**
 * No public wording exists for quoting a missing post; this mirrors X's reply wording and the same
 * 403, so a client handles both alike (the emulator's choice, REFERENCE §3.1 has no observed body).
 */
export const QUOTE_TARGET_MISSING_DETAIL =
  'You attempted to quote a Tweet that is deleted or not visible to you.';

/** A post that exists and has not been deleted. */
export function livePost(store: EmulatorStore, id: string): PostRecord | undefined {
  const post = store.posts.get(id);
  return post && post.deletedAt === undefined ? post : undefined;
}

/** The target is the caller's own, @mentions the caller, or quotes one of the caller's posts. */
export function hasSummoned(store: EmulatorStore, target: PostRecord, callerId: string): boolean {
  if (target.authorId === callerId) return true;
  if (target.mentionedUserIds.includes(callerId)) return true;
  if (target.quoteTweetId !== undefined && store.posts.get(target.quoteTweetId)?.authorId === callerId)
    return true;
  return false;
}

/** The caller has a live post in the target's conversation (the quote rule's "part of the thread"). */
function isInConversation(store: EmulatorStore, target: PostRecord, callerId: string): boolean {
  for (const post of store.posts.values()) {
    if (
      post.deletedAt === undefined &&
      post.authorId === callerId &&
      post.conversationId === target.conversationId
    )
      return true;
  }
  return false;
}

/** The reply target, or the 403 X answers with. */
export function checkReply(
  store: EmulatorStore,
  rules: PostRules,
  targetId: string,
  callerId: string,
): PostRecord | XProblem {
  const target = livePost(store, targetId);
  if (!target) return forbidden(REPLY_TARGET_MISSING_DETAIL);
  if (rules.replies === 'self-serve' && !hasSummoned(store, target, callerId))
    return forbidden(REPLY_NOT_ALLOWED_DETAIL);
  return target;
}

/**
 * The quoted post, or a 403. Quoting is Enterprise-only on today's docs (REFERENCE §3.1); the
 * default `self-serve` follows the observed 403's wording: allowed when summoned or in the thread.
 */
export function checkQuote(
  store: EmulatorStore,
  rules: PostRules,
  targetId: string,
  callerId: string,
): PostRecord | XProblem {
  const target = livePost(store, targetId);
  if (!target) return forbidden(QUOTE_TARGET_MISSING_DETAIL);
  if (rules.quotes === 'enterprise-only') return forbidden(QUOTE_NOT_ALLOWED_DETAIL);
  if (
    rules.quotes === 'self-serve' &&
    !hasSummoned(store, target, callerId) &&
    !isInConversation(store, target, callerId)
  )
    return forbidden(QUOTE_NOT_ALLOWED_DETAIL);
  return target;
}
