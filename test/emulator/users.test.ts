import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';

const INVALID_REQUEST = {
  title: 'Invalid Request',
  detail: 'One or more parameters to your request was invalid.',
  type: 'https://api.twitter.com/2/problems/invalid-request',
};

describe('GET /2/users/me', () => {
  const emu = useEmulator();

  it('returns id, name and username by default', async () => {
    const res = await api(emu(), 'GET', '/2/users/me');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { id: emu().user.id, name: 'Sandbox User', username: 'sandbox' } });
  });

  it('returns user.fields, with Premium reflected in subscription and verification', async () => {
    await api(emu(), 'POST', '/2/tweets', { json: { text: 'one post' } });
    const fields =
      'created_at,description,protected,verified,verified_type,subscription_type,public_metrics,profile_image_url';
    const res = await api(emu(), 'GET', `/2/users/me?user.fields=${fields}`);
    expect(res.body.data).toEqual({
      id: emu().user.id,
      name: 'Sandbox User',
      username: 'sandbox',
      created_at: '2022-10-01T00:00:00.000Z',
      description: emu().user.description,
      protected: false,
      verified: false,
      verified_type: 'none',
      subscription_type: 'None',
      public_metrics: {
        followers_count: 0,
        following_count: 0,
        tweet_count: 1,
        listed_count: 0,
        like_count: 0,
        media_count: 0,
      },
      profile_image_url: expect.stringMatching(/^https:\/\//),
    });
    emu().setPremium(emu().user.id, true);
    const premium = await api(emu(), 'GET', '/2/users/me?user.fields=subscription_type,verified_type');
    expect(premium.body.data).toMatchObject({ subscription_type: 'Premium', verified_type: 'blue' });
  });

  it('expands most_recent_tweet_id into includes.tweets', async () => {
    const created = await api(emu(), 'POST', '/2/tweets', { json: { text: 'latest words' } });
    const res = await api(emu(), 'GET', '/2/users/me?expansions=most_recent_tweet_id&tweet.fields=author_id');
    expect(res.body.data.most_recent_tweet_id).toBe(created.body.data.id);
    expect(res.body.includes.tweets).toEqual([
      {
        id: created.body.data.id,
        text: 'latest words',
        edit_history_tweet_ids: [created.body.data.id],
        author_id: emu().user.id,
      },
    ]);
  });

  it('rejects unknown user.fields values', async () => {
    const res = await api(emu(), 'GET', '/2/users/me?user.fields=shoe_size');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(
      /^The `user.fields` query parameter value \[shoe_size\] is not one of \[/,
    );
  });
});

describe('GET /2/users/:id/tweets', () => {
  const emu = useEmulator();
  const timeline = (query = '', id = emu().user.id) => api(emu(), 'GET', `/2/users/${id}/tweets${query}`);

  async function postMany(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await api(emu(), 'POST', '/2/tweets', { json: { text: `post number ${i}` } });
      ids.push(res.body.data.id);
      emu().clock.advance(1000);
    }
    return ids.reverse(); // newest first
  }

  it('pages through 25 posts newest first with next_token', async () => {
    const ids = await postMany(25);
    const seen: string[] = [];
    let token: string | undefined;
    const counts: number[] = [];
    do {
      const res = await timeline(`?max_results=10${token ? `&pagination_token=${token}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((p: { id: string }) => p.id));
      counts.push(res.body.meta.result_count);
      expect(res.body.meta.newest_id).toBe(res.body.data[0].id);
      expect(res.body.meta.oldest_id).toBe(res.body.data.at(-1).id);
      token = res.body.meta.next_token;
    } while (token);
    expect(counts).toEqual([10, 10, 5]);
    expect(seen).toEqual(ids);
  });

  it('defaults to 10 results and honours since_id and until_id (both exclusive)', async () => {
    const ids = await postMany(12);
    expect((await timeline()).body.meta.result_count).toBe(10);
    const since = await timeline(`?since_id=${ids[3]}`);
    expect(since.body.data.map((p: { id: string }) => p.id)).toEqual(ids.slice(0, 3));
    const until = await timeline(`?until_id=${ids[9]}`);
    expect(until.body.data.map((p: { id: string }) => p.id)).toEqual(ids.slice(10));
  });

  it('filters by start_time and end_time and can exclude replies', async () => {
    const first = await api(emu(), 'POST', '/2/tweets', { json: { text: 'early' } });
    const start = new Date(emu().clock.now() + 60_000).toISOString();
    emu().clock.advance(120_000);
    const reply = await api(emu(), 'POST', '/2/tweets', {
      json: { text: 'a reply', reply: { in_reply_to_tweet_id: first.body.data.id } },
    });
    const later = await timeline(`?start_time=${start}`);
    expect(later.body.data.map((p: { id: string }) => p.id)).toEqual([reply.body.data.id]);
    const before = await timeline(`?end_time=${start}`);
    expect(before.body.data.map((p: { id: string }) => p.id)).toEqual([first.body.data.id]);
    const noReplies = await timeline('?exclude=replies');
    expect(noReplies.body.data.map((p: { id: string }) => p.id)).toEqual([first.body.data.id]);
  });

  it('returns only meta when there is nothing, and tweet.fields on each post', async () => {
    expect((await timeline()).body).toEqual({ meta: { result_count: 0 } });
    await api(emu(), 'POST', '/2/tweets', { json: { text: 'with fields' } });
    const res = await timeline('?tweet.fields=created_at,author_id');
    expect(res.body.data[0]).toMatchObject({ author_id: emu().user.id, created_at: expect.any(String) });
  });

  it('answers an unknown user with a resource-not-found partial error', async () => {
    const res = await timeline('', '1234567890123456789');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      errors: [
        {
          value: '1234567890123456789',
          detail: 'Could not find user with id: [1234567890123456789].',
          title: 'Not Found Error',
          resource_type: 'user',
          parameter: 'id',
          resource_id: '1234567890123456789',
          type: 'https://api.twitter.com/2/problems/resource-not-found',
        },
      ],
    });
  });

  it.each([
    [
      '?max_results=200',
      { max_results: ['200'] },
      'The `max_results` query parameter value [200] is not between 5 and 100',
    ],
    [
      '?max_results=4',
      { max_results: ['4'] },
      'The `max_results` query parameter value [4] is not between 5 and 100',
    ],
    [
      '?since_id=abc',
      { since_id: ['abc'] },
      'The `since_id` query parameter value [abc] does not match ^[0-9]{1,19}$',
    ],
    [
      '?exclude=likes',
      { exclude: ['likes'] },
      'The `exclude` query parameter value [likes] is not one of [replies,retweets]',
    ],
    [
      '?start_time=yesterday',
      { start_time: ['yesterday'] },
      'The `start_time` query parameter value [yesterday] is not a valid RFC 3339 date-time',
    ],
    [
      '?pagination_token=nope',
      { pagination_token: ['nope'] },
      'The `pagination_token` query parameter value [nope] is not valid',
    ],
    [
      '?count=5',
      { count: ['5'] },
      'The query parameter [count] is not one of [id,max_results,pagination_token,start_time,end_time,since_id,until_id,exclude,expansions,tweet.fields,media.fields,poll.fields,place.fields,user.fields]',
    ],
  ])('rejects %s with X message', async (query, parameters, message) => {
    const res = await timeline(query);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ parameters, message }], ...INVALID_REQUEST });
  });
});
