import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { registerPostRoutes } from '../../../src/service/routes/posts.js';
import {
  type AccountRow,
  accounts,
  type PostTargetRow,
  sql,
  targets,
} from '../../../src/service/store/sql.js';
import { publishTarget } from '../../../src/service/worker/publish.js';
import { describeDatabases } from '../../helpers/database.js';
import { api, useEmulator } from '../../helpers/emulator.js';
import { buildTestServiceApp, connectEmulatorUser, type TestServiceApp } from '../../helpers/service-app.js';

const emulator = useEmulator();

describeDatabases('DELETE /api/posts/:id', ({ db }) => {
  let t: TestServiceApp;
  let alice: AccountRow;
  let bob: AccountRow;

  beforeEach(async () => {
    t = await buildTestServiceApp({ db: db(), emulator: emulator(), register: registerPostRoutes });
    alice = await connectEmulatorUser(db(), t.deps.box, emulator());
    bob = await connectEmulatorUser(db(), t.deps.box, emulator(), { user: emulator().otherUser });
  });
  afterEach(async () => {
    await t.app.close();
  });

  const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;
  const create = async (payload: Record<string, unknown>) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/posts', headers: t.headers, payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const del = (id: string) => t.app.inject({ method: 'DELETE', url: `/api/posts/${id}`, headers: t.headers });
  const targetsOf = async (postId: string) => (await db().query<PostTargetRow>(targets.ofPost(postId))).rows;
  const publishAll = async (postId: string) => {
    const deps = { db: db(), box: t.deps.box, clock: { now: t.clock }, workerId: 'w1', x: t.deps.x };
    for (const target of await targetsOf(postId)) {
      expect((await publishTarget(deps, target.id)).outcome).toBe('published');
    }
  };
  const liveOnX = (userId = emulator().user.id) =>
    emulator()
      .store.postsByAuthor(userId)
      .map((p) => p.id);
  const deletesOnX = () => emulator().requests('DELETE /2/tweets/:id');

  it('cancels a draft, a scheduled and a queued post without calling X', async () => {
    const later = new Date(t.clock().getTime() + 3600_000).toISOString();
    for (const post of [{ draft: true }, { scheduled_at: later }, {}]) {
      const created = await create({
        post: { body: unique('cancel me'), ...post },
        accounts: [alice.id, bob.id],
      });
      const res = await del(created.id);
      expect(res.statusCode).toBe(200);
      const view = res.json();
      expect(view.state).toBe('cancelled');
      expect(view.targets.map((x: { state: string }) => x.state)).toEqual(['cancelled', 'cancelled']);
      expect(view.targets.every((x: { deleted_on_x_at: null }) => x.deleted_on_x_at === null)).toBe(true);
    }
    expect(deletesOnX()).toEqual([]);
  });

  it('deletes a published thread on X, last item first, and records when', async () => {
    const created = await create({
      post: { body: unique('one') },
      accounts: [alice.id],
      thread: [{ body: unique('two') }, { body: unique('three') }],
    });
    await publishAll(created.id);
    const [target] = await targetsOf(created.id);
    expect(liveOnX()).toHaveLength(3);
    t.clock.advance(60_000);

    const res = await del(created.id);
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json();
    expect(view.state).toBe('published');
    expect(view.targets[0]).toMatchObject({ state: 'published', deleted_on_x_at: t.clock().toISOString() });
    expect(liveOnX()).toEqual([]);
    const order = deletesOnX().map((r) => r.url.split('/').pop()?.split('?')[0]);
    expect(order).toEqual([...target!.x_post_ids].reverse());

    // Again: nothing left to do on X.
    const again = await del(created.id);
    expect(again.statusCode).toBe(200);
    expect(deletesOnX()).toHaveLength(3);
  });

  it('counts a post already gone from X as deleted', async () => {
    const created = await create({ post: { body: unique('gone') }, accounts: [alice.id] });
    await publishAll(created.id);
    const [target] = await targetsOf(created.id);
    const gone = await api(emulator(), 'DELETE', `/2/tweets/${target!.x_post_ids[0]}`);
    expect(gone.status).toBe(200);
    const res = await del(created.id);
    expect(res.statusCode).toBe(200);
    expect(res.json().targets[0].deleted_on_x_at).not.toBeNull();
  });

  it('cancels the accounts still waiting and deletes on X where it was published', async () => {
    const created = await create({ post: { body: unique('half') }, accounts: [alice.id, bob.id] });
    const published = (await targetsOf(created.id)).find((x) => x.account_id === alice.id)!;
    const deps = { db: db(), box: t.deps.box, clock: { now: t.clock }, workerId: 'w1', x: t.deps.x };
    expect((await publishTarget(deps, published.id)).outcome).toBe('published');
    const res = await del(created.id);
    expect(res.statusCode).toBe(200);
    const states = Object.fromEntries(
      res.json().targets.map((x: { account: { id: string }; state: string }) => [x.account.id, x.state]),
    );
    expect(states).toEqual({ [alice.id]: 'published', [bob.id]: 'cancelled' });
    expect(res.json().state).toBe('published');
    expect(liveOnX()).toEqual([]);
  });

  it('deletes the part of a thread posted before a failure', async () => {
    const created = await create({
      post: { body: unique('partial') },
      accounts: [alice.id],
      thread: [{ body: 'never' }],
    });
    const posted = await api(emulator(), 'POST', '/2/tweets', { json: { text: unique('partial on X') } });
    expect(posted.status).toBe(201);
    await db().query(
      sql(
        `UPDATE xpost.post_targets SET state = 'failed', x_post_ids = ARRAY[$2::text], next_item = 1,
           error_code = 'x_rejected_400', error_detail = 'nope', error_retryable = false
         WHERE post_id = $1`,
        [created.id, posted.body.data.id],
      ),
    );
    const res = await del(created.id);
    expect(res.statusCode).toBe(200);
    expect(res.json().targets[0]).toMatchObject({ state: 'failed', deleted_on_x_at: expect.any(String) });
    expect(liveOnX()).toEqual([]);
  });

  it('refuses while a worker is publishing (409 post_publishing), and changes nothing', async () => {
    const created = await create({ post: { body: unique('in flight') }, accounts: [alice.id, bob.id] });
    const [first] = await targetsOf(created.id);
    const now = t.clock();
    await db().query(
      targets.claim({
        workerId: 'w1',
        now,
        leaseUntil: new Date(now.getTime() + 60_000),
        targetId: first!.id,
      }),
    );
    const res = await del(created.id);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('post_publishing');
    expect(res.json().detail).toMatch(/try again/);
    expect((await targetsOf(created.id)).map((x) => x.state).sort()).toEqual(['publishing', 'queued']);
  });

  it('answers 503 when X fails, and finishes on the next DELETE', async () => {
    const created = await create({ post: { body: unique('flaky') }, accounts: [alice.id] });
    await publishAll(created.id);
    emulator().faults.add({ endpoint: 'DELETE /2/tweets/:id', kind: 'status', status: 503 });
    const failed = await del(created.id);
    expect(failed.statusCode).toBe(503);
    expect(failed.json()).toMatchObject({ code: 'x_unavailable' });
    expect(failed.json().detail).toContain('DELETE again');
    expect(liveOnX()).toHaveLength(1);
    emulator().faults.clear();
    const res = await del(created.id);
    expect(res.statusCode).toBe(200);
    expect(res.json().targets[0].deleted_on_x_at).not.toBeNull();
    expect(liveOnX()).toEqual([]);
  });

  it('says so when the account that published was removed (409 account_removed)', async () => {
    const created = await create({ post: { body: unique('orphan') }, accounts: [alice.id] });
    await publishAll(created.id);
    await db().query(accounts.softDelete(alice.id, t.clock()));
    const res = await del(created.id);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('account_removed');
    expect(liveOnX()).toHaveLength(1);
  });

  it('answers 404 for an unknown post', async () => {
    expect((await del(randomUUID())).statusCode).toBe(404);
    expect((await del('abc')).statusCode).toBe(404);
  });
});
