import { expect, it } from 'vitest';
import { saveOAuth2Account } from '../../../src/service/accounts/save-account.js';
import { registerAccountRoutes } from '../../../src/service/routes/accounts.js';
import { accounts, rateLimits } from '../../../src/service/store/sql.js';
import { clientForAccount } from '../../../src/service/worker/account-client.js';
import { describeDatabases } from '../../helpers/database.js';
import { useEmulator } from '../../helpers/emulator.js';
import { buildTestServiceApp, connectEmulatorUser, type TestServiceApp } from '../../helpers/service-app.js';

const emulator = useEmulator();

describeDatabases('GET /api/accounts', ({ db }) => {
  const build = () =>
    buildTestServiceApp({
      db: db(),
      emulator: emulator(),
      register: (app, deps) => registerAccountRoutes(app, deps),
    });

  const get = (t: TestServiceApp, url: string) => t.app.inject({ method: 'GET', url, headers: t.headers });

  it('lists accounts with the rate limits X last reported, for the account and the app, and no token', async () => {
    const t = await build();
    const emu = emulator();
    const account = await connectEmulatorUser(db(), t.deps.box, emu, { now: t.clock().getTime() });
    // A real call records what X said: POST /2/tweets has a 15-minute user window and the app's 24-hour cap.
    const client = clientForAccount(
      { db: db(), box: t.deps.box, clock: { now: t.clock }, x: t.deps.x },
      account,
    );
    await client.posts.create({ text: `rate limits ${Date.now()}` });

    const res = await get(t, '/api/accounts');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(emu.user.accessToken);
    expect(res.body).not.toContain(emu.user.refreshToken);
    const { data } = res.json();
    expect(data).toHaveLength(1);
    const view = data[0];
    expect(Object.keys(view).sort()).toEqual(
      [
        'id',
        'provider',
        'x_user_id',
        'username',
        'auth_kind',
        'sandbox',
        'scopes',
        'post_length_limit',
        'created_at',
        'token',
        'needs_reconnect',
        'reconnect_reason',
        'rate_limits',
        'app_rate_limits',
      ].sort(),
    );
    expect(view).toMatchObject({
      id: account.id,
      provider: 'x',
      username: 'sandbox',
      auth_kind: 'oauth2',
      token: { status: 'ok', refreshable: true, expires_at: account.expires_at!.toISOString() },
      needs_reconnect: false,
    });
    const tweets = view.rate_limits.find((r: { endpoint: string }) => r.endpoint === 'POST /2/tweets');
    expect(tweets).toMatchObject({ limit: 100, remaining: 99, reset_at: expect.any(String) });
    expect(view.app_rate_limits).toEqual([
      expect.objectContaining({ endpoint: 'POST /2/tweets', daily_limit: 10_000, daily_remaining: 9_999 }),
    ]);

    const one = await get(t, `/api/accounts/${account.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(view);
  });

  it('reports token health: ok, expiring, expired_refreshable, needs_reconnect', async () => {
    const t = await build();
    const emu = emulator();
    const now = t.clock().getTime();
    const account = await connectEmulatorUser(db(), t.deps.box, emu, { now });
    const health = async () => (await get(t, `/api/accounts/${account.id}`)).json();

    expect((await health()).token.status).toBe('ok');
    t.clock.set(now + 2 * 3600_000 - 5 * 60_000);
    expect((await health()).token.status).toBe('expiring');
    t.clock.set(now + 2 * 3600_000 + 1);
    expect(await health()).toMatchObject({
      token: { status: 'expired_refreshable', refreshable: true },
      needs_reconnect: false,
    });

    await db().query(accounts.markNeedsReconnect(account.id, 'invalid_refresh_token'));
    expect(await health()).toMatchObject({
      token: { status: 'needs_reconnect' },
      needs_reconnect: true,
      reconnect_reason: 'invalid_refresh_token',
    });

    // An expired token with nothing to refresh it needs a reconnect too.
    const other = await saveOAuth2Account(db(), t.deps.box, {
      user: { id: emu.otherUser.id, username: emu.otherUser.username },
      tokens: { accessToken: 'a', expiresAt: now, scopes: [], tokenType: 'bearer' },
    });
    expect((await get(t, `/api/accounts/${other.id}`)).json()).toMatchObject({
      token: { status: 'needs_reconnect', refreshable: false },
      needs_reconnect: true,
      reconnect_reason: 'access_token_expired_without_refresh_token',
    });
  });

  it('shows stored rate-limit rows as they are, and only the account’s own', async () => {
    const t = await build();
    const emu = emulator();
    const a = await connectEmulatorUser(db(), t.deps.box, emu, { now: t.clock().getTime() });
    const b = await connectEmulatorUser(db(), t.deps.box, emu, {
      user: emu.otherUser,
      now: t.clock().getTime(),
    });
    const at = new Date('2030-01-01T00:00:00Z');
    await db().query(
      rateLimits.upsert({
        subject: a.id,
        endpoint: 'GET /2/users/me',
        limit: 75,
        remaining: 0,
        resetAt: at,
        dailyLimit: 250,
        dailyRemaining: 3,
        dailyResetAt: at,
        observedAt: at,
      }),
    );
    const { data } = (await get(t, '/api/accounts')).json();
    expect(data.map((v: { id: string }) => v.id)).toEqual([a.id, b.id]);
    expect(data[0].rate_limits).toEqual([
      {
        endpoint: 'GET /2/users/me',
        limit: 75,
        remaining: 0,
        reset_at: at.toISOString(),
        daily_limit: 250,
        daily_remaining: 3,
        daily_reset_at: at.toISOString(),
        updated_at: at.toISOString(),
      },
    ]);
    expect(data[1].rate_limits).toEqual([]);
    expect(data[0].app_rate_limits).toEqual([]);
  });

  it('answers 404 for an unknown id, a malformed one, and a removed account', async () => {
    const t = await build();
    for (const id of ['3f6c1a52-8d1e-4c55-9b8e-2f1d1c0e9a77', 'not-a-uuid', '1', "x'; DROP TABLE x; --"]) {
      const res = await get(t, `/api/accounts/${encodeURIComponent(id)}`);
      expect(res.statusCode, id).toBe(404);
      expect(res.json().code).toBe('not_found');
    }
    const account = await connectEmulatorUser(db(), t.deps.box, emulator());
    await db().query(accounts.softDelete(account.id, t.clock()));
    expect((await get(t, `/api/accounts/${account.id}`)).statusCode).toBe(404);
    expect((await get(t, '/api/accounts')).json()).toEqual({ data: [] });
  });

  it('needs an API key on every accounts route', async () => {
    const t = await build();
    const id = '3f6c1a52-8d1e-4c55-9b8e-2f1d1c0e9a77';
    for (const [method, url] of [
      ['GET', '/api/accounts'],
      ['GET', `/api/accounts/${id}`],
      ['POST', '/api/accounts'],
      ['DELETE', `/api/accounts/${id}`],
    ] as const) {
      const res = await t.app.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      const wrong = await t.app.inject({ method, url, headers: { authorization: 'Bearer xpk_live_nope' } });
      expect(wrong.statusCode, `${method} ${url}`).toBe(401);
    }
  });
});
