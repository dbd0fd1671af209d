import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { api, useEmulator } from '../helpers/emulator.js';

async function control(url: string, method: string, path: string, json?: unknown) {
  const res = await fetch(`${url}/__emulator${path}`, {
    method,
    headers: json === undefined ? {} : { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('control API', () => {
  const emu = useEmulator();

  it('binds 127.0.0.1 on a free port and answers unknown X paths with X 404 body', async () => {
    expect(emu().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await api(emu(), 'GET', '/2/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: [{ message: 'Sorry, that page does not exist', code: 34 }] });
  });

  it('GET /__emulator lists the ready-made app, user with tokens, and the routes', async () => {
    const { status, body } = await control(emu().url, 'GET', '');
    expect(status).toBe(200);
    expect(body.app.clientId).toBe(emu().app.clientId);
    expect(body.app.clientSecret).toBe(emu().app.clientSecret);
    expect(body.app.redirectUris.length).toBeGreaterThan(0);
    expect(body.user.accessToken).toBe(emu().user.accessToken);
    expect(body.user.oauth1.token).toBe(emu().user.oauth1.token);
    expect(body.routes).toContain('POST /__emulator/reset');
  });

  it('moves the clock forward, sets it and scales it', async () => {
    const before = emu().clock.now();
    const advanced = await control(emu().url, 'POST', '/clock', { advance_secs: 7200 });
    expect(advanced.body.now - before).toBeGreaterThanOrEqual(7_200_000);
    const set = await control(emu().url, 'POST', '/clock', { set: '2030-01-01T00:00:00Z', scale: 0 });
    expect(set.body).toEqual({ now: Date.parse('2030-01-01T00:00:00Z'), scale: 0 });
    expect(emu().clock.now()).toBe(Date.parse('2030-01-01T00:00:00Z'));
    const bad = await control(emu().url, 'POST', '/clock', { forward: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/advance_ms, advance_secs, set, scale/);
  });

  it('creates users, marks them premium and issues tokens with chosen scopes', async () => {
    const created = await control(emu().url, 'POST', '/users', { username: 'second_acct', name: 'Second' });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^\d{19}$/);
    expect(created.body.accessToken).toBeTruthy();
    const patched = await control(emu().url, 'PATCH', `/users/${created.body.id}`, { premium: true });
    expect(patched.body.premium).toBe(true);
    expect(emu().store.users.get(created.body.id)?.premium).toBe(true);
    const token = await control(emu().url, 'POST', '/tokens', {
      user_id: created.body.id,
      scopes: 'tweet.read users.read',
      expires_in: 60,
    });
    expect(token.status).toBe(201);
    expect(token.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 60,
      scope: 'tweet.read users.read',
    });
    expect(token.body.refresh_token).toBeUndefined();
    expect((await control(emu().url, 'POST', '/users', { username: 'not valid!' })).status).toBe(400);
    expect((await control(emu().url, 'PATCH', '/users/123', { premium: true })).status).toBe(404);
  });

  it('sets rate limits by endpoint and by preset', async () => {
    const put = await control(emu().url, 'PUT', '/rate-limits', {
      endpoints: { 'POST /2/tweets': [{ scope: 'user', windowSecs: 60, limit: 3 }] },
    });
    expect(put.body.table['POST /2/tweets']).toEqual([{ scope: 'user', windowSecs: 60, limit: 3 }]);
    const preset = await control(emu().url, 'PUT', '/rate-limits', { preset: 'free' });
    expect(preset.body.table['GET /2/users/me']).toEqual([{ scope: 'user', windowSecs: 86_400, limit: 25 }]);
    const bad = await control(emu().url, 'PUT', '/rate-limits', { preset: 'gold' });
    expect(bad.status).toBe(400);
    const malformed = await control(emu().url, 'PUT', '/rate-limits', {
      endpoints: { 'POST /2/tweets': [{ scope: 'everyone', windowSecs: 60, limit: 3 }] },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/scope/);
  });

  it('adds, lists and removes faults, and rejects malformed ones', async () => {
    const added = await control(emu().url, 'POST', '/faults', {
      endpoint: 'POST /2/tweets',
      kind: 'commit_then_drop',
      times: 1,
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: 'f1', kind: 'commit_then_drop', remaining: 1 });
    expect((await control(emu().url, 'GET', '/faults')).body.faults).toHaveLength(1);
    expect((await control(emu().url, 'DELETE', `/faults/${added.body.id}`)).body).toEqual({ removed: 'f1' });
    expect((await control(emu().url, 'DELETE', '/faults/f1')).status).toBe(404);
    const bad = await control(emu().url, 'POST', '/faults', { endpoint: 'POST /2/tweets', kind: 'meteor' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/kind must be one of/);
  });

  it('reports request counts and the request log, and reset forgets them with fresh tokens', async () => {
    await api(emu(), 'GET', '/2/nope');
    await api(emu(), 'GET', '/2/nope');
    const log = await control(emu().url, 'GET', '/requests');
    expect(log.body.counts).toEqual({ 'GET /2/nope': 2 });
    expect(log.body.requests).toHaveLength(2);
    const since = await control(emu().url, 'GET', `/requests?since=${log.body.requests[0].seq}`);
    expect(since.body.requests).toHaveLength(1);

    const oldToken = emu().user.accessToken;
    const reset = await control(emu().url, 'POST', '/reset', {});
    expect(reset.body.reset).toBe(true);
    expect(emu().user.accessToken).not.toBe(oldToken);
    expect(reset.body.user.accessToken).toBe(emu().user.accessToken);
    expect(emu().store.accessTokens.has(oldToken)).toBe(false);
    expect((await control(emu().url, 'GET', '/requests')).body.counts).toEqual({});
  });

  it('state lists posts, media, tokens and counts', async () => {
    const { body } = await control(emu().url, 'GET', '/state');
    expect(Object.keys(body).sort()).toEqual(
      ['apps', 'clock', 'faults', 'media', 'posts', 'rateLimits', 'requestCounts', 'tokens', 'users'].sort(),
    );
    expect(body.tokens.access.some((t: { token: string }) => t.token === emu().user.accessToken)).toBe(true);
  });

  it('answers an unknown control route with a pointer to the list', async () => {
    const res = await control(emu().url, 'GET', '/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/GET \/__emulator/);
  });
});

describe('startEmulator options', () => {
  it('starts with a fixed clock, faults and limits from options, and fixture overrides', async () => {
    const emulator = await startEmulator({
      clock: { start: '2026-01-01T00:00:00Z', scale: 0 },
      faults: [{ endpoint: '*', kind: 'status', status: 502, times: 1 }],
      rateLimits: { preset: 'basic' },
      fixtures: { user: { username: 'custom', premium: true } },
    });
    try {
      expect(emulator.clock.now()).toBe(Date.parse('2026-01-01T00:00:00Z'));
      expect(emulator.user.username).toBe('custom');
      expect(emulator.user.premium).toBe(true);
      expect(emulator.rateLimits.table()['DELETE /2/tweets/:id']).toEqual([
        { scope: 'user', windowSecs: 900, limit: 5 },
      ]);
      expect((await api(emulator, 'GET', '/2/x')).status).toBe(502);
      expect((await api(emulator, 'GET', '/2/x')).status).toBe(404);
    } finally {
      await emulator.close();
    }
  });

  it('rejects a bad clock start with a clear message', async () => {
    await expect(startEmulator({ clock: { start: 'yesterday-ish' } })).rejects.toThrow(/clock.start must be/);
  });
});
