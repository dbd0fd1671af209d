import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { type AccountRow, type PostTargetRow, sql, targets } from '../../../src/service/store/sql.js';
import { publishTarget } from '../../../src/service/worker/publish.js';
import { describeDatabases } from '../../helpers/database.js';
import { useEmulator } from '../../helpers/emulator.js';
import type { TestServiceApp } from '../../helpers/service-app.js';
import { usePostsApp } from './posts-fixture.js';

const emulator = useEmulator();

describeDatabases('POST /api/posts/:id/publish', ({ db }) => {
  let t: TestServiceApp;
  let alice: AccountRow;
  let bob: AccountRow;

  usePostsApp(db, emulator, (app) => {
    ({ t, alice } = app);
    bob = app.bob!;
  });

  const create = async (post: Record<string, unknown>, accounts = [alice.id]) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/posts',
      headers: t.headers,
      payload: { post: { body: `publish ${randomUUID().slice(0, 8)}`, ...post }, accounts },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const publish = (id: string) =>
    t.app.inject({ method: 'POST', url: `/api/posts/${id}/publish`, headers: t.headers });
  const targetsOf = async (postId: string) => (await db().query<PostTargetRow>(targets.ofPost(postId))).rows;
  const jobsOf = async (targetId: string) =>
    (
      await db().query<{ state: string; start_after: Date }>(
        sql(
          `SELECT state, start_after FROM pgboss.job WHERE name = 'publish' AND singleton_key = $1 ORDER BY created_on`,
          [`target:${targetId}`],
        ),
      )
    ).rows;
  const publishDeps = () => ({
    db: db(),
    box: t.deps.box,
    clock: { now: t.clock },
    workerId: 'w1',
    x: t.deps.x,
  });

  it('publishes a draft now: queued at now, a job, no longer a draft; then the worker publishes it', async () => {
    const draft = await create({ draft: true }, [alice.id, bob.id]);
    t.clock.advance(5_000);
    const res = await publish(draft.id);
    expect(res.statusCode).toBe(200);
    const view = res.json();
    const now = t.clock().toISOString();
    expect(view).toMatchObject({ state: 'processing', draft: false, scheduled_at: now });
    for (const target of view.targets) expect(target).toMatchObject({ state: 'queued', run_at: now });
    for (const target of await targetsOf(draft.id)) {
      expect((await jobsOf(target.id)).map((j) => j.state)).toEqual(['created']);
      expect((await publishTarget(publishDeps(), target.id)).outcome).toBe('published');
    }
    const done = await t.app.inject({ method: 'GET', url: `/api/posts/${draft.id}`, headers: t.headers });
    expect(done.json().state).toBe('published');
  });

  it('moves a scheduled post to now: its waiting job is replaced by one due now', async () => {
    const later = new Date(t.clock().getTime() + 24 * 3600_000);
    const scheduled = await create({ scheduled_at: later.toISOString() });
    const [target] = await targetsOf(scheduled.id);
    expect((await jobsOf(target!.id)).map((j) => j.start_after.toISOString())).toEqual([later.toISOString()]);
    const res = await publish(scheduled.id);
    expect(res.statusCode).toBe(200);
    expect(res.json().targets[0]).toMatchObject({ state: 'queued', run_at: t.clock().toISOString() });
    const jobs = await jobsOf(target!.id);
    expect(jobs.map((j) => j.state)).toEqual(['cancelled', 'created']);
    expect(jobs[1]!.start_after.getTime()).toBeLessThan(later.getTime());
  });

  it('brings a queued target waiting for later (a retry) to now', async () => {
    const created = await create({});
    const retryAt = new Date(t.clock().getTime() + 3600_000);
    await db().query(
      sql('UPDATE xpost.post_targets SET run_at = $2 WHERE post_id = $1', [created.id, retryAt]),
    );
    const res = await publish(created.id);
    expect(res.statusCode).toBe(200);
    expect(res.json().targets[0]).toMatchObject({ state: 'queued', run_at: t.clock().toISOString() });
  });

  it('refuses a published post (409 post_already_published)', async () => {
    const created = await create({});
    const [target] = await targetsOf(created.id);
    expect((await publishTarget(publishDeps(), target!.id)).outcome).toBe('published');
    const res = await publish(created.id);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('post_already_published');
  });

  it('refuses a post a worker is publishing (409 post_publishing), changing nothing', async () => {
    const created = await create({});
    const [target] = await targetsOf(created.id);
    const now = t.clock();
    await db().query(
      targets.claim({
        workerId: 'w1',
        now,
        leaseUntil: new Date(now.getTime() + 60_000),
        targetId: target!.id,
      }),
    );
    const res = await publish(created.id);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('post_publishing');
    expect((await targetsOf(created.id))[0]!.state).toBe('publishing');
  });

  it('refuses a cancelled post (409 post_finished), and an unknown one (404)', async () => {
    const created = await create({ draft: true });
    await t.app.inject({ method: 'DELETE', url: `/api/posts/${created.id}`, headers: t.headers });
    const res = await publish(created.id);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('post_finished');
    expect((await publish(randomUUID())).statusCode).toBe(404);
    expect((await publish('nope')).statusCode).toBe(404);
  });
});
