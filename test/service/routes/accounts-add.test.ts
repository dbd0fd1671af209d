import { expect, it } from 'vitest';
import { registerAccountRoutes } from '../../../src/service/routes/accounts.js';
import type { AccountRow } from '../../../src/service/store/sql.js';
import { clientForAccount } from '../../../src/service/worker/account-client.js';
import { describeDatabases } from '../../helpers/database.js';
import { useEmulator } from '../../helpers/emulator.js';
import { buildTestServiceApp, type TestServiceApp } from '../../helpers/service-app.js';

const emulator = useEmulator();

describeDatabases('POST /api/accounts', ({ db }) => {
  const build = () =>
    buildTestServiceApp({
      db: db(),
      emulator: emulator(),
      register: (app, deps) => registerAccountRoutes(app, deps),
    });

  const add = (t: TestServiceApp, payload: unknown) =>
    t.app.inject({ method: 'POST', url: '/api/accounts', headers: t.headers, payload: payload as object });

  const oauth1Keys = () => {
    const emu = emulator();
    return {
      consumer_key: emu.app.consumerKey,
      consumer_secret: emu.app.consumerSecret,
      access_token: emu.user.oauth1.token,
      access_token_secret: emu.user.oauth1.tokenSecret,
    };
  };

  const accountRows = async () =>
    (await db().query<AccountRow>({ text: 'SELECT * FROM xpost.accounts' })).rows;

  it('adds an OAuth 1.0a account after X confirms the keys, stored sealed', async () => {
    const t = await build();
    const keys = oauth1Keys();
    const res = await add(t, keys);
    expect(res.statusCode, res.body).toBe(201);
    const view = res.json();
    expect(res.headers.location).toBe(`/api/accounts/${view.id}`);
    expect(view).toMatchObject({
      provider: 'x',
      x_user_id: emulator().user.id,
      username: 'sandbox',
      auth_kind: 'oauth1',
      sandbox: false,
      scopes: [],
      post_length_limit: 280,
      token: { status: 'ok', expires_at: null, refreshable: false },
      needs_reconnect: false,
      reconnect_reason: null,
    });
    for (const secret of Object.values(keys)) expect(res.body).not.toContain(secret);

    const rows = await accountRows();
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows, (_k, v) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
    );
    for (const secret of Object.values(keys)) expect(stored).not.toContain(secret);

    // The service signs as the account with what it stored.
    const client = clientForAccount(
      { db: db(), box: t.deps.box, clock: { now: t.clock }, x: t.deps.x },
      rows[0]!,
    );
    expect((await client.users.me()).id).toBe(emulator().user.id);

    // The same X user again: the same account.
    const again = await add(t, keys);
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(view.id);
  });

  it('refuses keys X does not accept with 422 invalid_credentials naming what to check', async () => {
    const t = await build();
    const res = await add(t, { ...oauth1Keys(), access_token_secret: 'wrong-secret' });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('invalid_credentials');
    expect(body.detail).toContain('consumer_key and consumer_secret');
    expect(body.detail).toContain('access_token and access_token_secret');
    expect(body.errors.map((e: { field: string }) => e.field)).toEqual([
      'consumer_key',
      'consumer_secret',
      'access_token',
      'access_token_secret',
    ]);
    expect(res.body).not.toContain('wrong-secret');
    expect(await accountRows()).toHaveLength(0);
  });

  it('lists every missing or malformed field at once', async () => {
    const t = await build();
    const empty = await add(t, {});
    expect(empty.statusCode).toBe(422);
    expect(empty.json().errors).toEqual(
      ['consumer_key', 'consumer_secret', 'access_token', 'access_token_secret'].map((field) =>
        expect.objectContaining({ field, code: 'required' }),
      ),
    );

    const partial = await add(t, { consumer_key: 'k', consumer_secret: '', access_token: ' t ' });
    expect(partial.statusCode).toBe(422);
    expect(partial.json().errors).toEqual([
      expect.objectContaining({ field: 'consumer_secret', code: 'empty' }),
      expect.objectContaining({ field: 'access_token', code: 'whitespace' }),
      expect.objectContaining({ field: 'access_token_secret', code: 'required' }),
    ]);

    const typo = await add(t, { ...oauth1Keys(), consumerKey: 'x', access_token: { token: 't' } });
    expect(typo.statusCode).toBe(422);
    const fields = typo.json().errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`);
    expect(fields).toContain('consumerKey:unknown_field');
    expect(fields).toContain('access_token:type');

    const both = await add(t, { ...oauth1Keys(), oauth2: { access_token: 'a', refresh_token: 'r' } });
    expect(both.statusCode).toBe(422);
    expect(both.json().errors[0]).toMatchObject({ field: 'oauth2', code: 'conflict' });
    expect(await accountRows()).toHaveLength(0);
  });

  it('adds an OAuth 2.0 pair after X confirms the access token', async () => {
    const t = await build();
    const emu = emulator();
    const issued = emu.issueToken({ userId: emu.otherUser.id });
    const res = await add(t, {
      oauth2: {
        access_token: issued.access_token,
        refresh_token: issued.refresh_token,
        expires_in: 3600,
        scope: issued.scope,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      username: emu.otherUser.username,
      auth_kind: 'oauth2',
      token: {
        status: 'ok',
        refreshable: true,
        expires_at: new Date(t.clock().getTime() + 3600_000).toISOString(),
      },
    });
    expect(res.json().scopes).toEqual(issued.scope!.split(' '));
    expect(res.body).not.toContain(issued.access_token);

    const bad = await add(t, { oauth2: { access_token: 'expired', refresh_token: 'r' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({
      code: 'invalid_credentials',
      errors: [{ field: 'oauth2.access_token', code: 'invalid_credentials' }],
    });
  });

  it('gives an X Premium account the 25,000 length limit', async () => {
    const t = await build();
    emulator().setPremium(emulator().user.id, true);
    try {
      const res = await add(t, oauth1Keys());
      expect(res.json().post_length_limit).toBe(25_000);
    } finally {
      emulator().setPremium(emulator().user.id, false);
    }
  });

  it('answers 503 when X cannot be reached, storing nothing', async () => {
    const t = await build();
    emulator().faults.add({ endpoint: 'GET /2/users/me', kind: 'status', status: 503 });
    const res = await add(t, oauth1Keys());
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('service_unavailable');
    expect(await accountRows()).toHaveLength(0);
  });
});
