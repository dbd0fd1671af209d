/**
 * The service's job queue: pg-boss 10 on the service's own database (DESIGN, "jobs"; issue 6,
 * "Publishing, exactly once"). Scheduling (`startAfter`), retries with backoff, a singleton key per
 * target, dead letters and `SKIP LOCKED` claiming come from pg-boss.
 *
 * Exactly-once publishing does NOT come from here. pg-boss delivers a job at least once: a handler
 * that outlives `expireInSeconds`, a worker killed mid-job, a stop that times out, or a second
 * `schedulePublish` while a job is retrying can all run a target twice. The publish worker makes that
 * harmless: it claims the target row under a lock, records the attempt before `POST /2/tweets`, and
 * reconciles with X after any unknown outcome. Retries here are for failures that are safe to retry
 * (network errors, 5xx); a handler that meets a failure a retry cannot fix records it and returns.
 *
 * Time: pg-boss compares `start_after` with the database's `now()`, not with Node's clock, so an
 * injected clock does not move jobs; `runAt` is an absolute instant handed to the database.
 */

import PgBoss from 'pg-boss';
import type { Db } from '../db/types.js';
import { type BossDbAdapter, bossDbForTransaction, createBossDbAdapter } from './boss-db-adapter.js';
import type { JobContext, JobQueue, SendOptions } from './job-queue-types.js';

export type {
  DeadLetterJob,
  JobContext,
  JobQueue,
  PublishJob,
  SendOptions,
  WebhookDeliveryJob,
  WorkOptions,
} from './job-queue-types.js';

export const QUEUES = Object.freeze({
  publish: 'publish',
  publishDeadLetter: 'publish-dead-letter',
  webhookDelivery: 'webhook-delivery',
  webhookDeliveryDeadLetter: 'webhook-delivery-dead-letter',
});
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface RetrySettings {
  /** Retries after the first attempt. */
  limit: number;
  /** Seconds before the first retry; with `backoff`, pg-boss doubles it each time with jitter. */
  delaySeconds: number;
  backoff: boolean;
}

export const DEFAULT_SCHEMA = 'pgboss';
/** pg-boss's minimum; keeps a due job's lateness under the 1 s p99 target. */
export const DEFAULT_POLLING_INTERVAL_SECONDS = 0.5;
/** Expire stuck jobs (a killed worker's) and archive finished ones this often. */
export const DEFAULT_MAINTENANCE_INTERVAL_SECONDS = 60;
/** Network errors and 5xx: about 10 s, 20 s, 40 s, 80 s, 160 s (each up to twice that with jitter). */
export const DEFAULT_PUBLISH_RETRY: RetrySettings = Object.freeze({
  limit: 5,
  delaySeconds: 10,
  backoff: true,
});
export const DEFAULT_WEBHOOK_RETRY: RetrySettings = Object.freeze({
  limit: 8,
  delaySeconds: 10,
  backoff: true,
});
/** A publish may upload a large video; past this pg-boss fails the job and it may run again. */
export const DEFAULT_PUBLISH_EXPIRE_SECONDS = 15 * 60;
export const DEFAULT_WEBHOOK_EXPIRE_SECONDS = 60;
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;
/** After the stop timeout, how long handlers get to notice their aborted signal. */
const ABORT_GRACE_MS = 5_000;

export interface JobQueueOptions {
  /** PostgreSQL schema for pg-boss's tables. Default `pgboss`. */
  schema?: string;
  pollingIntervalSeconds?: number;
  maintenanceIntervalSeconds?: number;
  /** Emit pg-boss's `monitor-states` (counts per queue and state) this often; off by default. */
  monitorIntervalSeconds?: number;
  publishRetry?: Partial<RetrySettings>;
  webhookRetry?: Partial<RetrySettings>;
  publishExpireSeconds?: number;
  webhookExpireSeconds?: number;
  /** pg-boss's background errors (maintenance, a worker's failed fetch). Default: `console.error`. */
  onError?: (error: Error) => void;
}

/**
 * Two pg-boss starts on one PGlite would race to create the schema; the loser's failed
 * `BEGIN; … COMMIT;` is what pg-boss expects on a server but costs a rollback on PGlite. Starts on
 * one `Db` in this process go one at a time.
 */
const startsByDb = new WeakMap<Db, Promise<unknown>>();

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function retrySettings(defaults: RetrySettings, given: Partial<RetrySettings> | undefined): RetrySettings {
  return { ...defaults, ...given };
}

/**
 * pg-boss installs its schema on the first `start()`. Processes starting together on an empty
 * PostgreSQL database (`serve --no-worker` and workers brought up at once) race on it: pg-boss checks
 * "installed?" before taking its lock, so the losers run the install again and fail on a duplicate
 * object (or a deadlock). A failed `start()` cannot be retried on the same instance (pg-boss stays
 * "starting"), so the install is done first by throwaway instances, retried while it races; the
 * service's own instance then finds the schema in place.
 */
async function installAcrossProcesses(adapter: BossDbAdapter, schema: string): Promise<void> {
  await whileRacing(async () => {
    const installer = new PgBoss({ db: adapter, schema, schedule: false, supervise: false });
    installer.on('error', () => {});
    await installer.start();
    await installer.stop({ graceful: false, wait: true, close: false, timeout: 1_000 });
  });
}

/** Errors of DDL racing another process's: a duplicate object, or a deadlock between the two. */
const RACE_CODES = new Set(['23505', '42P06', '42P07', '42710', '40P01']);

/** Runs idempotent set-up again (after a short, jittered pause) while it loses races, up to 5 times. */
async function whileRacing(fn: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await fn();
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !RACE_CODES.has(code) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.floor(Math.random() * 200)));
    }
  }
}

export function createJobQueue(db: Db, options: JobQueueOptions = {}): JobQueue {
  const adapter: BossDbAdapter = createBossDbAdapter(db);
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema))
    throw new Error(`job queue schema must be a plain identifier, got "${schema}"`);
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? DEFAULT_POLLING_INTERVAL_SECONDS;
  const publishRetry = retrySettings(DEFAULT_PUBLISH_RETRY, options.publishRetry);
  const webhookRetry = retrySettings(DEFAULT_WEBHOOK_RETRY, options.webhookRetry);
  const publishExpireSeconds = options.publishExpireSeconds ?? DEFAULT_PUBLISH_EXPIRE_SECONDS;
  const webhookExpireSeconds = options.webhookExpireSeconds ?? DEFAULT_WEBHOOK_EXPIRE_SECONDS;

  const boss = new PgBoss({
    db: adapter,
    schema,
    // We use no cron schedules; the timekeeper would add a polling worker and two timers.
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? DEFAULT_MAINTENANCE_INTERVAL_SECONDS,
    ...(options.monitorIntervalSeconds
      ? { monitorStateIntervalSeconds: options.monitorIntervalSeconds }
      : {}),
  });
  // An EventEmitter's `error` without a listener throws: a failed maintenance run would crash us.
  const onError = options.onError ?? ((error: Error) => console.error('[xpost queue]', error));
  boss.on('error', onError);

  const workerIds = new Map<string, string[]>();
  const running = new Set<{ done: Promise<unknown>; abort: AbortController }>();

  const register = (queue: string, id: string) => workerIds.set(queue, [...(workerIds.get(queue) ?? []), id]);
  const wake = (queue: string, runAt?: Date) => {
    if (runAt && runAt.getTime() > Date.now()) return;
    for (const id of workerIds.get(queue) ?? []) boss.notifyWorker(id);
  };

  async function work<Data>(
    queue: string,
    concurrency: number,
    handle: (job: PgBoss.JobWithMetadata<Data>, signal: AbortSignal) => Promise<void>,
  ): Promise<void> {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be an integer >= 1 (got ${concurrency})`);
    }
    for (let slot = 0; slot < concurrency; slot += 1) {
      const id = await boss.work<Data>(
        queue,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds },
        async ([job]) => {
          if (!job) return;
          const abort = new AbortController();
          // pg-boss stops waiting for the handler at expiry and fails the job; tell the handler.
          const expiry = setTimeout(
            () => abort.abort(new Error('job expired')),
            Number(job.expireInSeconds) * 1000,
          );
          const entry = { done: handle(job, abort.signal), abort };
          running.add(entry);
          try {
            await entry.done;
          } finally {
            clearTimeout(expiry);
            running.delete(entry);
          }
        },
      );
      register(queue, id);
    }
  }

  const context = (job: PgBoss.JobWithMetadata<unknown>, signal: AbortSignal): JobContext => ({
    jobId: job.id,
    retryCount: job.retryCount,
    retryLimit: job.retryLimit,
    isLastAttempt: job.retryCount >= job.retryLimit,
    signal,
  });

  const sendSettings = {
    [QUEUES.publish]: {
      retry: publishRetry,
      expireInSeconds: publishExpireSeconds,
      deadLetter: QUEUES.publishDeadLetter,
    },
    [QUEUES.webhookDelivery]: {
      retry: webhookRetry,
      expireInSeconds: webhookExpireSeconds,
      deadLetter: QUEUES.webhookDeliveryDeadLetter,
    },
  };

  async function send(
    queue: typeof QUEUES.publish | typeof QUEUES.webhookDelivery,
    data: object,
    singletonKey: string,
    runAt: Date | undefined,
    sendOptions: SendOptions | undefined,
  ): Promise<string | null> {
    const { retry, expireInSeconds, deadLetter } = sendSettings[queue];
    const id = await boss.send(queue, data, {
      singletonKey,
      ...(runAt ? { startAfter: runAt } : {}),
      retryLimit: retry.limit,
      retryDelay: retry.delaySeconds,
      retryBackoff: retry.backoff,
      expireInSeconds,
      deadLetter,
      ...(sendOptions?.tx ? { db: bossDbForTransaction(sendOptions.tx) } : {}),
    });
    // Inside a transaction the job is invisible until commit: waking a worker now would find nothing.
    if (id && !sendOptions?.tx) wake(queue, runAt);
    return id;
  }

  return {
    boss,
    async start() {
      const previous = startsByDb.get(db) ?? Promise.resolve();
      const started = previous
        .catch(() => undefined)
        .then(async () => {
          await installAcrossProcesses(adapter, schema);
          await boss.start();
          // Creating a queue also races between processes starting together (a deadlock or a
          // duplicate partition); pg-boss looks before it creates, so trying again is safe.
          await whileRacing(async () => {
            // A dead-letter queue must exist before a queue names it (a foreign key in pg-boss's schema).
            await boss.createQueue(QUEUES.publishDeadLetter);
            await boss.createQueue(QUEUES.webhookDeliveryDeadLetter);
            // `short`: at most one job per singleton key in state `created` (a unique index), so a
            // target waiting to publish is never queued twice, while a running job may queue its
            // successor (wait for a rate-limit reset). `singleton`/`stately` would make a worker's
            // fetch fail on a unique violation that pg-boss swallows, stalling the queue behind it.
            await boss.createQueue(QUEUES.publish, { name: QUEUES.publish, policy: 'short' });
            await boss.createQueue(QUEUES.webhookDelivery, { name: QUEUES.webhookDelivery, policy: 'short' });
          });
        });
      startsByDb.set(db, started);
      await started;
    },
    async stop({ timeoutMs = DEFAULT_STOP_TIMEOUT_MS } = {}) {
      const deadline = Date.now() + timeoutMs;
      // pg-boss stops its loops and waits (polling every 500 ms) for the jobs it knows are active;
      // past the timeout it fails them ("pg-boss shut down while active") and they will retry.
      await boss.stop({ graceful: true, wait: true, close: false, timeout: timeoutMs });
      // A fetch in flight when stop began can still hand a job to a handler; pg-boss no longer sees
      // it, so we wait for it ourselves, and for the statements pg-boss fired without awaiting.
      for (;;) {
        await adapter.idle();
        if (running.size === 0) break;
        const handlers = Promise.allSettled([...running].map((entry) => entry.done));
        const remaining = deadline - Date.now();
        if (remaining > 0 && (await settlesWithin(handlers, remaining))) continue;
        for (const entry of running) entry.abort.abort(new Error('job queue stopped'));
        await settlesWithin(handlers, ABORT_GRACE_MS);
        await adapter.idle();
        break;
      }
      workerIds.clear();
    },
    schedulePublish({ targetId, runAt }, sendOptions) {
      return send(QUEUES.publish, { targetId }, `target:${targetId}`, runAt, sendOptions);
    },
    async reschedulePublish({ targetId, runAt }, sendOptions) {
      // The waiting job (start_after at the old time) holds the singleton key: cancel it, then queue
      // the new time. In the caller's transaction when given, so a rollback keeps the old job.
      const q = sendOptions?.tx ?? db;
      await q.query({
        text: `UPDATE ${schema}.job SET state = 'cancelled', completed_on = now()
               WHERE name = $1 AND singleton_key = $2 AND state IN ('created', 'retry')`,
        values: [QUEUES.publish, `target:${targetId}`],
      });
      return send(QUEUES.publish, { targetId }, `target:${targetId}`, runAt, sendOptions);
    },
    async cancelPublish(jobId, sendOptions) {
      await boss.cancel(
        QUEUES.publish,
        jobId,
        sendOptions?.tx ? { db: bossDbForTransaction(sendOptions.tx) } : {},
      );
    },
    workPublish(handler, { concurrency = 1 } = {}) {
      return work<{ targetId: string }>(QUEUES.publish, concurrency, (job, signal) =>
        handler({ ...context(job, signal), targetId: job.data.targetId }),
      );
    },
    workPublishDeadLetters(handler) {
      return work<{ targetId: string }>(QUEUES.publishDeadLetter, 1, (job) =>
        handler({ jobId: job.id, data: job.data }),
      );
    },
    sendWebhookDelivery({ deliveryId, runAt }, sendOptions) {
      return send(QUEUES.webhookDelivery, { deliveryId }, `delivery:${deliveryId}`, runAt, sendOptions);
    },
    workWebhookDelivery(handler, { concurrency = 1 } = {}) {
      return work<{ deliveryId: string }>(QUEUES.webhookDelivery, concurrency, (job, signal) =>
        handler({ ...context(job, signal), deliveryId: job.data.deliveryId }),
      );
    },
    workWebhookDeliveryDeadLetters(handler) {
      return work<{ deliveryId: string }>(QUEUES.webhookDeliveryDeadLetter, 1, (job) =>
        handler({ jobId: job.id, data: job.data }),
      );
    },
    size(queue) {
      return boss.getQueueSize(queue);
    },
  };
}
