import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { STATE_TTL_MS, stateAad } from '../../../src/service/accounts/connect-flow.js';
import { loadServiceConfig } from '../../../src/service/config.js';
import type { Db } from '../../../src/service/db/types.js';
import { registerAccountRoutes } from '../../../src/service/routes/accounts.js';
import { registerConnectRoutes } from '../../../src/service/routes/connect.js';
import type { OAuthStateRow } from '../../../src/service/store/accounts-api.js';
import { type AccountRow, accounts } from '../../../src/service/store/sql.js';
import { clientForAccount } from '../../../src/service/worker/account-client.js';
import { describeDatabases } from '../../helpers/database.js';
import { useEmulator } from '../../helpers/emulator.js';
import { formFields, postConsent } from '../../helpers/oauth2-flow.js';
import { buildTestServiceApp, type TestServiceApp } from '../../helpers/service-app.js';

const emulator = useEmulator();

/** Every row of a table as text, bytea included byte for byte: what someone with the database sees. */
async function dump(db: Db, table: string): Promise<string> {
  const { rows } = await db.query({ text: `SELECT * FROM xpost.${table}` });
  return JSON.stringify(rows, (_k, v) =>
    v instanceof Uint8Array || Buffer.isBuffer(v) ? Buffer.from(v).toString('latin1') : v,
  );
}

describeDatabases('GET /connect/x and its callback', ({ db }) => {
  async function build(env: Record<string, string> = {}): Promise<TestServiceApp> {
    const config = loadServiceConfig({ XPOST_HOME: `/tmp/xpost-test-${process.pid}`, ...env });
    return buildTestServiceApp({
      db: db(),
      emulator: emulator(),
      config,
      register: async (app, deps) => {
        registerConnectRoutes(app, deps);
        registerAccountRoutes(app, deps);
      },
    });
  }

  /** The browser at X: load the consent page the 302 points to, press a button, follow X's redirect. */
  async function consentAtX(authorizeUrl: string, decision: 'approve' | 'deny' = 'approve'): Promise<URL> {
    const page = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(page.status).toBe(200);
    const answer = await postConsent(emulator(), { ...formFields(await page.text()), decision });
    expect(answer.status).toBe(302);
    return new URL(answer.headers.get('location')!);
  }

  async function start(t: TestServiceApp, query = ''): Promise<URL> {
    const res = await t.app.inject({ method: 'GET', url: `/connect/x${query}`, headers: t.headers });
    expect(res.statusCode, res.body).toBe(302);
    return new URL(res.headers.location as string);
  }

  function callback(app: FastifyInstance, back: URL) {
    return app.inject({ method: 'GET', url: `/connect/x/callback${back.search}` });
  }

  /** The whole dance: start, consent at X, callback. Returns the callback's answer and X's redirect. */
  async function connect(t: TestServiceApp, query = '') {
    const back = await consentAtX((await start(t, query)).href);
    return { back, res: await callback(t.app, back) };
  }

  const accountRows = async () =>
    (await db().query<AccountRow>({ text: 'SELECT * FROM xpost.accounts ORDER BY created_at' })).rows;

  it('connects an account: 302 to X with PKCE, tokens stored sealed, a page naming the account', async () => {
    const t = await build();
    const emu = emulator();
    const authorize = await start(t);
    expect(authorize.origin + authorize.pathname).toBe(`${emu.url}/i/oauth2/authorize`);
    const q = authorize.searchParams;
    expect(q.get('client_id')).toBe(emu.app.clientId);
    expect(q.get('redirect_uri')).toBe('http://localhost:3000/connect/x/callback');
    expect(q.get('scope')).toBe('tweet.read tweet.write users.read offline.access media.write');
    expect(q.get('code_challenge_method')).toBe('S256');
    const state = q.get('state')!;

    // The verifier is kept server side, sealed to its state, for ten minutes.
    const stored = (await db().query<OAuthStateRow>({ text: 'SELECT * FROM xpost.oauth_states' })).rows;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.state).toBe(state);
    expect(stored[0]!.api_key_id).toBe(t.apiKeyId);
    expect(stored[0]!.expires_at.getTime()).toBe(t.clock().getTime() + STATE_TTL_MS);
    const verifier = t.deps.box.openText(Buffer.from(stored[0]!.code_verifier), stateAad(state));
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(q.get('code_challenge'));
    expect(await dump(db(), 'oauth_states')).not.toContain(verifier);

    const back = await consentAtX(authorize.href);
    const code = back.searchParams.get('code')!;
    const res = await callback(t.app, back);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('Connected @sandbox');

    const rows = await accountRows();
    expect(rows).toHaveLength(1);
    const account = rows[0]!;
    expect(res.body).toContain(account.id);
    expect(res.body).not.toContain(code);
    expect(account).toMatchObject({
      x_user_id: emu.user.id,
      username: 'sandbox',
      auth_kind: 'oauth2',
      post_length_limit: 280,
      sandbox: false,
      needs_reconnect: false,
    });
    expect(account.scopes).toEqual([
      'tweet.read',
      'tweet.write',
      'users.read',
      'offline.access',
      'media.write',
    ]);

    // Single use: the state is gone. The database holds no token, code or verifier in clear text.
    expect(await dump(db(), 'oauth_states')).toBe('[]');
    const issued = [...emu.store.accessTokens.values()].filter((r) => r.userId === emu.user.id);
    const refresh = [...emu.store.refreshTokens.values()].filter((r) => r.userId === emu.user.id);
    const newest = issued.map((r) => r.token).filter((tok) => tok !== emu.user.accessToken);
    expect(newest.length).toBeGreaterThan(0);
    const accountsDump = await dump(db(), 'accounts');
    for (const secret of [...issued.map((r) => r.token), ...refresh.map((r) => r.token), code, verifier]) {
      expect(accountsDump).not.toContain(secret);
    }

    // The stored tokens work: the service acts as the account.
    const client = clientForAccount(
      { db: db(), box: t.deps.box, clock: { now: t.clock }, x: t.deps.x },
      account,
    );
    expect((await client.users.me()).username).toBe('sandbox');
  });

  it('answers JSON with the authorize URL for API clients', async () => {
    const t = await build();
    const res = await t.app.inject({
      method: 'GET',
      url: '/connect/x',
      headers: { ...t.headers, accept: 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['authorize_url', 'expires_at', 'state']);
    expect(new URL(body.authorize_url).searchParams.get('state')).toBe(body.state);
    expect(body.expires_at).toBe(new Date(t.clock().getTime() + STATE_TTL_MS).toISOString());
    // The same state completes the flow.
    const back = await consentAtX(body.authorize_url);
    expect((await callback(t.app, back)).statusCode).toBe(200);
  });

  it('uses a state once: a replayed or unknown callback is refused with invalid_state', async () => {
    const t = await build();
    const { back, res } = await connect(t);
    expect(res.statusCode).toBe(200);
    const before = await accountRows();

    const replay = await callback(t.app, back);
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('invalid_state');
    expect(replay.body).not.toContain(back.searchParams.get('code')!);
    expect((await accountRows()).map((r) => r.updated_at)).toEqual(before.map((r) => r.updated_at));

    const unknown = await t.app.inject({ method: 'GET', url: '/connect/x/callback?state=nope&code=abc' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('invalid_state');
    const none = await t.app.inject({ method: 'GET', url: '/connect/x/callback' });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('invalid_state');
  });

  it('refuses a state older than ten minutes, and purges expired states', async () => {
    const t = await build();
    const authorize = await start(t);
    const back = await consentAtX(authorize.href);
    t.clock.advance(STATE_TTL_MS + 1);
    const res = await callback(t.app, back);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('invalid_state');
    expect(await accountRows()).toHaveLength(0);

    // An abandoned attempt is swept by the next start.
    await start(t);
    t.clock.advance(STATE_TTL_MS);
    await start(t);
    const states = (await db().query<OAuthStateRow>({ text: 'SELECT * FROM xpost.oauth_states' })).rows;
    expect(states).toHaveLength(1);
    expect(states[0]!.expires_at.getTime()).toBe(t.clock().getTime() + STATE_TTL_MS);
  });

  it('reports access_denied when the person cancels at X', async () => {
    const t = await build();
    const authorize = await start(t);
    const back = await consentAtX(authorize.href, 'deny');
    expect(back.searchParams.get('error')).toBe('access_denied');
    const res = await callback(t.app, back);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('access_denied');
    expect(res.body).toContain('Access was not granted');
    expect(await accountRows()).toHaveLength(0);
    expect(await dump(db(), 'oauth_states')).toBe('[]');
  });

  it('reports invalid_code when X refuses the code', async () => {
    const t = await build();
    const back = await consentAtX((await start(t)).href);
    back.searchParams.set('code', 'not-the-code');
    const res = await callback(t.app, back);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('invalid_code');
    expect(res.body).not.toContain('not-the-code');
    expect(await accountRows()).toHaveLength(0);
  });

  it('refuses a redirect to another origin (no open redirect), and honours an allowed one', async () => {
    const t = await build({ XPOST_CONNECT_REDIRECT: 'https://app.example.com/connected' });
    for (const bad of [
      'https://evil.example/steal',
      '//evil.example/steal',
      '/\\evil.example',
      'javascript:alert(1)',
      'https://app.example.com.evil.example/',
      'https://user:pw@app.example.com/',
      'http://app.example.com/', // another scheme is another origin
    ]) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/connect/x?redirect=${encodeURIComponent(bad)}`,
        headers: t.headers,
      });
      expect(res.statusCode, bad).toBe(422);
      expect(res.json().errors[0]).toMatchObject({ field: 'redirect', code: 'redirect_not_allowed' });
    }
    expect(await dump(db(), 'oauth_states')).toBe('[]');

    // The configured page's origin is allowed, with its own query kept.
    const { res } = await connect(t, `?redirect=${encodeURIComponent('https://app.example.com/done?tab=x')}`);
    expect(res.statusCode).toBe(302);
    const to = new URL(res.headers.location as string);
    const account = (await accountRows())[0]!;
    expect(to.origin + to.pathname).toBe('https://app.example.com/done');
    expect(Object.fromEntries(to.searchParams)).toEqual({
      tab: 'x',
      status: 'connected',
      account_id: account.id,
      username: 'sandbox',
    });

    // A path stays on the service; with no redirect given, the configured page gets the outcome.
    const path = await connect(t, '?redirect=%2Fsettings%2Faccounts');
    expect(path.res.headers.location).toBe(
      `http://localhost:3000/settings/accounts?status=connected&account_id=${account.id}&username=sandbox`,
    );
    const denied = await consentAtX((await start(t)).href, 'deny');
    const deniedRes = await callback(t.app, denied);
    expect(deniedRes.statusCode).toBe(302);
    expect(deniedRes.headers.location).toBe(
      'https://app.example.com/connected?status=error&error=access_denied',
    );
    const replay = await callback(t.app, denied);
    expect(replay.headers.location).toBe(
      'https://app.example.com/connected?status=error&error=invalid_state',
    );
  });

  it('reconnecting keeps the account id and clears needs_reconnect', async () => {
    const t = await build();
    await connect(t);
    const first = (await accountRows())[0]!;
    await db().query(accounts.markNeedsReconnect(first.id, 'invalid_refresh_token'));
    const flagged = await t.app.inject({
      method: 'GET',
      url: `/api/accounts/${first.id}`,
      headers: t.headers,
    });
    expect(flagged.json()).toMatchObject({
      needs_reconnect: true,
      reconnect_reason: 'invalid_refresh_token',
    });

    const { res } = await connect(t);
    expect(res.statusCode).toBe(200);
    const rows = await accountRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(first.id);
    expect(rows[0]!.needs_reconnect).toBe(false);
    expect(Buffer.from(rows[0]!.access_token).equals(Buffer.from(first.access_token))).toBe(false);
    const view = await t.app.inject({ method: 'GET', url: `/api/accounts/${first.id}`, headers: t.headers });
    expect(view.json()).toMatchObject({
      needs_reconnect: false,
      reconnect_reason: null,
      token: { status: 'ok' },
    });
  });

  it('gives an X Premium account the 25,000 length limit', async () => {
    const t = await build();
    emulator().setPremium(emulator().user.id, true);
    const { res } = await connect(t);
    expect(res.statusCode).toBe(200);
    expect((await accountRows())[0]!.post_length_limit).toBe(25_000);
    emulator().setPremium(emulator().user.id, false);
  });

  it('reports x_unavailable when X fails the token exchange, and keeps nothing', async () => {
    const t = await build();
    const back = await consentAtX((await start(t)).href);
    emulator().faults.add({ endpoint: 'POST /2/oauth2/token', kind: 'status', status: 503 });
    const res = await callback(t.app, back);
    expect(res.statusCode).toBe(502);
    expect(res.body).toContain('x_unavailable');
    expect(await accountRows()).toHaveLength(0);
  });

  it('needs an API key to start, but not for the callback', async () => {
    const t = await build();
    const start = await t.app.inject({ method: 'GET', url: '/connect/x' });
    expect(start.statusCode).toBe(401);
    const back = await t.app.inject({ method: 'GET', url: '/connect/x/callback?state=x&code=y' });
    expect(back.statusCode).toBe(400);
    expect(back.body).toContain('invalid_state');
  });
});
