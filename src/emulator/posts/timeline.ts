import type { EmulatorStore } from '../state/store.js';
import type { PostRecord } from '../state/types.js';
import { supersededIds } from './edits.js';

/**
 * `GET /2/users/:id/tweets`: the author's live posts, newest first, filtered and paged. Pages are
 * cut by id, so a post created between two page requests does not shift later pages.
 */

export const DEFAULT_MAX_RESULTS = 10;
export const MIN_MAX_RESULTS = 5;
export const MAX_MAX_RESULTS = 100;

export interface TimelineQuery {
  maxResults: number;
  /** Exclusive bounds on ids. */
  sinceId?: string;
  untilId?: string;
  /** Epoch ms: start inclusive, end exclusive. */
  startTime?: number;
  endTime?: number;
  excludeReplies: boolean;
  /** Decoded `pagination_token`: only ids below this one. */
  before?: string;
}

export interface TimelinePage {
  posts: PostRecord[];
  /** The id the next page starts below, when there is one. */
  nextBefore?: string;
}

export function userTimeline(store: EmulatorStore, authorId: string, query: TimelineQuery): TimelinePage {
  // An edited post shows once, as its latest version.
  const superseded = supersededIds(store);
  const matching = store.postsByAuthor(authorId).filter((post) => {
    if (superseded.has(post.id)) return false;
    if (query.excludeReplies && post.inReplyToTweetId !== undefined) return false;
    if (query.sinceId !== undefined && !idGreater(post.id, query.sinceId)) return false;
    if (query.untilId !== undefined && !idGreater(query.untilId, post.id)) return false;
    if (query.before !== undefined && !idGreater(query.before, post.id)) return false;
    if (query.startTime !== undefined && post.createdAt < query.startTime) return false;
    if (query.endTime !== undefined && post.createdAt >= query.endTime) return false;
    return true;
  });
  const posts = matching.slice(0, query.maxResults);
  const last = posts[posts.length - 1];
  return matching.length > posts.length && last ? { posts, nextBefore: last.id } : { posts };
}

function idGreater(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

/**
 * Pagination tokens are opaque to clients; X's look like lowercase base-36 strings. Ours are the
 * boundary id in base 36 behind a version prefix, so a token from elsewhere fails to decode.
 */
const TOKEN_PREFIX = '7140d';

export function encodePaginationToken(id: string): string {
  return `${TOKEN_PREFIX}${BigInt(id).toString(36)}`;
}

export function decodePaginationToken(token: string): string | undefined {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const digits = token.slice(TOKEN_PREFIX.length);
  if (!/^[0-9a-z]{1,13}$/.test(digits)) return undefined;
  let value = 0n;
  for (const ch of digits) value = value * 36n + BigInt(Number.parseInt(ch, 36));
  const id = value.toString();
  return id.length <= 19 ? id : undefined;
}
