/**
 * The `tweet.fields`, `user.fields`, … and `expansions` values the emulator accepts: the long-standing
 * names clients send (`edit_history_tweet_ids`, `referenced_tweets`, …) plus the ones spec v2.167
 * renamed or added (`edit_history_post_ids`, `referenced_posts`, …), since X accepts both today
 * (REFERENCE §3.2, Uncertain 10). Unknown values get X's "is not one of" 400.
 */

// The field lists are the SDK's: client and emulator accept the same names by construction.
import { TWEET_FIELDS, type TweetField } from '../../x/types/tweets.js';
import { USER_FIELDS, type UserField } from '../../x/types/users.js';

export { TWEET_FIELDS, type TweetField, USER_FIELDS, type UserField };

export const TWEET_EXPANSIONS = [
  'attachments.media_keys',
  'attachments.media_source_tweet',
  'attachments.poll_ids',
  'author_id',
  'edit_history_post_ids',
  'edit_history_tweet_ids',
  'entities.mentions.username',
  'geo.place_id',
  'in_reply_to_user_id',
  'referenced_posts',
  'referenced_tweets.id',
  'referenced_tweets.id.author_id',
] as const;

export const USER_EXPANSIONS = ['affiliation', 'most_recent_tweet_id', 'pinned_tweet_id'] as const;

export const MEDIA_FIELDS = [
  'alt_text',
  'duration_ms',
  'height',
  'media_key',
  'non_public_metrics',
  'organic_metrics',
  'preview_image_url',
  'promoted_metrics',
  'public_metrics',
  'type',
  'url',
  'variants',
  'width',
] as const;

export const POLL_FIELDS = ['duration_minutes', 'end_datetime', 'id', 'options', 'voting_status'] as const;

export const PLACE_FIELDS = [
  'contained_within',
  'country',
  'country_code',
  'full_name',
  'geo',
  'id',
  'name',
  'place_type',
] as const;

export type TweetExpansion = (typeof TWEET_EXPANSIONS)[number];
export type MediaField = (typeof MEDIA_FIELDS)[number];
export type PollField = (typeof POLL_FIELDS)[number];

/** The field and expansion parameters a post lookup takes, read from the query. */
export interface PostFieldSelection {
  tweet: Set<TweetField>;
  expansions: Set<TweetExpansion>;
  user: Set<UserField>;
  media: Set<MediaField>;
  poll: Set<PollField>;
}

export const POST_FIELD_PARAMETERS = [
  'expansions',
  'tweet.fields',
  'media.fields',
  'poll.fields',
  'place.fields',
  'user.fields',
] as const;

/** Read the field parameters through a `QueryReader` (which reports bad values). */
export function readPostFields(reader: {
  list<T extends string>(name: string, allowed: readonly T[]): T[];
}): PostFieldSelection {
  reader.list('place.fields', PLACE_FIELDS);
  return {
    tweet: new Set(reader.list('tweet.fields', TWEET_FIELDS)),
    expansions: new Set(reader.list('expansions', TWEET_EXPANSIONS)),
    user: new Set(reader.list('user.fields', USER_FIELDS)),
    media: new Set(reader.list('media.fields', MEDIA_FIELDS)),
    poll: new Set(reader.list('poll.fields', POLL_FIELDS)),
  };
}
