import type { FindRecentParams, Post, TweetField } from '../types/tweets.js';
import { sameSentText } from './match-post-text.js';
import type { UsersApi } from './users.js';

/**
 * Reconciliation: after `POST /2/tweets` ended without an answer (`XUnknownOutcomeError`: the
 * connection dropped after X may have acted, DESIGN "Retries"), the only way to know whether the post
 * exists is to look for it among the author's recent posts. A match is the same text (through t.co,
 * `match-post-text.ts`) replying to the same post; a post that is not a reply matches only a post
 * that is not one either.
 */

export const DEFAULT_FIND_RECENT_PAGES = 3;
/** The most X returns per page of `GET /2/users/:id/tweets`. */
const PAGE_SIZE = 100;
/** `note_tweet` holds the full text of a post over 280 characters, which `text` truncates. */
const FIELDS: readonly TweetField[] = [
  'created_at',
  'referenced_tweets',
  'conversation_id',
  'in_reply_to_user_id',
  'note_tweet',
];

export async function findRecentPost(users: UsersApi, params: FindRecentParams): Promise<Post | null> {
  const pages = users.recentPostPages({
    userId: params.authorId,
    since: params.since,
    sinceId: params.sinceId,
    maxResults: PAGE_SIZE,
    maxPages: params.maxPages ?? DEFAULT_FIND_RECENT_PAGES,
    fields: FIELDS,
    signal: params.signal,
  });
  for await (const page of pages) {
    const found = page.posts.find((post) => matches(post, params));
    if (found) return found;
  }
  return null;
}

function matches(post: Post, params: FindRecentParams): boolean {
  const repliedTo = post.referencedTweets?.find((ref) => ref.type === 'replied_to')?.id;
  if (repliedTo !== params.inReplyTo) return false;
  return sameSentText(params.text, post.noteTweet?.text ?? post.text);
}
