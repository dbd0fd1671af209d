import { describe, expect, it } from 'vitest';
import type { EmulatorHandle, MediaCategory } from '../../src/emulator/index.js';
import { api, useEmulator } from '../helpers/emulator.js';

const INVALID_REQUEST = {
  title: 'Invalid Request',
  detail: 'One or more parameters to your request was invalid.',
  type: 'https://api.twitter.com/2/problems/invalid-request',
};
const TOO_LONG =
  'Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.';

function invalid(...messages: string[]) {
  return { errors: messages.map((message) => ({ parameters: {}, message })), ...INVALID_REQUEST };
}

/** A finalized, usable media record owned by `ownerId`, inserted straight into the store. */
function addMedia(emu: EmulatorHandle, ownerId: string, category: MediaCategory = 'tweet_image'): string {
  const id = emu.store.nextId();
  const now = emu.clock.now();
  emu.store.media.set(id, {
    id,
    mediaKey: `${category === 'tweet_image' ? 3 : 7}_${id}`,
    ownerId,
    additionalOwners: [],
    mediaType: category === 'tweet_image' ? 'image/png' : 'video/mp4',
    category,
    totalBytes: 1024,
    createdAt: now,
    expiresAt: now + 86_400_000,
    segments: new Map(),
    phase: 'finalized',
    finalizedAt: now,
    processing: null,
  });
  return id;
}

describe('POST /2/tweets: request checks', () => {
  const emu = useEmulator();

  it('answers a non-JSON content type with X invalid-request body', async () => {
    const res = await api(emu(), 'POST', '/2/tweets', {
      body: 'text=hi',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid('Requests with bodies must have content-type of application/json.'));
    const plain = await api(emu(), 'POST', '/2/tweets', {
      body: '{"text":"hi"}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.body).toEqual(invalid('Requests with bodies must have content-type of application/json.'));
  });

  it.each([
    [{ media: { media_ids: [] } }, '$.media.media_ids: there must be a minimum of 1 item in the array'],
    [
      { media: { media_ids: ['1', '2', '3', '4', '5'] } },
      '$.media.media_ids: there must be a maximum of 4 items in the array',
    ],
    [
      { media: { media_ids: ['12a'] } },
      '$.media.media_ids[0]: does not match the regex pattern ^[0-9]{1,19}$',
    ],
    [
      { media: { media_ids: ['1'], tagged_user_ids: Array.from({ length: 11 }, (_, i) => String(i + 1)) } },
      '$.media.tagged_user_ids: there must be a maximum of 10 items in the array',
    ],
    [
      { text: 'x', poll: { options: ['a'], duration_minutes: 60 } },
      '$.poll.options: there must be a minimum of 2 items in the array',
    ],
    [
      { text: 'x', poll: { options: ['a', 'b', 'c', 'd', 'e'], duration_minutes: 60 } },
      '$.poll.options: there must be a maximum of 4 items in the array',
    ],
    [
      { text: 'x', poll: { options: ['a', 'b'.repeat(26)], duration_minutes: 60 } },
      '$.poll.options[1]: may only be 25 characters long',
    ],
    [
      { text: 'x', poll: { options: ['', 'b'], duration_minutes: 60 } },
      '$.poll.options[0]: must be at least 1 characters long',
    ],
    [
      { text: 'x', poll: { options: ['a', 'b'], duration_minutes: 4 } },
      '$.poll.duration_minutes: must have a minimum value of 5',
    ],
    [
      { text: 'x', poll: { options: ['a', 'b'], duration_minutes: 10081 } },
      '$.poll.duration_minutes: must have a maximum value of 10080',
    ],
    [{ text: 'x', poll: { options: ['a', 'b'] } }, '$.poll.duration_minutes: is missing but it is required'],
    [
      { text: 'x', reply_settings: 'everyone' },
      '$.reply_settings: does not have a value in the enumeration [following, mentionedUsers, subscribers, verified]',
    ],
    [{ text: 'x', reply: {} }, '$.reply.in_reply_to_tweet_id: is missing but it is required'],
    [
      { text: 'x', quote_tweet_id: 'abc' },
      '$.quote_tweet_id: does not match the regex pattern ^[0-9]{1,19}$',
    ],
    [{ text: 'x', edit_options: {} }, '$.edit_options.previous_post_id: is missing but it is required'],
    [
      { text: 'x', status: 'hi' },
      '$.status: is not defined in the schema and the schema does not allow additional properties',
    ],
    [
      { text: 'x', media: { media_ids: ['1'], alt: 'x' } },
      '$.media.alt: is not defined in the schema and the schema does not allow additional properties',
    ],
    [
      { text: 'x', geo: { place_id: 'p', lat: 1 } },
      '$.geo.lat: is not defined in the schema and the schema does not allow additional properties',
    ],
    [{ text: 42 }, '$.text: integer found, string expected'],
    [{ text: 'x', nullcast: 'yes' }, '$.nullcast: string found, boolean expected'],
  ])('rejects %j with its schema message', async (json, message) => {
    const res = await api(emu(), 'POST', '/2/tweets', { json });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid(message));
  });

  it('requires text unless media is attached', async () => {
    for (const json of [
      {},
      { text: '' },
      { text: '   ' },
      { text: '', poll: { options: ['a', 'b'], duration_minutes: 5 } },
    ]) {
      const res = await api(emu(), 'POST', '/2/tweets', { json });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        invalid('Post text is required unless media is provided: `text` must not be empty.'),
      );
    }
  });

  it('counts weighted length: 280 is fine, 281 is too long, URLs count 23', async () => {
    expect((await api(emu(), 'POST', '/2/tweets', { json: { text: 'a'.repeat(280) } })).status).toBe(201);
    const long = await api(emu(), 'POST', '/2/tweets', { json: { text: 'b'.repeat(281) } });
    expect(long.status).toBe(400);
    expect(long.body).toEqual(invalid(TOO_LONG));
    // 140 CJK characters weigh 280; one more is too long.
    expect((await api(emu(), 'POST', '/2/tweets', { json: { text: '漢'.repeat(140) } })).status).toBe(201);
    expect((await api(emu(), 'POST', '/2/tweets', { json: { text: '字'.repeat(141) } })).status).toBe(400);
    const url = `https://example.com/${'p'.repeat(300)}`;
    expect(
      (await api(emu(), 'POST', '/2/tweets', { json: { text: `${'c'.repeat(256)} ${url}` } })).status,
    ).toBe(201);
  });

  it('lets X Premium authors post up to 25,000 weighted characters', async () => {
    emu().setPremium(emu().user.id, true);
    expect((await api(emu(), 'POST', '/2/tweets', { json: { text: 'a'.repeat(25_000) } })).status).toBe(201);
    const over = await api(emu(), 'POST', '/2/tweets', { json: { text: 'b'.repeat(25_001) } });
    expect(over.status).toBe(400);
    expect(over.body).toEqual(invalid(TOO_LONG));
    emu().setPremium(emu().user.id, false);
    expect((await api(emu(), 'POST', '/2/tweets', { json: { text: 'c'.repeat(281) } })).status).toBe(400);
  });

  it.each([
    [{ media: 1, poll: 1 }, 'media', 'poll'],
    [{ poll: 1, quote_tweet_id: 1 }, 'poll', 'quote_tweet_id'],
    [{ media: 1, quote_tweet_id: 1 }, 'media', 'quote_tweet_id'],
    [{ media: 1, card_uri: 1 }, 'media', 'card_uri'],
    [{ card_uri: 1, direct_message_deep_link: 1 }, 'card_uri', 'direct_message_deep_link'],
  ])('rejects mutually exclusive fields %j naming both', async (fields, a, b) => {
    const values: Record<string, unknown> = {
      media: { media_ids: ['1'] },
      poll: { options: ['a', 'b'], duration_minutes: 5 },
      quote_tweet_id: '1',
      card_uri: 'card://1',
      direct_message_deep_link: 'https://x.com/messages/compose?recipient_id=1',
    };
    const json: Record<string, unknown> = { text: 'both' };
    for (const key of Object.keys(fields)) json[key] = values[key];
    const res = await api(emu(), 'POST', '/2/tweets', { json });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      invalid(`The fields \`${a}\` and \`${b}\` are mutually exclusive: a Post may have only one of them.`),
    );
  });

  it('allows one cashtag and refuses two with 403', async () => {
    expect((await api(emu(), 'POST', '/2/tweets', { json: { text: 'buying $TSLA' } })).status).toBe(201);
    const res = await api(emu(), 'POST', '/2/tweets', { json: { text: '$TSLA and $AAPL' } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      detail: 'A Post may contain at most 1 cashtag ($TICKER) on self-serve access.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    });
  });
});

describe('POST /2/tweets: created posts', () => {
  const emu = useEmulator();

  it('answers 201 with id, text and edit_history_tweet_ids, and stores the post', async () => {
    const res = await api(emu(), 'POST', '/2/tweets', { json: { text: 'hello world' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      data: {
        id: expect.stringMatching(/^\d{19}$/),
        text: 'hello world',
        edit_history_tweet_ids: [res.body.data.id],
      },
    });
    const stored = emu().store.posts.get(res.body.data.id)!;
    expect(stored).toMatchObject({
      authorId: emu().user.id,
      conversationId: res.body.data.id,
      sourceText: 'hello world',
      replySettings: 'everyone',
    });
    expect(stored.request).toEqual({ text: 'hello world' });
  });

  it('rewrites every URL to a fresh t.co link and keeps the mapping', async () => {
    const text = 'read https://example.com/a and example.org too';
    const res = await api(emu(), 'POST', '/2/tweets', { json: { text } });
    expect(res.status).toBe(201);
    expect(res.body.data.text).toMatch(
      /^read https:\/\/t\.co\/[A-Za-z0-9]{10} and https:\/\/t\.co\/[A-Za-z0-9]{10} too$/,
    );
    const post = emu().store.posts.get(res.body.data.id)!;
    expect(post.urls.map((u) => [u.expanded_url, u.display_url])).toEqual([
      ['https://example.com/a', 'example.com/a'],
      ['http://example.org', 'example.org'],
    ]);
    for (const u of post.urls) expect(post.text.slice(u.start, u.end)).toBe(u.url);
    const again = await api(emu(), 'POST', '/2/tweets', { json: { text: 'again https://example.com/a' } });
    expect(emu().store.posts.get(again.body.data.id)!.urls[0]!.url).not.toBe(post.urls[0]!.url);
  });

  it('attaches media and appends the t.co media link', async () => {
    const photo = addMedia(emu(), emu().user.id);
    const res = await api(emu(), 'POST', '/2/tweets', {
      json: { text: 'look', media: { media_ids: [photo] } },
    });
    expect(res.status).toBe(201);
    expect(res.body.data.text).toMatch(/^look https:\/\/t\.co\/[A-Za-z0-9]{10}$/);
    const post = emu().store.posts.get(res.body.data.id)!;
    expect(post.mediaIds).toEqual([photo]);
    expect(post.mediaKeys).toEqual([`3_${photo}`]);
    const only = await api(emu(), 'POST', '/2/tweets', {
      json: { media: { media_ids: [addMedia(emu(), emu().user.id)] } },
    });
    expect(only.status).toBe(201);
    expect(only.body.data.text).toMatch(/^https:\/\/t\.co\/[A-Za-z0-9]{10}$/);
  });

  it('refuses media that is unknown, someone else’s, or a video mixed with photos', async () => {
    const mine = addMedia(emu(), emu().user.id);
    const theirs = addMedia(emu(), emu().otherUser.id);
    const video = addMedia(emu(), emu().user.id, 'tweet_video');
    for (const ids of [['999'], [theirs], [mine, video]]) {
      const res = await api(emu(), 'POST', '/2/tweets', { json: { text: 'm', media: { media_ids: ids } } });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].message).toBe('Your media IDs are invalid.');
    }
  });

  it('stores a poll with its end time and resolves @mentions to user ids', async () => {
    const res = await api(emu(), 'POST', '/2/tweets', {
      json: {
        text: 'vote @sandbox_friend @nobody_here',
        poll: { options: ['yes', 'no'], duration_minutes: 60 },
      },
    });
    expect(res.status).toBe(201);
    const post = emu().store.posts.get(res.body.data.id)!;
    expect(post.poll).toMatchObject({
      options: ['yes', 'no'],
      durationMinutes: 60,
      endsAt: post.createdAt + 3_600_000,
    });
    expect(post.mentionedUserIds).toEqual([emu().otherUser.id]);
  });
});
