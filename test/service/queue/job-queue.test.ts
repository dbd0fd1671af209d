/**
 * The job queue on PGlite and on PostgreSQL (`XPOST_TEST_DATABASE_URL`: this file gets its own
 * database, dropped after). Delays are real and short: pg-boss compares `start_after` with the
 * database's `now()`, so no injected clock reaches it.
 */
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../../../src/service/db/open.js';
import type { Db } from '../../../src/service/db/types.js';
import {
  createJobQueue,
  type JobQueue,
  type JobQueueOptions,
  QUEUES,
} from '../../../src/service/queue/queue.js';
import { describeDatabases } from '../../helpers/database.js';

/** pg-boss's background errors (maintenance, a worker's fetch); every test expects none. */
const backgroundErrors: Error[] = [];
const FAST: JobQueueOptions = {
  pollingIntervalSeconds: 0.5,
  publishRetry: { limit: 2, delaySeconds: 0, backoff: false },
  onError: (error) => backgroundErrors.push(error),
};

async function waitFor(probe: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describeDatabases(
  'job queue',
  ({ backend, db: getDb, database }) => {
    const queues: JobQueue[] = [];
    const extraDbs: Db[] = [];

    const open = async (options: JobQueueOptions = {}, on?: Db) => {
      const queue = createJobQueue(on ?? getDb(), { ...FAST, ...options });
      queues.push(queue);
      await queue.start();
      return queue;
    };
    const jobState = async (queue: JobQueue, name: string, id: string) =>
      (await queue.boss.getJobById(name, id))?.state;

    afterEach(async () => {
      for (const queue of queues.splice(0)) await queue.stop({ timeoutMs: 1_000 });
      for (const extra of extraDbs.splice(0)) await extra.close();
      await getDb()
        .query({ text: 'DELETE FROM pgboss.job' })
        .catch(() => {});
      expect(backgroundErrors.splice(0)).toEqual([]);
    });

    it('installs pg-boss through the adapter, even when two starts race', async () => {
      const [a] = await Promise.all([open(), open()]);
      expect(await a?.boss.schemaVersion()).toBe(24);
      const names = (await a?.boss.getQueues())?.map((queue) => queue.name).sort();
      expect(names).toEqual(Object.values(QUEUES).sort());
      expect((await a?.boss.getQueue(QUEUES.publish))?.policy).toBe('short');
      // The session is healthy after the losing start (no aborted transaction left behind).
      expect((await getDb().query({ text: 'SELECT 1 AS one' })).rows).toEqual([{ one: 1 }]);
    });

    it.runIf(backend === 'postgres')(
      'installs once when several processes start on an empty database together',
      async () => {
        // A fresh schema name: nothing installed yet. Each "process" has its own pool.
        const schema = `pgboss_race_${Math.floor(Math.random() * 1e6)}`;
        const pools = await Promise.all(
          [0, 1, 2, 3].map(() => openDatabase({ url: database().url!, poolSize: 3 })),
        );
        extraDbs.push(...pools);
        const started = await Promise.all(pools.map((pool) => open({ schema }, pool)));
        expect(await started[0]!.boss.schemaVersion()).toBe(24);
        await getDb().exec(`DROP SCHEMA ${schema} CASCADE`);
      },
      30_000,
    );

    it('works a publish job sent now, with the target and attempt', async () => {
      const queue = await open();
      const seen: unknown[] = [];
      const done = deferred();
      await queue.workPublish(async (job) => {
        seen.push({ targetId: job.targetId, retryCount: job.retryCount, last: job.isLastAttempt });
        done.resolve();
      });
      const id = await queue.schedulePublish({ targetId: 't-now' });
      expect(id).toEqual(expect.any(String));
      await done.promise;
      expect(seen).toEqual([{ targetId: 't-now', retryCount: 0, last: false }]);
      await waitFor(async () => (await jobState(queue, QUEUES.publish, id as string)) === 'completed');
    });

    it('does not work a job before its startAfter (database clock)', async () => {
      const queue = await open();
      const runAt = new Date(Date.now() + 1_500);
      const done = deferred();
      let workedAt = 0;
      await queue.workPublish(async () => {
        workedAt = Date.now();
        done.resolve();
      });
      await queue.schedulePublish({ targetId: 't-later', runAt });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(workedAt).toBe(0);
      await done.promise;
      // The database and this process share a clock here; allow for rounding only.
      expect(workedAt).toBeGreaterThanOrEqual(runAt.getTime() - 5);
      expect(workedAt - runAt.getTime()).toBeLessThan(1_500);
    });

    it('queues a target once while its job waits (singleton key)', async () => {
      const queue = await open();
      const runAt = new Date(Date.now() + 60_000);
      const first = await queue.schedulePublish({ targetId: 't-once', runAt });
      expect(first).toEqual(expect.any(String));
      expect(await queue.schedulePublish({ targetId: 't-once', runAt })).toBeNull();
      expect(await queue.schedulePublish({ targetId: 't-once' })).toBeNull();
      expect(await queue.schedulePublish({ targetId: 't-other', runAt })).toEqual(expect.any(String));
      expect(await queue.size(QUEUES.publish)).toBe(2);
      // Rescheduling: cancel the waiting job and queue again.
      await queue.cancelPublish(first as string);
      expect(await queue.schedulePublish({ targetId: 't-once' })).toEqual(expect.any(String));
    });

    it('reschedules a waiting job to now, in a transaction, and works it', async () => {
      const queue = await open();
      const worked: string[] = [];
      const later = new Date(Date.now() + 3_600_000);
      await queue.schedulePublish({ targetId: 't-move', runAt: later });
      expect(await queue.schedulePublish({ targetId: 't-move' })).toBeNull();
      const moved = await getDb().transaction((tx) =>
        queue.reschedulePublish({ targetId: 't-move' }, { tx }),
      );
      expect(moved).toEqual(expect.any(String));
      expect(await queue.size(QUEUES.publish)).toBe(1);
      const done = deferred();
      await queue.workPublish(async (job) => {
        worked.push(job.targetId);
        done.resolve();
      });
      await done.promise;
      expect(worked).toEqual(['t-move']);
    });

    it('queues a job inside a transaction, only if it commits', async () => {
      const queue = await open();
      await expect(
        getDb().transaction(async (tx) => {
          await queue.schedulePublish({ targetId: 't-rolled-back' }, { tx });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await queue.size(QUEUES.publish)).toBe(0);
      const id = await getDb().transaction((tx) =>
        queue.schedulePublish({ targetId: 't-committed' }, { tx }),
      );
      expect(await jobState(queue, QUEUES.publish, id as string)).toBe('created');
    });

    it('retries a failing handler per the settings, then dead-letters it', async () => {
      const queue = await open();
      const attempts: Array<{ retryCount: number; last: boolean }> = [];
      await queue.workPublish(async (job) => {
        attempts.push({ retryCount: job.retryCount, last: job.isLastAttempt });
        throw new Error('503 from X');
      });
      const dead = deferred();
      const deadLetters: unknown[] = [];
      await queue.workPublishDeadLetters(async (job) => {
        deadLetters.push(job.data);
        dead.resolve();
      });
      const id = await queue.schedulePublish({ targetId: 't-flaky' });
      await dead.promise;
      expect(attempts).toEqual([
        { retryCount: 0, last: false },
        { retryCount: 1, last: false },
        { retryCount: 2, last: true },
      ]);
      expect(deadLetters).toEqual([{ targetId: 't-flaky' }]);
      const job = await queue.boss.getJobById(QUEUES.publish, id as string);
      expect(job?.state).toBe('failed');
      expect(job?.output).toMatchObject({ message: '503 from X' });
    });

    it('stops gracefully: waits for the active job and its completion', async () => {
      const queue = await open();
      const started = deferred();
      let finished = false;
      await queue.workPublish(async () => {
        started.resolve();
        await new Promise((resolve) => setTimeout(resolve, 800));
        finished = true;
      });
      const id = await queue.schedulePublish({ targetId: 't-graceful' });
      await started.promise;
      await queue.stop({ timeoutMs: 5_000 });
      expect(finished).toBe(true);
      // pg-boss completes without awaiting; stop() waited for that statement too.
      const state = await getDb().query<{ state: string }>({
        text: `SELECT state::text FROM pgboss.job WHERE id = $1`,
        values: [id],
      });
      expect(state.rows).toEqual([{ state: 'completed' }]);
    });

    it.skipIf(backend !== 'postgres')('two workers on two pools never work the same job', async () => {
      const other = await openDatabase({ url: database().url as string, poolSize: 4 });
      extraDbs.push(other);
      const a = await open();
      const b = await open({}, other);
      const worked = new Map<string, string[]>();
      const total = 40;
      const all = deferred();
      let count = 0;
      const handler = (who: string) => async (job: { targetId: string }) => {
        worked.set(job.targetId, [...(worked.get(job.targetId) ?? []), who]);
        await new Promise((resolve) => setTimeout(resolve, 10));
        count += 1;
        if (count === total) all.resolve();
      };
      await a.workPublish(handler('a'), { concurrency: 4 });
      await b.workPublish(handler('b'), { concurrency: 4 });
      await Promise.all(Array.from({ length: total }, (_, i) => a.schedulePublish({ targetId: `t-${i}` })));
      await all.promise;
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(worked.size).toBe(total);
      expect([...worked.values()].every((who) => who.length === 1)).toBe(true);
      const by = [...worked.values()].flat();
      expect(by).toContain('a');
      expect(by).toContain('b');
    });
  },
  { migrate: false },
);
