import type { EmulatorStore } from '../state/store.js';
import type { PostRecord } from '../state/types.js';

/** Each stored post's normalised text, computed once: every new post is compared with all of them. */
const normalizedCache = new WeakMap<PostRecord, string>();

function normalizedTextOf(post: PostRecord): string {
  let text = normalizedCache.get(post);
  if (text === undefined) {
    text = normalizeForDuplicates(post.sourceText);
    normalizedCache.set(post, text);
  }
  return text;
}

/**
 * X's duplicate-content rule (REFERENCE §5.2): the same user posting the same text again while an
 * earlier identical post is live gets 403. X's matching is fuzzier than equality and undocumented;
 * the emulator compares NFC-normalised text with whitespace runs collapsed and ends trimmed.
 */
export function normalizeForDuplicates(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/**
 * Whether `authorId` has a live post with this text created within the window. Media-only posts
 * (empty text) are never duplicates; `ignore` leaves out the posts of an edit chain being edited.
 */
export function isDuplicate(
  store: EmulatorStore,
  authorId: string,
  text: string,
  options: { now: number; windowSecs: number; ignore?: ReadonlySet<string> },
): boolean {
  const wanted = normalizeForDuplicates(text);
  if (wanted === '') return false;
  const since = options.now - options.windowSecs * 1000;
  // A plain scan: order does not matter here, so no sorted copy of the author's posts is made.
  for (const post of store.posts.values()) {
    if (post.authorId !== authorId || post.deletedAt !== undefined || post.createdAt < since) continue;
    if (options.ignore?.has(post.id)) continue;
    if (normalizedTextOf(post) === wanted) return true;
  }
  return false;
}
