/**
 * The JSON schema of the `POST /2/tweets` body, written from the spec's `CreatePostsRequest`
 * (v2.167; `TweetCreateRequest` in older versions) and REFERENCE §3.1. Fastify validates bodies with
 * it and `validation.ts` turns its errors into X's networknt-style messages, e.g.
 * `$.media.media_ids: there must be a minimum of 1 item in the array` (REFERENCE §5.2).
 *
 * Only what a schema can say lives here. Rules X enforces beyond the spec (text required unless
 * media, mutual exclusivity, weighted length, cashtags, reply and quote rules) are in
 * `validate-post.ts`; `test/emulator/openapi-tweets.test.ts` checks this schema against the spec's.
 */

/** Snowflake ids as decimal strings (REFERENCE §3.1). */
export const ID_PATTERN = '^[0-9]{1,19}$';

export const REPLY_SETTINGS = ['following', 'mentionedUsers', 'subscribers', 'verified'] as const;

const id = { type: 'string', pattern: ID_PATTERN } as const;

const ctaUrl = {
  type: 'object',
  required: ['url'],
  properties: { url: { type: 'string' } },
  additionalProperties: false,
} as const;

const media = {
  type: 'object',
  required: ['media_ids'],
  properties: {
    media_ids: { type: 'array', minItems: 1, maxItems: 4, items: id },
    // Accepted and ignored for accounts that turned photo tagging off (REFERENCE §3.1).
    tagged_user_ids: { type: 'array', maxItems: 10, items: id },
    preview_media_id: id,
    title: { type: 'string' },
    description: { type: 'string' },
    embeddable: { type: 'boolean' },
    call_to_actions: {
      type: 'object',
      properties: {
        visit_site: ctaUrl,
        watch_now: ctaUrl,
        app_install: {
          type: 'object',
          properties: {
            app_store_id: { type: 'string' },
            ipad_app_store_id: { type: 'string' },
            play_store_id: { type: 'string' },
          },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

const poll = {
  type: 'object',
  required: ['options', 'duration_minutes'],
  properties: {
    options: {
      type: 'array',
      minItems: 2,
      maxItems: 4,
      items: { type: 'string', minLength: 1, maxLength: 25 },
    },
    duration_minutes: { type: 'integer', minimum: 5, maximum: 10080 },
    // v2.167: "accepted for compatibility … dropped".
    reply_settings: { type: 'string', enum: REPLY_SETTINGS },
  },
  additionalProperties: false,
} as const;

const reply = {
  type: 'object',
  required: ['in_reply_to_tweet_id'],
  properties: {
    in_reply_to_tweet_id: id,
    // The spec gives these items no pattern; neither do we, so both accept the same bodies.
    exclude_reply_user_ids: { type: 'array', items: { type: 'string' } },
    auto_populate_reply_metadata: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;

/** The body schema of `POST /2/tweets`; `additionalProperties: false` at every level (REFERENCE §3.1). */
export const CREATE_POST_BODY_SCHEMA = {
  type: 'object',
  properties: {
    text: { type: 'string' },
    media,
    poll,
    reply,
    quote_tweet_id: id,
    reply_settings: { type: 'string', enum: REPLY_SETTINGS },
    for_super_followers_only: { type: 'boolean' },
    share_with_followers: { type: 'boolean' },
    community_id: id,
    geo: {
      type: 'object',
      required: ['place_id'],
      properties: { place_id: { type: 'string' } },
      additionalProperties: false,
    },
    direct_message_deep_link: { type: 'string' },
    card_uri: { type: 'string' },
    nullcast: { type: 'boolean' },
    made_with_ai: { type: 'boolean' },
    paid_partnership: { type: 'boolean' },
    edit_options: {
      type: 'object',
      required: ['previous_post_id'],
      properties: { previous_post_id: id },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

/** The body as the handler sees it once the schema has accepted it. */
export interface CreatePostBody {
  text?: string;
  media?: {
    media_ids: string[];
    tagged_user_ids?: string[];
    preview_media_id?: string;
    title?: string;
    description?: string;
    embeddable?: boolean;
    call_to_actions?: Record<string, unknown>;
  };
  poll?: { options: string[]; duration_minutes: number; reply_settings?: string };
  reply?: {
    in_reply_to_tweet_id: string;
    exclude_reply_user_ids?: string[];
    auto_populate_reply_metadata?: boolean;
  };
  quote_tweet_id?: string;
  reply_settings?: (typeof REPLY_SETTINGS)[number];
  for_super_followers_only?: boolean;
  share_with_followers?: boolean;
  community_id?: string;
  geo?: { place_id: string };
  direct_message_deep_link?: string;
  card_uri?: string;
  nullcast?: boolean;
  made_with_ai?: boolean;
  paid_partnership?: boolean;
  edit_options?: { previous_post_id: string };
}
