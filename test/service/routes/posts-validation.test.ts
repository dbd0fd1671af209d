import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { registerPostRoutes } from '../../../src/service/routes/posts.js';
import { type AccountRow, accounts, sql } from '../../../src/service/store/sql.js';
import { describeDatabases } from '../../helpers/database.js';
import { useEmulator } from '../../helpers/emulator.js';
import { buildTestServiceApp, connectEmulatorUser, type TestServiceApp } from '../../helpers/service-app.js';

const emulator = useEmulator();

/** What a case can refer to: accounts in each condition, and media rows in each state. */
interface Ctx {
  alice: string;
  removed: string;
  reconnect: string;
  now: Date;
  media: { image: string; image2: string; video: string; gif: string; pending: string; failed: string };
}

interface Case {
  name: string;
  payload: (c: Ctx) => unknown;
  /** Every problem expected, by field and code, in any order. */
  errors: { field: string; code: string }[];
  /** Words the first problem's message must contain (the advice). */
  says?: RegExp;
  /** Remove every account before sending. */
  noAccounts?: boolean;
}

const post =
  (body: string, extra: Record<string, unknown> = {}) =>
  (c: Ctx) => ({
    post: { body },
    accounts: [c.alice],
    ...extra,
  });
const withX = (x: Record<string, unknown>, body = 'a post') => post(body, { x });
const withMedia = (media: (c: Ctx) => unknown[]) => (c: Ctx) => ({
  post: { body: 'm' },
  accounts: [c.alice],
  media: media(c),
});
const at = (c: Ctx, ms: number) => new Date(c.now.getTime() + ms).toISOString();

const CASES: Case[] = [
  // Accounts
  {
    name: 'no accounts nor profiles',
    payload: () => ({ post: { body: 'x' } }),
    errors: [{ field: 'accounts', code: 'required' }],
    says: /profiles/,
  },
  {
    name: 'accounts and profiles',
    payload: (c) => ({ post: { body: 'x' }, accounts: [c.alice], profiles: ['x'] }),
    errors: [{ field: 'accounts', code: 'accounts_and_profiles' }],
  },
  {
    name: 'empty accounts',
    payload: () => ({ post: { body: 'x' }, accounts: [] }),
    errors: [{ field: 'accounts', code: 'empty' }],
  },
  {
    name: 'an account id that is not a uuid, and an unknown one',
    payload: () => ({ post: { body: 'x' }, accounts: ['nope', randomUUID()] }),
    errors: [
      { field: 'accounts[0]', code: 'unknown_account' },
      { field: 'accounts[1]', code: 'unknown_account' },
    ],
    says: /GET \/api\/accounts/,
  },
  {
    name: 'the same account twice',
    payload: (c) => ({ post: { body: 'x' }, accounts: [c.alice, c.alice.toUpperCase()] }),
    errors: [{ field: 'accounts[1]', code: 'duplicate' }],
  },
  {
    name: 'a removed account',
    payload: (c) => ({ post: { body: 'x' }, accounts: [c.removed] }),
    errors: [{ field: 'accounts[0]', code: 'account_removed' }],
  },
  {
    name: 'an account that needs reconnecting',
    payload: (c) => ({ post: { body: 'x' }, accounts: [c.reconnect] }),
    errors: [{ field: 'accounts[0]', code: 'account_needs_reconnect' }],
    says: /connect/,
  },
  {
    name: 'an unknown profile',
    payload: () => ({ post: { body: 'x' }, profiles: ['mastodon'] }),
    errors: [{ field: 'profiles[0]', code: 'unknown_profile' }],
  },
  {
    name: 'empty profiles',
    payload: () => ({ post: { body: 'x' }, profiles: [] }),
    errors: [{ field: 'profiles', code: 'empty' }],
  },
  {
    name: 'profiles x with no account connected',
    payload: () => ({ post: { body: 'x' }, profiles: ['x'] }),
    errors: [{ field: 'profiles', code: 'no_accounts' }],
    noAccounts: true,
  },
  // Bodies
  { name: 'an empty body without media', payload: post(''), errors: [{ field: 'post.body', code: 'empty' }] },
  {
    name: 'a blank body without media',
    payload: post(' \n '),
    errors: [{ field: 'post.body', code: 'empty' }],
  },
  {
    name: 'no body at all without media',
    payload: (c) => ({ post: {}, accounts: [c.alice] }),
    errors: [{ field: 'post.body', code: 'empty' }],
  },
  {
    name: 'an empty thread item',
    payload: post('first', { thread: [{ body: '' }] }),
    errors: [{ field: 'thread[0].body', code: 'empty' }],
  },
  {
    name: 'a body over 280',
    payload: post('a'.repeat(281)),
    errors: [{ field: 'post.body', code: 'too_long' }],
    says: /281.*280.*auto_thread/,
  },
  {
    name: 'a body of 258 characters and a URL (counted 23)',
    payload: post(`${'a'.repeat(258)} https://example.com/${'x'.repeat(100)}`),
    errors: [{ field: 'post.body', code: 'too_long' }],
    says: /is 282 characters/,
  },
  {
    name: 'a thread item over 280',
    payload: post('first', { thread: [{ body: 'b'.repeat(300) }] }),
    errors: [{ field: 'thread[0].body', code: 'too_long' }],
    says: /more thread items/,
  },
  {
    name: 'a character X refuses',
    payload: post('bad \uFFFE char'),
    errors: [{ field: 'post.body', code: 'invalid_characters' }],
    says: /U\+FFFE/,
  },
  {
    name: 'a thread of more than 100 posts',
    payload: post('first', { thread: Array.from({ length: 100 }, (_, i) => ({ body: `item ${i}` })) }),
    errors: [{ field: 'thread', code: 'too_many_items' }],
  },
  // Media
  {
    name: 'five media',
    payload: withMedia(() => Array.from({ length: 5 }, (_, i) => `https://example.com/${i}.jpg`)),
    errors: [{ field: 'media', code: 'too_many_media' }],
  },
  {
    name: 'media URLs that are not http(s)',
    payload: withMedia(() => ['ftp://example.com/a.jpg', 'not a url', { url: 'file:///etc/passwd' }]),
    errors: [
      { field: 'media[0]', code: 'invalid_url' },
      { field: 'media[1]', code: 'invalid_url' },
      { field: 'media[2].url', code: 'invalid_url' },
    ],
  },
  {
    name: 'a media entry with neither or both of url and id',
    payload: withMedia((c) => [{}, { url: 'https://example.com/a.jpg', id: c.media.image }]),
    errors: [
      { field: 'media[0]', code: 'url_or_id' },
      { field: 'media[1]', code: 'url_or_id' },
    ],
  },
  {
    name: 'unknown media ids',
    payload: withMedia(() => [{ id: 'abc' }, { id: randomUUID() }]),
    errors: [
      { field: 'media[0].id', code: 'unknown_media' },
      { field: 'media[1].id', code: 'unknown_media' },
    ],
    says: /POST \/api\/media/,
  },
  {
    name: 'media not ready, and failed',
    payload: withMedia((c) => [{ id: c.media.pending }, { id: c.media.failed }]),
    errors: [
      { field: 'media[0].id', code: 'media_not_ready' },
      { field: 'media[1].id', code: 'media_failed' },
    ],
  },
  {
    name: 'a video with an image',
    payload: withMedia((c) => [{ id: c.media.video }, { id: c.media.image }]),
    errors: [{ field: 'media', code: 'video_or_gif_alone' }],
  },
  {
    name: 'a GIF with a URL, on a thread item',
    payload: post('first', {
      thread: [{ body: 'gif', media: [{ id: '__gif__' }, 'https://example.com/a.jpg'] }],
    }),
    errors: [{ field: 'thread[0].media', code: 'video_or_gif_alone' }],
  },
  {
    name: 'the same media twice',
    payload: withMedia((c) => [{ id: c.media.image }, { id: c.media.image }]),
    errors: [{ field: 'media[1].id', code: 'duplicate_media' }],
  },
  {
    name: 'alt text over 1000 characters',
    payload: withMedia((c) => [
      { id: c.media.image, alt: 'a'.repeat(1001) },
      { url: 'https://example.com/a.jpg', alt: 'b'.repeat(1001) },
    ]),
    errors: [
      { field: 'media[0].alt', code: 'too_long' },
      { field: 'media[1].alt', code: 'too_long' },
    ],
  },
  // Poll and X options
  {
    name: 'a poll with one option',
    payload: withX({ poll: { options: ['only'], duration_minutes: 60 } }),
    errors: [{ field: 'x.poll.options', code: 'poll_options_count' }],
  },
  {
    name: 'a poll with five options',
    payload: withX({ poll: { options: ['a', 'b', 'c', 'd', 'e'], duration_minutes: 60 } }),
    errors: [{ field: 'x.poll.options', code: 'poll_options_count' }],
  },
  {
    name: 'poll options empty and too long',
    payload: withX({ poll: { options: ['fine', ' ', 'x'.repeat(26)], duration_minutes: 60 } }),
    errors: [
      { field: 'x.poll.options[1]', code: 'empty' },
      { field: 'x.poll.options[2]', code: 'too_long' },
    ],
  },
  {
    name: 'a poll of 4 minutes',
    payload: withX({ poll: { options: ['a', 'b'], duration_minutes: 4 } }),
    errors: [{ field: 'x.poll.duration_minutes', code: 'out_of_range' }],
  },
  {
    name: 'a poll of more than 7 days',
    payload: withX({ poll: { options: ['a', 'b'], duration_minutes: 10_081 } }),
    errors: [{ field: 'x.poll.duration_minutes', code: 'out_of_range' }],
  },
  {
    name: 'a poll with media and a quote',
    payload: (c) => ({
      post: { body: 'poll' },
      accounts: [c.alice],
      media: ['https://example.com/a.jpg'],
      x: { quote: '1790000000000000000', poll: { options: ['a', 'b'], duration_minutes: 60 } },
    }),
    errors: [
      { field: 'x.poll', code: 'poll_with_media' },
      { field: 'x.poll', code: 'poll_with_quote' },
    ],
  },
  {
    name: 'reply settings X does not know',
    payload: withX({ reply_settings: 'everyone' }),
    errors: [{ field: 'x.reply_settings', code: 'invalid_value' }],
    says: /following, mentionedUsers, subscribers, verified/,
  },
  {
    name: 'reply_to and quote that are not X ids',
    payload: withX({ reply_to: 'https://x.com/a/status/1', quote: '12345678901234567890' }),
    errors: [
      { field: 'x.reply_to', code: 'invalid_id' },
      { field: 'x.quote', code: 'invalid_id' },
    ],
  },
  {
    name: 'auto_thread with a thread',
    payload: post('first', { thread: [{ body: 'second' }], x: { auto_thread: true } }),
    errors: [{ field: 'x.auto_thread', code: 'auto_thread_with_thread' }],
    says: /either|or your own thread/,
  },
  // Schedule
  {
    name: 'a schedule that is not a date',
    payload: (c) => ({ post: { body: 'x', scheduled_at: 'tomorrow' }, accounts: [c.alice] }),
    errors: [{ field: 'post.scheduled_at', code: 'invalid_datetime' }],
  },
  {
    name: 'a schedule without a timezone',
    payload: (c) => ({ post: { body: 'x', scheduled_at: '2999-01-01T10:00:00' }, accounts: [c.alice] }),
    errors: [{ field: 'post.scheduled_at', code: 'missing_timezone' }],
    says: /Z for UTC/,
  },
  {
    name: 'a schedule on a day that does not exist',
    payload: (c) => ({ post: { body: 'x', scheduled_at: '2999-02-30T10:00:00Z' }, accounts: [c.alice] }),
    errors: [{ field: 'post.scheduled_at', code: 'invalid_datetime' }],
  },
  {
    name: 'a schedule 61 s in the past',
    payload: (c) => ({ post: { body: 'x', scheduled_at: at(c, -61_000) }, accounts: [c.alice] }),
    errors: [{ field: 'post.scheduled_at', code: 'in_the_past' }],
  },
  {
    name: 'a draft scheduled in the past',
    payload: (c) => ({
      post: { body: 'x', draft: true, scheduled_at: at(c, -3600_000) },
      accounts: [c.alice],
    }),
    errors: [{ field: 'post.scheduled_at', code: 'in_the_past' }],
  },
  // The shape (Fastify's schema validation, same 422 shape)
  {
    name: 'a misspelt field',
    payload: (c) => ({ post: { body: 'x', scheduledAt: at(c, 3600_000) }, accounts: [c.alice] }),
    errors: [{ field: 'post.scheduledAt', code: 'unknown_field' }],
  },
  {
    name: 'an unknown X option',
    payload: withX({ community_id: '1' }),
    errors: [{ field: 'x.community_id', code: 'unknown_field' }],
  },
  {
    name: 'no post',
    payload: (c) => ({ accounts: [c.alice] }),
    errors: [{ field: 'post', code: 'required' }],
  },
  // Many at once
  {
    name: 'every problem of one request at once',
    payload: (c) => ({
      post: { body: 'a'.repeat(300), scheduled_at: at(c, -3600_000) },
      accounts: [c.alice, c.removed],
      media: ['ftp://nope'],
      thread: [{ body: '' }],
      x: { reply_settings: 'all', poll: { options: ['a'], duration_minutes: 1 } },
    }),
    errors: [
      { field: 'post.scheduled_at', code: 'in_the_past' },
      { field: 'accounts[1]', code: 'account_removed' },
      { field: 'media[0]', code: 'invalid_url' },
      { field: 'x.reply_settings', code: 'invalid_value' },
      { field: 'x.poll.options', code: 'poll_options_count' },
      { field: 'x.poll.duration_minutes', code: 'out_of_range' },
      { field: 'post.body', code: 'too_long' },
      { field: 'thread[0].body', code: 'empty' },
    ],
  },
];

describeDatabases('POST /api/posts: every validation error', ({ db }) => {
  let t: TestServiceApp;
  let ctx: Ctx;

  const mediaRow = async (state: string, type: string, category: string, error: string | null = null) =>
    (
      await db().query<{ id: string }>(
        sql(
          `INSERT INTO xpost.media (local_path, content_type, media_category, state, error)
           VALUES ('/tmp/m', $1, $2, $3, $4) RETURNING id`,
          [type, category, state, error],
        ),
      )
    ).rows[0]!.id;

  beforeEach(async () => {
    t = await buildTestServiceApp({ db: db(), emulator: emulator(), register: registerPostRoutes });
    const alice: AccountRow = await connectEmulatorUser(db(), t.deps.box, emulator());
    const removed = await connectEmulatorUser(db(), t.deps.box, emulator(), { user: emulator().otherUser });
    await db().query(accounts.softDelete(removed.id, t.clock()));
    const third = emulator().createUser({ username: `third_${Date.now()}` });
    const reconnect = await connectEmulatorUser(db(), t.deps.box, emulator(), { user: third });
    await db().query(accounts.markNeedsReconnect(reconnect.id, 'invalid_grant'));
    ctx = {
      alice: alice.id,
      removed: removed.id,
      reconnect: reconnect.id,
      now: t.clock(),
      media: {
        image: await mediaRow('ready', 'image/png', 'tweet_image'),
        image2: await mediaRow('ready', 'image/jpeg', 'tweet_image'),
        video: await mediaRow('ready', 'video/mp4', 'tweet_video'),
        gif: await mediaRow('ready', 'image/gif', 'tweet_gif'),
        pending: await mediaRow('pending', 'image/png', 'tweet_image'),
        failed: await mediaRow('failed', 'image/png', 'tweet_image', 'not an image'),
      },
    };
  });
  afterEach(async () => {
    await t.app.close();
  });

  it.each(CASES)('422 for $name', async (c) => {
    if (c.noAccounts) {
      await db().query(sql('UPDATE xpost.accounts SET deleted_at = now() WHERE deleted_at IS NULL'));
    }
    const payload = JSON.parse(JSON.stringify(c.payload(ctx)).replaceAll('__gif__', ctx.media.gif));
    const res = await t.app.inject({ method: 'POST', url: '/api/posts', headers: t.headers, payload });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem.code).toBe('validation_failed');
    const got = problem.errors.map((e: { field: string; code: string }) => ({
      field: e.field,
      code: e.code,
    }));
    expect(got).toEqual(expect.arrayContaining(c.errors));
    expect(got).toHaveLength(c.errors.length);
    for (const e of problem.errors) expect(e.message.length).toBeGreaterThan(5);
    if (c.says) expect(problem.errors[0].message).toMatch(c.says);
    // Nothing was stored.
    expect((await db().query(sql('SELECT id FROM xpost.posts'))).rows).toEqual([]);
    expect((await db().query(sql('SELECT id FROM xpost.media WHERE source_url IS NOT NULL'))).rows).toEqual(
      [],
    );
  });

  it('accepts what the cases refuse once fixed (the limits themselves)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/posts',
      headers: t.headers,
      payload: {
        post: { body: 'a'.repeat(280), scheduled_at: at(ctx, -60_000) },
        accounts: [ctx.alice],
        thread: [
          {
            body: '',
            media: [
              { id: ctx.media.image, alt: 'a'.repeat(1000) },
              { id: ctx.media.image2 },
              'https://example.com/1.jpg',
              'http://example.com/2.jpg',
            ],
          },
          { body: 'video', media: [{ id: ctx.media.video }] },
        ],
        x: {
          reply_to: '1234567890123456789',
          reply_settings: 'mentionedUsers',
          poll: { options: ['a', 'b', 'c', 'x'.repeat(25)], duration_minutes: 10_080 },
        },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
  });
});
