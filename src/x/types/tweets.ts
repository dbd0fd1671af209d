/**
 * Posts (X still says "tweets" in paths and field names). Callers write camelCase; `toCreatePostBody()`
 * in `endpoints/post-body.ts` maps it to X's snake_case body (REFERENCE §3.1). Responses come back
 * camelCased the same way (`edit_history_tweet_ids` → `editHistoryTweetIds`).
 */

/** Who may reply (REFERENCE §3.1); leave it out for "everyone". */
export const REPLY_SETTINGS = ['following', 'mentionedUsers', 'subscribers', 'verified'] as const;
export type ReplySettings = (typeof REPLY_SETTINGS)[number];

import type { AttachmentUploadOptions } from '../endpoints/post-media.js';

/** A file for `posts.create({ media })`: a path, or bytes already in memory, with optional alt text. */
export type MediaAttachment =
  | { path: string; alt?: string; data?: never }
  | { data: Uint8Array; name?: string; alt?: string; path?: never };

/** Everything `POST /2/tweets` takes (REFERENCE §3.1), in camelCase. */
export interface CreatePostParams {
  /** Required unless `mediaIds` is given; counted by X's weights against the account's limit (§7). */
  text?: string;
  /** 1–4 media ids from an upload: up to 4 photos, or 1 GIF, or 1 video. `media.media_ids` */
  mediaIds?: readonly string[];
  /**
   * Files to upload and attach (with `mediaIds`, 1–4 in all): `posts.create()` checks their types from
   * their bytes (no video or GIF beside other media), uploads them (images in parallel), then posts.
   */
  media?: readonly MediaAttachment[];
  /** Up to 10 users tagged in the photos. `media.tagged_user_ids` */
  taggedUserIds?: readonly string[];
  reply?: {
    /** The post this one answers. `reply.in_reply_to_tweet_id` */
    inReplyTo: string;
    /** Users not to @mention in the reply. `reply.exclude_reply_user_ids` */
    excludeReplyUserIds?: readonly string[];
  };
  /** The post to quote (Enterprise only on current plans). `quote_tweet_id` */
  quote?: string;
  poll?: {
    /** 2–4 options of 1–25 characters. */
    options: readonly string[];
    /** 5–10080 (one week). `poll.duration_minutes` */
    durationMinutes: number;
  };
  /** Who may reply; omit for everyone. `reply_settings` */
  replySettings?: ReplySettings;
  /** Post into a community. `community_id` */
  communityId?: string;
  /** With `communityId`: also show it to followers. `share_with_followers` */
  shareWithFollowers?: boolean;
  /** `for_super_followers_only` */
  forSuperFollowersOnly?: boolean;
  /** Labels AI-generated media. `made_with_ai` */
  madeWithAi?: boolean;
  /** The paid-promotion label. `paid_partnership` */
  paidPartnership?: boolean;
  /** Attached only when the user has geo enabled. `geo.place_id` */
  placeId?: string;
  /** `direct_message_deep_link` */
  directMessageDeepLink?: string;
  /** `card_uri` */
  cardUri?: string;
  /** A promoted-only post. `nullcast` */
  nullcast?: boolean;
  /** Edit this post of yours instead of creating one (X Premium, under 1 hour old). `edit_options.previous_post_id` */
  editOf?: string;
}

/** The `POST /2/tweets` body as X reads it (REFERENCE §3.1). */
export interface CreatePostBody {
  text?: string;
  media?: { media_ids: string[]; tagged_user_ids?: string[] };
  reply?: { in_reply_to_tweet_id: string; exclude_reply_user_ids?: string[] };
  quote_tweet_id?: string;
  poll?: { options: string[]; duration_minutes: number };
  reply_settings?: ReplySettings;
  community_id?: string;
  share_with_followers?: boolean;
  for_super_followers_only?: boolean;
  made_with_ai?: boolean;
  paid_partnership?: boolean;
  geo?: { place_id: string };
  direct_message_deep_link?: string;
  card_uri?: string;
  nullcast?: boolean;
  edit_options?: { previous_post_id: string };
}

/** What `POST /2/tweets` answers (REFERENCE §3.2): the text has its URLs rewritten to t.co links. */
export interface CreatedPost {
  id: string;
  text: string;
  /** The original first, this version last; `[id]` for a new post. */
  editHistoryTweetIds: string[];
}

/** `tweet.fields` values (spec v2.167 plus the long-standing names X still accepts). */
export const TWEET_FIELDS = [
  'article',
  'attachments',
  'author_id',
  'card_uri',
  'community_id',
  'context_annotations',
  'conversation_id',
  'created_at',
  'display_text_range',
  'edit_controls',
  'edit_history_tweet_ids',
  'entities',
  'geo',
  'id',
  'in_reply_to_user_id',
  'lang',
  'media_metadata',
  'non_public_metrics',
  'note_tweet',
  'organic_metrics',
  'paid_partnership',
  'possibly_sensitive',
  'promoted_metrics',
  'public_metrics',
  'referenced_tweets',
  'reply_settings',
  'scopes',
  'source',
  'text',
  'withheld',
] as const;
export type TweetField = (typeof TWEET_FIELDS)[number];

export interface ReferencedPost {
  type: 'replied_to' | 'quoted' | 'retweeted';
  id: string;
}

export interface PostUrlEntity {
  start: number;
  end: number;
  /** The t.co link in the text. */
  url: string;
  expandedUrl?: string;
  displayUrl?: string;
  /** Set on the link X appends for attached media. */
  mediaKey?: string;
}

/**
 * A post as the v2 lookups return it: `id`, `text` and `editHistoryTweetIds` always, the rest when
 * asked for through `fields` (X leaves out empty values).
 */
export interface Post {
  id: string;
  /** At most 280 characters; a longer (Premium) post's full text is in `noteTweet.text`. */
  text: string;
  editHistoryTweetIds: string[];
  createdAt?: string;
  authorId?: string;
  conversationId?: string;
  inReplyToUserId?: string;
  referencedTweets?: ReferencedPost[];
  attachments?: { mediaKeys?: string[]; pollIds?: string[] };
  entities?: {
    urls?: PostUrlEntity[];
    mentions?: Array<{ start: number; end: number; username: string; id?: string }>;
    hashtags?: Array<{ start: number; end: number; tag: string }>;
    cashtags?: Array<{ start: number; end: number; tag: string }>;
  };
  replySettings?: ReplySettings | 'everyone';
  editControls?: { editsRemaining: number; isEditEligible: boolean; editableUntil: string };
  publicMetrics?: {
    retweetCount: number;
    replyCount: number;
    likeCount: number;
    quoteCount: number;
    bookmarkCount?: number;
    impressionCount?: number;
  };
  noteTweet?: { text: string; entities?: Post['entities'] };
  lang?: string;
  possiblySensitive?: boolean;
  displayTextRange?: [number, number];
  communityId?: string;
  paidPartnership?: boolean;
  cardUri?: string;
  geo?: { placeId?: string };
}

export interface GetPostOptions {
  /** `tweet.fields`; `id`, `text` and `edit_history_tweet_ids` always come. */
  fields?: readonly TweetField[];
  signal?: AbortSignal;
}

export interface DeletePostOptions {
  signal?: AbortSignal;
}

export interface CreatePostOptions {
  /** Cancels the uploads and the post (a post already sent cannot be recalled: see `findRecent`). */
  signal?: AbortSignal;
  /** For `media` attachments: upload progress, a resumable journal, X Premium size limits. */
  mediaUpload?: Omit<AttachmentUploadOptions, 'signal'>;
}

/** `findRecent()`: which post to look for among the account's recent posts. */
export interface FindRecentParams {
  /** The text as it was sent (URLs are matched through their t.co form). */
  text: string;
  /** The post it replied to; leave it out for a post that is not a reply (a reply then never matches). */
  inReplyTo?: string;
  /** Only posts created at or after this time. */
  since?: Date | string;
  /** Only posts newer than this id (a reply is always newer than the post it answers). */
  sinceId?: string;
  /** Whose posts; default the authenticated user. */
  authorId?: string;
  /** Pages of 100 to read, newest first (default 3). */
  maxPages?: number;
  signal?: AbortSignal;
}

/** One item of a thread: a text, or a whole post (its `reply` only on the first item). */
export type ThreadItem = string | CreatePostParams;

export interface ThreadOptions {
  /** Continue a thread that failed: the ids it had posted (`XThreadError.resumeFrom`). */
  resumeFrom?: { postedIds: readonly string[]; since?: Date | string };
  signal?: AbortSignal;
}

export interface ThreadPost extends CreatedPost {
  /** Its position in `items`. */
  index: number;
  /** Found among recent posts after an unknown outcome rather than confirmed by X's answer. */
  reconciled: boolean;
}

export interface ThreadResult {
  /** Every item's id, in order (resumed ones included). */
  ids: string[];
  /** The items this call posted or found. */
  posts: ThreadPost[];
}
