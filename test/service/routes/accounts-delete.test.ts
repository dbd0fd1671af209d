import { expect, it } from 'vitest';
import { saveOAuth1Account } from '../../../src/service/accounts/save-account.js';
import { registerAccountRoutes } from '../../../src/service/routes/accounts.js';
import type { PostState, PostTargetState } from '../../../src/service/states.js';
import {
  type AccountRow,
  type PostTargetRow,
  posts,
  rateLimits,
  targets,
} from '../../../src/service/store/sql.js';
import { describeDatabases } from '../../helpers/database.js';
import { api, useEmulator } from '../../helpers/emulator.js';
import { tokenRequest } from '../../helpers/oauth2-flow.js';
import { buildTestServiceApp, connectEmulatorUser, type TestServiceApp } from '../../helpers/service-app.js';

const emulator = useEmulator();

describeDatabases('DELETE /api/accounts/:id', ({ db }) => {
  const build = () =>
    buildTestServiceApp({
      db: db(),
      emulator: emulator(),
      register: (app, deps) => registerAccountRoutes(app, deps),
    });

  const remove = (t: TestServiceApp, id: string) =>
    t.app.inject({ method: 'DELETE', url: `/api/accounts/${id}`, headers: t.headers });

  const accountRow = async (id: string) =>
    (await db().query<AccountRow>({ text: 'SELECT * FROM xpost.accounts WHERE id = $1', values: [id] }))
      .rows[0]!;

  /** A post with one target per account, in the given states, and its derived state. */
  async function insertPost(
    t: TestServiceApp,
    state: PostState,
    perAccount: [accountId: string, state: PostTargetState][],
  ): Promise<{ postId: string; targets: PostTargetRow[] }> {
    const post = await db().query<{ id: string }>(
      posts.insert({
        apiKeyId: null,
        body: 'hello',
        scheduledAt: null,
        draft: state === 'draft',
        state,
        request: { items: [{ body: 'hello' }] },
      }),
    );
    const postId = post.rows[0]!.id;
    const rows: PostTargetRow[] = [];
    for (const [accountId, targetState] of perAccount) {
      const runAt = targetState === 'scheduled' ? new Date(t.clock().getTime() + 3600_000) : t.clock();
      const inserted = await db().query<PostTargetRow>(
        targets.insert({ postId, accountId, state: targetState, runAt }),
      );
      rows.push(inserted.rows[0]!);
    }
    return { postId, targets: rows };
  }

  const targetState = async (id: string) => (await db().query<PostTargetRow>(targets.get(id))).rows[0]!;
  const postState = async (id: string) => (await db().query<{ state: string }>(posts.get(id))).rows[0]!.state;

  it('revokes the tokens at X, cancels unstarted targets, keeps a held one, and forgets the account', async () => {
    const t = await build();
    const emu = emulator();
    const { accessToken, refreshToken } = emu.user;
    const account = await connectEmulatorUser(db(), t.deps.box, emu, { now: t.clock().getTime() });
    const other = await connectEmulatorUser(db(), t.deps.box, emu, {
      user: emu.otherUser,
      now: t.clock().getTime(),
    });
    await db().query(
      rateLimits.upsert({
        subject: account.id,
        endpoint: 'POST /2/tweets',
        remaining: 5,
        observedAt: t.clock(),
      }),
    );

    const draft = await insertPost(t, 'draft', [[account.id, 'draft']]);
    const scheduled = await insertPost(t, 'scheduled', [[account.id, 'scheduled']]);
    const shared = await insertPost(t, 'processing', [
      [account.id, 'queued'],
      [other.id, 'queued'],
    ]);
    const held = await insertPost(t, 'processing', [[account.id, 'queued']]);
    // A worker takes this one: it is publishing under a lease and must be left alone.
    const claimed = await db().query<PostTargetRow>(
      targets.claim({
        workerId: 'worker-a',
        now: t.clock(),
        leaseUntil: new Date(t.clock().getTime() + 60_000),
        targetId: held.targets[0]!.id,
      }),
    );
    expect(claimed.rows[0]!.state).toBe('publishing');

    // The tokens work before.
    expect((await api(emu, 'GET', '/2/users/me', { token: accessToken })).status).toBe(200);

    const res = await remove(t, account.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      id: account.id,
      revoked: true,
      targets_cancelled: 3,
      targets_in_progress: 1,
    });

    // Revoked at the emulator: the access token is refused, the refresh token cannot be used.
    expect((await api(emu, 'GET', '/2/users/me', { token: accessToken })).status).toBe(401);
    const refresh = await tokenRequest(emu, '/2/oauth2/token', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    expect(refresh.status).toBe(400);
    expect(emu.requests('POST /2/oauth2/revoke')).toHaveLength(2);

    // Targets: the three unstarted ones cancelled with the reason; the held one untouched.
    for (const [p, state] of [
      [draft, 'cancelled'],
      [scheduled, 'cancelled'],
    ] as const) {
      expect(await targetState(p.targets[0]!.id)).toMatchObject({ state, error_code: 'account_removed' });
      expect(await postState(p.postId)).toBe('cancelled');
    }
    expect((await targetState(shared.targets[0]!.id)).state).toBe('cancelled');
    expect((await targetState(shared.targets[1]!.id)).state).toBe('queued');
    expect(await postState(shared.postId)).toBe('processing');
    expect(await targetState(held.targets[0]!.id)).toMatchObject({
      state: 'publishing',
      locked_by: 'worker-a',
    });

    // Forgotten: no ciphertext left, no rate limits, not listed.
    const row = await accountRow(account.id);
    expect(row.deleted_at).not.toBeNull();
    expect(Buffer.from(row.access_token)).toHaveLength(0);
    expect(row.refresh_token).toBeNull();
    expect((await db().query(rateLimits.forSubjects([account.id]))).rows).toEqual([]);
    const list = await t.app.inject({ method: 'GET', url: '/api/accounts', headers: t.headers });
    expect(list.json().data.map((v: { id: string }) => v.id)).toEqual([other.id]);
    expect((await remove(t, account.id)).statusCode).toBe(404);
  });

  it('forgets an OAuth 1.0a account, wiping its consumer key and secret, and says it cannot revoke', async () => {
    const t = await build();
    const emu = emulator();
    const account = await saveOAuth1Account(db(), t.deps.box, {
      user: { id: emu.user.id, username: emu.user.username },
      credentials: {
        consumerKey: emu.app.consumerKey,
        consumerSecret: emu.app.consumerSecret,
        accessToken: emu.user.oauth1.token,
        accessTokenSecret: emu.user.oauth1.tokenSecret,
      },
    });
    const res = await remove(t, account.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id: account.id,
      revoked: false,
      revoke_error: 'OAuth 1.0a tokens are revoked in the X developer portal',
      targets_cancelled: 0,
      targets_in_progress: 0,
    });
    expect(emu.requests('POST /2/oauth2/revoke')).toHaveLength(0);
    const row = await accountRow(account.id);
    expect(Buffer.from(row.access_token)).toHaveLength(0);
    expect(Buffer.from(row.token_secret!)).toHaveLength(0);
    expect(row.consumer_key).toBeNull();
    expect(row.consumer_secret).toBeNull();
  });

  it('reports a revoke X refuses, and forgets the account anyway', async () => {
    const t = await build();
    const emu = emulator();
    const account = await connectEmulatorUser(db(), t.deps.box, emu, { now: t.clock().getTime() });
    emu.faults.add({ endpoint: 'POST /2/oauth2/revoke', kind: 'status', status: 503 });
    const res = await remove(t, account.id);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.revoked).toBe(false);
    expect(body.revoke_error).toContain('X could not be reached');
    expect(body.revoke_error).toContain('https://x.com/settings/connected_apps');
    expect(res.body).not.toContain(emu.user.accessToken);
    expect(res.body).not.toContain(emu.user.refreshToken);
    expect((await accountRow(account.id)).deleted_at).not.toBeNull();
    // Not revoked, as reported.
    expect((await api(emu, 'GET', '/2/users/me', { token: emu.user.accessToken })).status).toBe(200);
  });

  it('answers 404 for an unknown or malformed id', async () => {
    const t = await build();
    expect((await remove(t, '3f6c1a52-8d1e-4c55-9b8e-2f1d1c0e9a77')).statusCode).toBe(404);
    const bad = await remove(t, 'nope');
    expect(bad.statusCode).toBe(404);
    expect(bad.json().code).toBe('not_found');
  });
});
