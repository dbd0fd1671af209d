/**
 * X's v2 objects in camelCase (`edit_history_tweet_ids` → `editHistoryTweetIds`), deep. v2 objects
 * have no data-valued keys (ids and labels are values, never keys), so every key can be renamed.
 */
export function camelize<T>(value: unknown): T {
  return camelizeValue(value) as T;
}

function camelizeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelizeValue);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[camelKey(key)] = camelizeValue(inner);
  return out;
}

function camelKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Spec v2.167 renames `edit_history_tweet_ids` to `edit_history_post_ids`; live responses use the old
 * name (REFERENCE §3.2, Uncertain 10). Either arrives as `editHistoryTweetIds`.
 */
export function withEditHistory<T extends { id: string }>(
  post: T & { editHistoryPostIds?: string[]; editHistoryTweetIds?: string[] },
): T & { editHistoryTweetIds: string[] } {
  const { editHistoryPostIds, ...rest } = post;
  return {
    ...rest,
    editHistoryTweetIds: post.editHistoryTweetIds ?? editHistoryPostIds ?? [post.id],
  } as T & {
    editHistoryTweetIds: string[];
  };
}
