import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';

const INVALID_REQUEST = {
  title: 'Invalid Request',
  detail: 'One or more parameters to your request was invalid.',
  type: 'https://api.twitter.com/2/problems/invalid-request',
};

describe('DELETE /2/tweets/:id', () => {
  const emu = useEmulator();

  it('deletes the caller own post and hides it everywhere', async () => {
    const created = await api(emu(), 'POST', '/2/tweets', { json: { text: 'short-lived' } });
    const id = created.body.data.id;
    const res = await api(emu(), 'DELETE', `/2/tweets/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { deleted: true } });
    expect(emu().store.posts.get(id)!.deletedAt).toBeLessThanOrEqual(emu().clock.now());
    const lookup = await api(emu(), 'GET', `/2/tweets/${id}`);
    expect(lookup.body.data).toBeUndefined();
  });

  it('refuses someone else’s post with 403', async () => {
    const theirs = await api(emu(), 'POST', '/2/tweets', {
      json: { text: 'not yours' },
      token: emu().otherUser.accessToken,
    });
    const res = await api(emu(), 'DELETE', `/2/tweets/${theirs.body.data.id}`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      detail: 'You are not allowed to delete this Tweet.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    });
    expect(emu().store.posts.get(theirs.body.data.id)!.deletedAt).toBeUndefined();
  });

  it('answers deleted: false for an unknown or already deleted id, so a retried delete is harmless', async () => {
    expect((await api(emu(), 'DELETE', '/2/tweets/1234567890123456789')).body).toEqual({
      data: { deleted: false },
    });
    const created = await api(emu(), 'POST', '/2/tweets', { json: { text: 'twice' } });
    await api(emu(), 'DELETE', `/2/tweets/${created.body.data.id}`);
    const again = await api(emu(), 'DELETE', `/2/tweets/${created.body.data.id}`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ data: { deleted: false } });
  });

  it('rejects an id that is not a snowflake', async () => {
    const res = await api(emu(), 'DELETE', '/2/tweets/abc');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errors: [
        {
          parameters: { id: ['abc'] },
          message: 'The `id` query parameter value [abc] does not match ^[0-9]{1,19}$',
        },
      ],
      ...INVALID_REQUEST,
    });
  });
});

describe('GET /2/tweets/:id', () => {
  const emu = useEmulator();

  it('returns id, text and edit history by default', async () => {
    const created = await api(emu(), 'POST', '/2/tweets', { json: { text: 'look me up' } });
    const id = created.body.data.id;
    const res = await api(emu(), 'GET', `/2/tweets/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { id, text: 'look me up', edit_history_tweet_ids: [id] } });
  });

  it('returns the requested tweet.fields and expansions', async () => {
    const root = await api(emu(), 'POST', '/2/tweets', {
      json: {
        text: 'hey @sandbox_friend see https://example.com $XPST',
        poll: { options: ['a', 'b'], duration_minutes: 10 },
      },
    });
    const reply = await api(emu(), 'POST', '/2/tweets', {
      json: {
        text: 'and a follow-up',
        reply: { in_reply_to_tweet_id: root.body.data.id },
        reply_settings: 'following',
      },
    });
    const fields =
      'created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,attachments,entities,reply_settings,public_metrics,lang';
    const res = await api(
      emu(),
      'GET',
      `/2/tweets/${reply.body.data.id}?tweet.fields=${fields}&expansions=author_id,referenced_tweets.id&user.fields=created_at`,
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      id: reply.body.data.id,
      text: 'and a follow-up',
      edit_history_tweet_ids: [reply.body.data.id],
      created_at: new Date(emu().store.posts.get(reply.body.data.id)!.createdAt).toISOString(),
      author_id: emu().user.id,
      conversation_id: root.body.data.id,
      in_reply_to_user_id: emu().user.id,
      referenced_tweets: [{ type: 'replied_to', id: root.body.data.id }],
      reply_settings: 'following',
      public_metrics: {
        retweet_count: 0,
        reply_count: 0,
        like_count: 0,
        quote_count: 0,
        bookmark_count: 0,
        impression_count: 0,
      },
      lang: 'en',
    });
    expect(res.body.includes.users).toEqual([
      {
        id: emu().user.id,
        name: emu().user.name,
        username: emu().user.username,
        created_at: expect.any(String),
      },
    ]);
    expect(res.body.includes.tweets[0].id).toBe(root.body.data.id);

    const rootView = await api(
      emu(),
      'GET',
      `/2/tweets/${root.body.data.id}?tweet.fields=${fields}&expansions=attachments.poll_ids`,
    );
    const data = rootView.body.data;
    expect(data.public_metrics.reply_count).toBe(1);
    expect(data.attachments).toEqual({ poll_ids: [expect.any(String)] });
    expect(data.entities.mentions).toEqual([
      { start: 4, end: 19, username: 'sandbox_friend', id: emu().otherUser.id },
    ]);
    expect(data.entities.urls).toEqual([
      {
        start: 24,
        end: 47,
        url: expect.stringMatching(/^https:\/\/t\.co\//),
        expanded_url: 'https://example.com',
        display_url: 'example.com',
      },
    ]);
    expect(data.entities.cashtags).toEqual([{ start: 48, end: 53, tag: 'XPST' }]);
    expect(rootView.body.includes.polls[0].options).toEqual([
      { position: 1, label: 'a', votes: 0 },
      { position: 2, label: 'b', votes: 0 },
    ]);
  });

  it('answers an unknown or deleted id with 200 and a resource-not-found partial error', async () => {
    const res = await api(emu(), 'GET', '/2/tweets/1234567890123456789');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      errors: [
        {
          value: '1234567890123456789',
          detail: 'Could not find tweet with id: [1234567890123456789].',
          title: 'Not Found Error',
          resource_type: 'tweet',
          parameter: 'id',
          resource_id: '1234567890123456789',
          type: 'https://api.twitter.com/2/problems/resource-not-found',
        },
      ],
    });
  });

  it('rejects unknown query parameters and unknown field values with X messages', async () => {
    const res = await api(
      emu(),
      'GET',
      '/2/tweets/1234567890123456789?foo=bar&tweet.fields=created_at,bogus',
    );
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      {
        parameters: { foo: ['bar'] },
        message:
          'The query parameter [foo] is not one of [id,expansions,tweet.fields,media.fields,poll.fields,place.fields,user.fields]',
      },
      {
        parameters: { 'tweet.fields': ['created_at,bogus'] },
        message: expect.stringMatching(
          /^The `tweet.fields` query parameter value \[bogus\] is not one of \[article,attachments,author_id,/,
        ),
      },
    ]);
  });

  it('needs tweet.read and users.read', async () => {
    const token = emu().issueToken({ scopes: ['tweet.read'] }).access_token;
    const res = await api(emu(), 'GET', '/2/tweets/1234567890123456789', { token });
    expect(res.status).toBe(403);
  });
});
