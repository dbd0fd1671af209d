import { forbidden, type XProblem } from '../problems.js';
import type { EmulatorStore } from '../state/store.js';
import type { EmulatorUser, PostRecord } from '../state/types.js';

/**
 * Post edits through `edit_options.previous_post_id` (REFERENCE §3.1, changelog 2025-10-03): the
 * author needs X Premium, the post must be their own and under 1 hour old. An edit is a new post
 * whose request names the version it replaces, so the chain is read back from the stored requests.
 */

/** X lets a post be edited for an hour after it was first published, up to five times. */
export const EDIT_WINDOW_MS = 60 * 60 * 1000;
export const MAX_EDITS = 5;

export const EDIT_NOT_PREMIUM_DETAIL = 'Editing a Post requires an X Premium subscription.';
export const EDIT_NOT_OWN_DETAIL = 'You can only edit your own Posts.';
export const EDIT_MISSING_DETAIL = 'You attempted to edit a Tweet that is deleted or not visible to you.';
export const EDIT_EXPIRED_DETAIL =
  'This Post can no longer be edited: Posts can be edited for 1 hour after posting.';
export const EDIT_LIMIT_DETAIL = 'This Post has reached the maximum of 5 edits.';
export const EDIT_NOT_LATEST_DETAIL = 'Only the latest version of a Post can be edited.';

function previousId(post: PostRecord): string | undefined {
  const options = post.request.edit_options as { previous_post_id?: unknown } | undefined;
  return typeof options?.previous_post_id === 'string' ? options.previous_post_id : undefined;
}

/** Every version of the post's edit chain, oldest first (just `[post.id]` for an unedited post). */
export function editHistory(store: EmulatorStore, post: PostRecord): string[] {
  let root = post;
  for (let prev = previousId(root); prev !== undefined; prev = previousId(root)) {
    const older = store.posts.get(prev);
    if (!older) break;
    root = older;
  }
  const chain = [root.id];
  for (let current = root.id; ; ) {
    const next = nextVersion(store, current);
    if (!next) break;
    chain.push(next.id);
    current = next.id;
  }
  return chain;
}

/** Ids of posts that a later live version replaced (timelines show only the latest). */
export function supersededIds(store: EmulatorStore): Set<string> {
  const ids = new Set<string>();
  for (const post of store.posts.values()) {
    const prev = previousId(post);
    if (prev !== undefined && post.deletedAt === undefined) ids.add(prev);
  }
  return ids;
}

/** The version that replaced this one, if any. */
export function nextVersion(store: EmulatorStore, id: string): PostRecord | undefined {
  for (const post of store.posts.values())
    if (previousId(post) === id && post.deletedAt === undefined) return post;
  return undefined;
}

/** The post being edited, or the 403 explaining why it cannot be. */
export function checkEdit(
  store: EmulatorStore,
  user: EmulatorUser,
  previousPostId: string,
  now: number,
): { previous: PostRecord; history: string[] } | XProblem {
  const previous = store.posts.get(previousPostId);
  if (!previous || previous.deletedAt !== undefined) return forbidden(EDIT_MISSING_DETAIL);
  if (previous.authorId !== user.id) return forbidden(EDIT_NOT_OWN_DETAIL);
  if (!user.premium) return forbidden(EDIT_NOT_PREMIUM_DETAIL);
  const history = editHistory(store, previous);
  if (history[history.length - 1] !== previous.id) return forbidden(EDIT_NOT_LATEST_DETAIL);
  const original = store.posts.get(history[0]!)!;
  if (now - original.createdAt >= EDIT_WINDOW_MS) return forbidden(EDIT_EXPIRED_DETAIL);
  if (history.length > MAX_EDITS) return forbidden(EDIT_LIMIT_DETAIL);
  return { previous, history };
}
