import { describe, expect, it } from 'vitest';
import { useEmulator } from '../../helpers/emulator.js';
import { endpoints } from './clients.js';

describe('UsersApi', () => {
  // Frozen time on a whole second: posts are 1 s apart exactly, so time filters cut where the test says.
  const emu = useEmulator({ clock: { start: '2026-03-01T12:00:00Z', scale: 0 } });

  async function postMany(n: number): Promise<string[]> {
    const { posts } = endpoints(emu());
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      ids.push((await posts.create({ text: `post number ${i}` })).id);
      emu().clock.advance(1_000);
    }
    return ids;
  }

  it('me() answers the user camelCased with the fields asked for', async () => {
    const { users } = endpoints(emu());
    const me = await users.me({ fields: ['created_at', 'subscription_type', 'public_metrics'] });
    expect(me).toMatchObject({
      id: emu().user.id,
      username: emu().user.username,
      subscriptionType: 'None',
      publicMetrics: { followersCount: 0, tweetCount: 0 },
    });
    expect(typeof me.createdAt).toBe('string');
  });

  it('remembers the user id: recentPosts asks for it once', async () => {
    await postMany(1);
    const { users } = endpoints(emu());
    await users.recentPosts();
    await users.recentPosts();
    expect(emu().requestCounts()['GET /2/users/me']).toBe(1);
    expect(emu().requestCounts()['GET /2/users/:id/tweets']).toBe(2);
  });

  it('pages through recent posts, newest first, with nextToken', async () => {
    const ids = await postMany(12);
    const { users } = endpoints(emu());
    const first = await users.recentPosts({ maxResults: 5, fields: ['created_at'] });
    expect(first.posts.map((p) => p.id)).toEqual(ids.slice(7).reverse());
    expect(first).toMatchObject({ newestId: ids[11], oldestId: ids[7], nextToken: expect.any(String) });
    expect(first.posts[0]?.createdAt).toEqual(expect.any(String));
    const second = await users.recentPosts({ maxResults: 5, paginationToken: first.nextToken });
    expect(second.posts.map((p) => p.id)).toEqual(ids.slice(2, 7).reverse());

    const pages = [];
    for await (const page of users.recentPostPages({ maxResults: 5 }))
      pages.push(page.posts.map((p) => p.id));
    expect(pages).toEqual([ids.slice(7).reverse(), ids.slice(2, 7).reverse(), ids.slice(0, 2).reverse()]);
    const limited = [];
    for await (const page of users.recentPostPages({ maxResults: 5, maxPages: 2 })) limited.push(page);
    expect(limited).toHaveLength(2);
  });

  it('filters by time and by id, and reads another user', async () => {
    const start = emu().clock.now();
    const ids = await postMany(6);
    const { users } = endpoints(emu());
    const since = await users.recentPosts({ since: new Date(start + 3_000) });
    expect(since.posts.map((p) => p.id)).toEqual(ids.slice(3).reverse());
    const between = await users.recentPosts({ sinceId: ids[1], untilId: ids[4] });
    expect(between.posts.map((p) => p.id)).toEqual([ids[3], ids[2]]);
    const theirs = await users.recentPosts({ userId: emu().otherUser.id });
    expect(theirs).toEqual({ posts: [] });
  });
});
