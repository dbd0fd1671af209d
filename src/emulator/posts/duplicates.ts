import type { EmulatorStore } from '../state/store.js';

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
  for (const post of store.postsByAuthor(authorId)) {
    if (post.createdAt < since) continue;
    if (options.ignore?.has(post.id)) continue;
    if (normalizeForDuplicates(post.sourceText) === wanted) return true;
  }
  return false;
}
