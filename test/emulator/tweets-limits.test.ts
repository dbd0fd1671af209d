import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';

describe('POST /2/tweets: rate limits and faults', () => {
  const emu = useEmulator();

  it('sends x-rate-limit headers on every response', async () => {
    const res = await api(emu(), 'POST', '/2/tweets', { json: { text: 'counted' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-rate-limit-limit')).toBe('100');
    expect(res.headers.get('x-rate-limit-remaining')).toBe('99');
    expect(Number(res.headers.get('x-rate-limit-reset'))).toBeGreaterThan(emu().clock.nowSeconds());
    const read = await api(emu(), 'GET', `/2/users/${emu().user.id}/tweets`);
    expect(read.headers.get('x-rate-limit-limit')).not.toBeNull();
  });

  it('answers 429 with X body once the window is used up, and resets after it', async () => {
    emu().rateLimits.set('POST /2/tweets', [{ scope: 'user', windowSecs: 900, limit: 2 }]);
    expect((await api(emu(), 'POST', '/2/tweets', { json: { text: 'one' } })).status).toBe(201);
    expect((await api(emu(), 'POST', '/2/tweets', { json: { text: 'two' } })).status).toBe(201);
    const limited = await api(emu(), 'POST', '/2/tweets', { json: { text: 'three' } });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      title: 'Too Many Requests',
      detail: 'Too Many Requests',
      type: 'about:blank',
      status: 429,
    });
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(emu().store.postsByAuthor(emu().user.id)).toHaveLength(2);
    // Other users have their own window.
    const other = await api(emu(), 'POST', '/2/tweets', {
      json: { text: 'three' },
      token: emu().otherUser.accessToken,
    });
    expect(other.status).toBe(201);

    emu().clock.advance(900_000);
    const after = await api(emu(), 'POST', '/2/tweets', { json: { text: 'three' } });
    expect(after.status).toBe(201);
    expect(after.headers.get('x-rate-limit-remaining')).toBe('1');
  });

  it('commit_then_drop: the fetch fails, yet the post exists on the timeline', async () => {
    emu().faults.add({ endpoint: 'POST /2/tweets', kind: 'commit_then_drop', times: 1 });
    await expect(api(emu(), 'POST', '/2/tweets', { json: { text: 'did it post?' } })).rejects.toThrow();
    const timeline = await api(emu(), 'GET', `/2/users/${emu().user.id}/tweets`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.data.map((p: { text: string }) => p.text)).toEqual(['did it post?']);
    // The retry a naive client would send is a duplicate: the evidence the service reconciles on.
    const retry = await api(emu(), 'POST', '/2/tweets', { json: { text: 'did it post?' } });
    expect(retry.status).toBe(403);
  });

  it('answers a missing or bad token with X 401 body', async () => {
    for (const token of [null, 'not-a-token']) {
      const res = await api(emu(), 'POST', '/2/tweets', { json: { text: 'who am I' }, token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        title: 'Unauthorized',
        type: 'about:blank',
        status: 401,
        detail: 'Unauthorized',
      });
    }
  });

  it('needs tweet.write', async () => {
    const token = emu().issueToken({ scopes: ['tweet.read', 'users.read'] }).access_token;
    const res = await api(emu(), 'POST', '/2/tweets', { json: { text: 'no scope' }, token });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ title: 'Forbidden', type: 'about:blank', status: 403, detail: 'Forbidden' });
  });
});
