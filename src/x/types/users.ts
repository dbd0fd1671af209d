import type { Post, TweetField } from './tweets.js';

/** `user.fields` values (spec v2.167). */
export const USER_FIELDS = [
  'affiliation',
  'confirmed_email',
  'connection_status',
  'created_at',
  'description',
  'entities',
  'id',
  'is_identity_verified',
  'location',
  'most_recent_tweet_id',
  'name',
  'parody',
  'pinned_tweet_id',
  'profile_banner_url',
  'profile_image_url',
  'protected',
  'public_metrics',
  'receives_your_dm',
  'subscription',
  'subscription_type',
  'url',
  'username',
  'verified',
  'verified_followers_count',
  'verified_type',
  'withheld',
] as const;
export type UserField = (typeof USER_FIELDS)[number];

/**
 * A user as `GET /2/users/me` returns it (REFERENCE §3.4), camelCased: `id`, `name` and `username`
 * always, the rest when asked for through `fields`.
 */
export interface User {
  id: string;
  name: string;
  username: string;
  createdAt?: string;
  description?: string;
  location?: string;
  url?: string;
  protected?: boolean;
  verified?: boolean;
  verifiedType?: 'blue' | 'business' | 'government' | 'none';
  /** `Premium`, `PremiumPlus`, `Basic` or `None`: Premium accounts may post 25,000 weighted characters. */
  subscriptionType?: string;
  profileImageUrl?: string;
  pinnedTweetId?: string;
  mostRecentTweetId?: string;
  /** Needs the `users.email` scope. */
  confirmedEmail?: string;
  publicMetrics?: {
    followersCount: number;
    followingCount: number;
    tweetCount: number;
    listedCount: number;
    likeCount?: number;
    mediaCount?: number;
  };
}

export interface MeOptions {
  fields?: readonly UserField[];
  signal?: AbortSignal;
}

/** `GET /2/users/:id/tweets` parameters. */
export interface RecentPostsParams {
  /** Whose posts; default the authenticated user (`me()`, cached). */
  userId?: string;
  /** 5–100 per page; X's default is 10. */
  maxResults?: number;
  /** Posts created at or after this time (`start_time`). */
  since?: Date | string;
  /** Posts created before this time (`end_time`). */
  until?: Date | string;
  /** Only posts newer than this id (exclusive). */
  sinceId?: string;
  /** Only posts older than this id (exclusive). */
  untilId?: string;
  /** A page's `nextToken`. */
  paginationToken?: string;
  exclude?: ReadonlyArray<'replies' | 'retweets'>;
  /** `tweet.fields`. */
  fields?: readonly TweetField[];
  signal?: AbortSignal;
}

export interface RecentPostsPage {
  /** Newest first. */
  posts: Post[];
  /** Pass as `paginationToken` for the next (older) page; absent on the last page. */
  nextToken?: string;
  newestId?: string;
  oldestId?: string;
}

export interface RecentPostPagesParams extends Omit<RecentPostsParams, 'paginationToken'> {
  /** Stop after this many pages (default: until X says there are no more). */
  maxPages?: number;
}
