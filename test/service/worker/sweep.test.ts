/**
 * One sweep pass against pg-boss on the test database, with no worker taking jobs, so what the
 * sweep leaves in the queue can be read: which targets are due by the injected clock, which get a
 * job, which jobs are moved forward, and the housekeeping deletes.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createJobQueue, type JobQueue } from '../../../src/service/queue/queue.js';
import type { PostTargetState } from '../../../src/service/states.js';
import {
  type AccountRow,
  accounts,
  idempotency,
  type PostTargetRow,
  posts,
  sql,
  targets,
} from '../../../src/service/store/sql.js';
import { sweep } from '../../../src/service/worker/sweep.js';
import { describeDatabases } from '../../helpers/database.js';
import { insertApiKey, testClock } from '../../helpers/service-app.js';

describeDatabases('worker sweep', ({ db }) => {
  const queueErrors: Error[] = [];
  let queue: JobQueue;
  let clock = testClock();
  let account: AccountRow;

  beforeEach(async () => {
    clock = testClock();
    queue = createJobQueue(db(), { onError: (error) => queueErrors.push(error) });
    await queue.start();
    const { rows } = await db().query<AccountRow>(
      accounts.upsert({
        xUserId: '1580000000000000001',
        username: 'sandbox',
        authKind: 'oauth2',
        accessToken: new Uint8Array([1]),
      }),
    );
    account = rows[0]!;
  });

  afterEach(async () => {
    await queue.stop({ timeoutMs: 1_000 });
    await db().query({ text: 'DELETE FROM pgboss.job' });
    expect(queueErrors.splice(0)).toEqual([]);
  });

  const run = () => sweep({ db: db(), queue, clock });

  async function insertTarget(state: PostTargetState, runAt: Date): Promise<PostTargetRow> {
    const post = await db().query<{ id: string }>(
      posts.insert({
        apiKeyId: null,
        body: 'hello',
        scheduledAt: null,
        draft: state === 'draft',
        state: 'processing',
        request: { items: [{ body: 'hello' }] },
      }),
    );
    const { rows } = await db().query<PostTargetRow>(
      targets.insert({ postId: post.rows[0]!.id, accountId: account.id, state, runAt }),
    );
    return rows[0]!;
  }

  const jobsOf = async (targetId: string) =>
    (
      await db().query<{ state: string; later: boolean }>(
        sql(
          `SELECT state, start_after > now() AS later FROM pgboss.job
           WHERE name = 'publish' AND singleton_key = $1 ORDER BY created_on`,
          [`target:${targetId}`],
        ),
      )
    ).rows;
  const inMs = (ms: number) => new Date(clock.now().getTime() + ms);

  it('queues due targets without a job, and leaves the rest alone', async () => {
    const due = await insertTarget('queued', inMs(-1_000));
    const dueScheduled = await insertTarget('scheduled', clock.now());
    const later = await insertTarget('scheduled', inMs(60_000));
    const draft = await insertTarget('draft', inMs(-1_000));
    const done = await insertTarget('queued', inMs(-1_000));
    await db().query(sql(`UPDATE xpost.post_targets SET state = 'cancelled' WHERE id = $1`, [done.id]));

    const result = await run();
    expect(result).toMatchObject({ due: 2, scheduled: 2, movedForward: 0, waiting: 0 });
    expect(new Set(result.targetIds)).toEqual(new Set([due.id, dueScheduled.id]));
    expect(await jobsOf(due.id)).toEqual([{ state: 'created', later: false }]);
    for (const t of [later, draft, done]) expect(await jobsOf(t.id)).toEqual([]);

    // Again: the jobs wait to run; no second one.
    expect(await run()).toMatchObject({ due: 2, scheduled: 0, waiting: 2 });
    expect(await jobsOf(due.id)).toHaveLength(1);

    // The scheduled one comes due when the injected clock says so.
    clock.advance(60_000);
    const third = await run();
    expect(third).toMatchObject({ due: 3, scheduled: 1, waiting: 2 });
    expect(third.targetIds).toEqual([later.id]);
  });

  it('queues a target whose holder’s lease ran out, not one whose lease runs', async () => {
    const held = await insertTarget('queued', inMs(-1_000));
    const now = clock.now();
    const claimed = await db().query<PostTargetRow>(
      targets.claim({ workerId: 'w', now, leaseUntil: inMs(30_000), targetId: held.id }),
    );
    expect(claimed.rows[0]!.state).toBe('publishing');
    expect(await run()).toMatchObject({ due: 0 });
    clock.advance(30_000);
    const result = await run();
    expect(result).toMatchObject({ due: 1, scheduled: 1 });
    expect(result.targetIds).toEqual([held.id]);
  });

  it('moves to now a job the database clock still holds back, but not a retry backing off', async () => {
    const runAt = inMs(3_600_000);
    const target = await insertTarget('scheduled', runAt);
    await queue.schedulePublish({ targetId: target.id, runAt });
    expect(await run()).toMatchObject({ due: 0 });
    expect(await jobsOf(target.id)).toEqual([{ state: 'created', later: true }]);

    clock.advance(3_600_000);
    const result = await run();
    expect(result).toMatchObject({ due: 1, movedForward: 1, scheduled: 0 });
    expect(await jobsOf(target.id)).toEqual([
      { state: 'cancelled', later: true },
      { state: 'created', later: false },
    ]);

    // A job in `retry` (a failed run waiting for its backoff) is pg-boss's to time.
    const backingOff = await insertTarget('queued', clock.now());
    await queue.schedulePublish({ targetId: backingOff.id });
    await db().query(
      sql(
        `UPDATE pgboss.job SET state = 'retry', start_after = now() + interval '1 hour' WHERE singleton_key = $1`,
        [`target:${backingOff.id}`],
      ),
    );
    expect(await run()).toMatchObject({ movedForward: 0, scheduled: 0 });
    expect(await jobsOf(backingOff.id)).toEqual([{ state: 'retry', later: true }]);
  });

  it('purges expired idempotency keys and OAuth states, and keeps live ones', async () => {
    const { id: apiKeyId } = await insertApiKey(db());
    const past = new Date(clock.now().getTime() - 2 * 86_400_000);
    for (const [key, at] of [
      ['old', past],
      ['new', clock.now()],
    ] as const) {
      await db().query(
        idempotency.insertOrGet({ apiKeyId, key, requestHash: 'h', ownerToken: 'o', now: at }),
      );
    }
    for (const [state, expires] of [
      ['stale', past],
      ['fresh', inMs(600_000)],
    ] as const) {
      await db().query(
        sql(
          `INSERT INTO xpost.oauth_states (state, code_verifier, created_at, expires_at) VALUES ($1, '\\x00'::bytea, $2, $3)`,
          [state, past, expires],
        ),
      );
    }
    expect(await run()).toMatchObject({ idempotencyKeysPurged: 1, oauthStatesPurged: 1 });
    const keys = await db().query<{ key: string }>(sql('SELECT key FROM xpost.idempotency_keys'));
    expect(keys.rows.map((r) => r.key)).toEqual(['new']);
    const states = await db().query<{ state: string }>(sql('SELECT state FROM xpost.oauth_states'));
    expect(states.rows.map((r) => r.state)).toEqual(['fresh']);
  });
});
