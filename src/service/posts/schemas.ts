import { type Static, Type } from 'typebox';
import { POST_STATES, POST_TARGET_STATES } from '../states.js';

/**
 * The JSON schemas of the posts API (request bodies, query, responses), which Fastify validates and
 * /openapi.json publishes. They check the SHAPE only (types, known fields): every rule about values
 * (lengths, ranges, ids, times, accounts) is checked by validate-*.ts, which reports all problems at
 * once with stable codes and messages that say how to fix them. The rules are written in the
 * descriptions here so the OpenAPI document states them.
 */

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, description: string) =>
  Type.Union([schema, Type.Null()], { description });

/**
 * A string or a boolean that may be `null` in a request body: a type list, not `anyOf`, because the
 * service's ajv coerces types, and in an `anyOf` it would turn `null` into `""` or `false` in the
 * first branch instead of matching the `null` one.
 */
const nullableScalar = <T extends 'string' | 'boolean'>(type: T, description: string) =>
  Type.Unsafe<(T extends 'string' ? string : boolean) | null>({ type: [type, 'null'], description });

export const MediaEntry = Type.Union(
  [
    Type.String({ description: 'An http(s) URL of an image, GIF or video; fetched before publishing.' }),
    Type.Object(
      {
        url: Type.Optional(Type.String({ description: 'An http(s) URL to fetch the media from.' })),
        id: Type.Optional(
          Type.String({ description: 'The id of media uploaded with POST /api/media (state `ready`).' }),
        ),
        alt: Type.Optional(Type.String({ description: 'Alt text, at most 1000 characters.' })),
      },
      { additionalProperties: false, description: 'Exactly one of `url` or `id`, with optional alt text.' },
    ),
  ],
  {
    description:
      'A media item: a URL, `{ url, alt }` or `{ id, alt }`. At most 4 per post; a video or a GIF must be alone.',
  },
);

const MediaList = Type.Array(MediaEntry, {
  description: 'Media of this post: up to 4 images, or 1 GIF, or 1 video.',
});

const ThreadItem = Type.Object(
  {
    body: Type.Optional(Type.String({ description: 'Text; may be empty when the item has media.' })),
    media: Type.Optional(MediaList),
  },
  { additionalProperties: false },
);

const ThreadList = Type.Array(ThreadItem, {
  description: 'Further posts of a thread, each a reply to the one before (at most 99).',
});

const Poll = Type.Object(
  {
    options: Type.Array(Type.String(), { description: '2 to 4 options of 1 to 25 characters each.' }),
    duration_minutes: Type.Integer({ description: 'How long the poll runs: 5 to 10080 minutes (7 days).' }),
  },
  { additionalProperties: false, description: 'A poll on the first post. Not with media or a quote.' },
);

const REPLY_TO = 'The numeric id of the X post the first post replies to.';
const QUOTE = 'The numeric id of the X post the first post quotes.';
const REPLY_SETTINGS =
  'Who may reply: `following`, `mentionedUsers`, `subscribers` or `verified` (leave out for everyone).';
const AUTO_THREAD =
  'Split a body longer than the accounts allow into a numbered thread (` 1/3`, ` 2/3`, …). Not with `thread`.';

const XOptions = Type.Object(
  {
    reply_to: Type.Optional(Type.String({ description: REPLY_TO })),
    quote: Type.Optional(Type.String({ description: QUOTE })),
    poll: Type.Optional(Poll),
    reply_settings: Type.Optional(Type.String({ description: REPLY_SETTINGS })),
    auto_thread: Type.Optional(Type.Boolean({ description: AUTO_THREAD })),
  },
  { additionalProperties: false, description: 'Options for X; they apply to the first post.' },
);

/** PATCH: as create, and `null` removes an option. */
const XOptionsPatch = Type.Object(
  {
    reply_to: Type.Optional(nullableScalar('string', `${REPLY_TO} \`null\` removes it.`)),
    quote: Type.Optional(nullableScalar('string', `${QUOTE} \`null\` removes it.`)),
    poll: Type.Optional(nullable(Poll, 'A poll on the first post; `null` removes it.')),
    reply_settings: Type.Optional(nullableScalar('string', `${REPLY_SETTINGS} \`null\`: everyone.`)),
    auto_thread: Type.Optional(nullableScalar('boolean', AUTO_THREAD)),
  },
  { additionalProperties: false, description: 'Options for X to change; fields left out keep their value.' },
);

const BODY =
  'The text of the (first) post. Its weighted length (a URL counts 23, most CJK characters and emoji 2) ' +
  'must fit the smallest limit of the chosen accounts (280, or 25,000 with X Premium). May be empty with media.';
const SCHEDULED_AT =
  'When to publish: ISO-8601 with a timezone (`2025-06-01T09:30:00Z`). Left out: now. More than 60 s ' +
  'in the past is refused; within 60 s means now.';
const DRAFT = 'Save without publishing until POST /api/posts/:id/publish or a PATCH with `draft: false`.';

export const CreatePostBody = Type.Object(
  {
    post: Type.Object(
      {
        body: Type.Optional(Type.String({ description: BODY })),
        scheduled_at: Type.Optional(Type.String({ description: SCHEDULED_AT })),
        draft: Type.Optional(Type.Boolean({ description: DRAFT })),
      },
      { additionalProperties: false },
    ),
    accounts: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Ids of the accounts to post to (GET /api/accounts). Either this or `profiles`.',
      }),
    ),
    profiles: Type.Optional(
      Type.Array(Type.String(), {
        description: '`["x"]`: every connected X account. Either this or `accounts`.',
      }),
    ),
    media: Type.Optional(MediaList),
    thread: Type.Optional(ThreadList),
    x: Type.Optional(XOptions),
  },
  { additionalProperties: false },
);
export type CreatePostBody = Static<typeof CreatePostBody>;

export const PatchPostBody = Type.Object(
  {
    post: Type.Optional(
      Type.Object(
        {
          body: Type.Optional(Type.String({ description: BODY })),
          scheduled_at: Type.Optional(
            nullableScalar(
              'string',
              `${SCHEDULED_AT} \`null\` removes the schedule: publish now (unless a draft).`,
            ),
          ),
          draft: Type.Optional(Type.Boolean({ description: DRAFT })),
        },
        { additionalProperties: false },
      ),
    ),
    media: Type.Optional(
      Type.Array(MediaEntry, { description: 'Replaces the media of the first post (`[]` removes them).' }),
    ),
    thread: Type.Optional(
      Type.Array(ThreadItem, { description: 'Replaces the thread after the first post (`[]` removes it).' }),
    ),
    x: Type.Optional(XOptionsPatch),
  },
  { additionalProperties: false },
);
export type PatchPostBody = Static<typeof PatchPostBody>;

export const PostIdParams = Type.Object({ id: Type.String({ description: 'The post id (a UUID).' }) });
export type PostIdParams = Static<typeof PostIdParams>;

export const ListPostsQuery = Type.Object(
  {
    state: Type.Optional(
      Type.String({ description: `Only posts in this state: ${POST_STATES.join(', ')}.` }),
    ),
    account: Type.Optional(Type.String({ description: 'Only posts to this account (its id).' })),
    limit: Type.Optional(Type.String({ description: 'Posts per page, 1 to 100; default 20.' })),
    cursor: Type.Optional(Type.String({ description: 'The `next_cursor` of the previous page.' })),
  },
  { additionalProperties: false },
);
export type ListPostsQuery = Static<typeof ListPostsQuery>;

const Timestamp = (description: string) => Type.String({ format: 'date-time', description });
const NullableTimestamp = (description: string) => nullable(Timestamp(description), description);
const NullableString = (description: string) => nullable(Type.String(), description);

const StoredMediaView = Type.Object({
  id: Type.String({ description: 'The media id (POST /api/media, or created from a URL).' }),
  alt: Type.Optional(Type.String()),
});

const AttemptView = Type.Object({
  item_index: Type.Integer({ description: 'Which post of the thread (0 = the first).' }),
  started_at: Timestamp('When the attempt was recorded, just before calling X.'),
  finished_at: NullableTimestamp('When it ended; null while in flight.'),
  outcome: NullableString('`sent`, `failed`, `unknown` (being reconciled) or `reconciled`; null in flight.'),
  x_post_id: NullableString('The X post id it created.'),
  error_code: NullableString('Our reason code for a failed attempt.'),
  error_detail: NullableString("X's own words."),
});

const TargetView = Type.Object({
  id: Type.String(),
  account: Type.Object({ id: Type.String(), username: Type.String() }),
  state: Type.String({ description: `One of ${POST_TARGET_STATES.join(', ')}.` }),
  run_at: Timestamp('When a worker takes it up (the schedule, a retry, a rate limit reset).'),
  x_post_ids: Type.Array(Type.String(), { description: 'X ids of the posts published, in thread order.' }),
  urls: Type.Array(Type.String(), { description: 'https://x.com/<username>/status/<id> of each.' }),
  published_at: NullableTimestamp('When the last post of the thread was published.'),
  attempts: Type.Array(AttemptView),
  error: Type.Union(
    [
      Type.Object({
        code: Type.String({ description: 'Our reason code.' }),
        detail: NullableString("X's own words."),
        retryable: Type.Boolean({ description: 'Whether it will be tried again.' }),
      }),
      Type.Null(),
    ],
    { description: 'The last failure; null when none.' },
  ),
  deleted_on_x_at: NullableTimestamp('When its posts were deleted on X (DELETE /api/posts/:id).'),
});

export const PostView = Type.Object({
  id: Type.String(),
  state: Type.String({ description: `One of ${POST_STATES.join(', ')}.` }),
  body: Type.String({ description: 'The text of the first post.' }),
  scheduled_at: NullableTimestamp('The schedule, if any.'),
  draft: Type.Boolean(),
  created_at: Timestamp('When it was accepted.'),
  updated_at: Timestamp('When it last changed.'),
  request: Type.Object({
    items: Type.Array(Type.Object({ body: Type.String(), media: Type.Array(StoredMediaView) }), {
      description: 'The posts of the thread as they will be sent (auto_thread already applied).',
    }),
    x: Type.Object({
      reply_to: Type.Optional(Type.String()),
      quote: Type.Optional(Type.String()),
      poll: Type.Optional(
        Type.Object({ options: Type.Array(Type.String()), duration_minutes: Type.Integer() }),
      ),
      reply_settings: Type.Optional(Type.String()),
      auto_thread: Type.Optional(Type.Boolean()),
    }),
  }),
  targets: Type.Array(TargetView, { description: 'The post on each account.' }),
});
export type PostView = Static<typeof PostView>;
export type TargetView = Static<typeof TargetView>;

export const PostPage = Type.Object({
  data: Type.Array(PostView),
  next_cursor: NullableString('Pass it as `cursor` for the next page; null on the last page.'),
});
