import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ServiceConfig } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/types.js';
import type { PostEventSink } from '../events.js';
import { type PurgeOrphanMediaFilesResult, purgeOrphanMediaFiles } from '../media/orphan-files.js';
import { mediaSettingsFromConfig } from '../media/prepare-media.js';
import { type PurgeExpiredMediaResult, purgeExpiredMedia } from '../media/retention.js';
import type { JobQueue, PublishJob, WebhookDeliveryJob } from '../queue/job-queue-types.js';
import { QUEUES } from '../queue/queue.js';
import type { ComponentStatus, WorkerProbe } from '../routes/health.js';
import { type AccountRow, type PostTargetRow, targets } from '../store/sql.js';
import type { XAccess } from './account-client.js';
import type { PublishDeps, PublishResult } from './publish.js';
import { publishJobHandler } from './publish-job.js';
import { type SweepResult, sweep } from './sweep.js';

/**
 * The worker runtime: what `xpost serve` runs beside the API (unless `--no-worker`) and what each
 * `xpost worker` process runs. It
 * - works the publish queue (`publishTarget` per job, `concurrency` at once);
 * - sweeps every `sweepIntervalMs` for targets due by the injected clock that have no runnable job
 *   (worker/sweep.ts), and purges expired idempotency keys and OAuth states;
 * - at most once every `MEDIA_PURGE_INTERVAL_MS` (by the injected clock), as part of a sweep, deletes
 *   media no post needs any more once `XPOST_MEDIA_RETENTION_DAYS` have passed (media/retention.ts),
 *   then media files no row owns and stale temporary files, over a day old (media/orphan-files.ts);
 * - logs publish jobs that ran out of retries (the dead-letter queue) and sweeps at once, so a target
 *   still due gets a new job;
 * - optionally works webhook deliveries with the handler it is given.
 * Any number of runtimes, in one process or many, share one database: pg-boss hands each job to one
 * of them, and the target's row lock and lease make a second run harmless.
 */

export const DEFAULT_SWEEP_INTERVAL_MS = 5_000;
/** How long `stop()` waits for publish jobs in flight before leaving them to the queue's stop. */
export const DEFAULT_WORKER_STOP_TIMEOUT_MS = 30_000;
/**
 * How often one worker process purges expired media: retention is counted in days, and the purge
 * reads every post's request, so once an hour is plenty (each worker process keeps its own time).
 */
export const MEDIA_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** pino's, Fastify's `app.log` and the like. */
export interface WorkerLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface StartWorkerOptions {
  db: Db;
  box: SecretBox;
  config: Pick<
    ServiceConfig,
    | 'workerConcurrency'
    | 'dataDir'
    | 'mediaMaxBytes'
    | 'allowPrivateMediaUrls'
    | 'mediaRetentionMs'
    | 'leaseMs'
  >;
  /** Started by the caller, who also stops it after this runtime (`stop()` drains only our jobs). */
  queue: JobQueue;
  /** How to reach X for an account (x-access.ts). */
  x: (account: AccountRow) => XAccess;
  /** Now, for claims, leases and what the sweep calls due. Default: real time. */
  clock?: { now(): Date };
  /** Post events (webhooks), emitted in the transaction that moves a target. */
  events?: PostEventSink;
  /** Default `<hostname>:<pid>:<random>`: names the lease holder in `post_targets.locked_by`. */
  workerId?: string;
  /** Publish jobs run at once; default `config.workerConcurrency` (XPOST_WORKER_CONCURRENCY). */
  concurrency?: number;
  /** How long a claim holds a target (default `DEFAULT_LEASE_MS`, 5 minutes). */
  leaseMs?: number;
  sweepIntervalMs?: number;
  /** pg-boss's schema if not the default (`JobQueueOptions.schema`). */
  queueSchema?: string;
  /** Retry and backoff of the publish step (tests shorten them). */
  publish?: Pick<PublishDeps, 'maxAttempts' | 'backoffBaseMs' | 'backoffMaxMs'>;
  /** Works the webhook-delivery queue with this handler when given. */
  webhooks?: (job: WebhookDeliveryJob) => Promise<void>;
  log: WorkerLog;
  /** Told of every publish job's result (tests, metrics). */
  onResult?: (targetId: string, result: PublishResult) => void;
  stopTimeoutMs?: number;
}

export interface RunningWorker {
  readonly workerId: string;
  /** For `/health`: `ok` while the loops run, `down` when the last sweep failed or after `stop()`. */
  readonly probe: WorkerProbe;
  /** Run a sweep now (after the one in progress, if any) and return what it did. */
  sweepNow(): Promise<WorkerSweepResult>;
  /** Stop sweeping and taking jobs, and wait for the jobs in flight. Does not stop the queue. */
  stop(): Promise<void>;
}

export interface WorkerSweepResult extends SweepResult {
  /** What the media purge freed, when it ran in this sweep (at most hourly; never with retention 0). */
  mediaPurge?: PurgeExpiredMediaResult;
  /** What the orphan file sweep that follows it deleted (the same pass, the same conditions). */
  orphanFiles?: PurgeOrphanMediaFilesResult;
}

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { db, queue, log } = options;
  const clock = options.clock ?? { now: () => new Date() };
  const workerId = options.workerId ?? defaultWorkerId();
  const concurrency = options.concurrency ?? options.config.workerConcurrency;
  const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  const deps: PublishDeps = {
    db,
    box: options.box,
    clock,
    workerId,
    x: options.x,
    // Where media are kept and fetched from (the data folder, the size cap, the SSRF guard).
    media: mediaSettingsFromConfig(options.config),
    ...(options.events && { events: options.events }),
    ...(options.leaseMs !== undefined && { leaseMs: options.leaseMs }),
    ...options.publish,
  };

  let stopped = false;
  let lastSweepFailed = false;
  const inFlight = new Set<Promise<void>>();

  const onResult = (targetId: string, result: PublishResult): void => {
    logResult(log, targetId, result);
    options.onResult?.(targetId, result);
  };
  const handle = publishJobHandler(deps, queue, onResult);
  const work = async (job: PublishJob): Promise<void> => {
    try {
      await handle(job);
    } catch (error) {
      log.warn(
        {
          err: error,
          targetId: job.targetId,
          jobId: job.jobId,
          attempt: job.retryCount + 1,
          lastAttempt: job.isLastAttempt,
        },
        job.isLastAttempt
          ? 'publish job failed on its last attempt; the sweep gives the target a new job while it is due'
          : 'publish job failed; the queue retries it',
      );
      throw error;
    }
  };
  await queue.workPublish(
    (job) => {
      const running = work(job);
      const tracked = running.catch(() => {}).finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      return running;
    },
    { concurrency },
  );

  // When this process last purged media, by the injected clock (undefined: not yet, so at the first sweep).
  let lastMediaPurgeAt: number | undefined;
  const purgeMediaIfDue = async (): Promise<Pick<WorkerSweepResult, 'mediaPurge' | 'orphanFiles'>> => {
    const retentionMs = options.config.mediaRetentionMs;
    // Retention 0 keeps media forever: orphan files are left alone too.
    if (!(retentionMs > 0)) return {};
    const now = clock.now();
    const last = lastMediaPurgeAt;
    // A clock set back (tests) purges again rather than waiting for the old time to come round.
    if (last !== undefined && now.getTime() >= last && now.getTime() - last < MEDIA_PURGE_INTERVAL_MS)
      return {};
    // Counted from the start: a purge that fails is tried again in an hour, not at every sweep.
    lastMediaPurgeAt = now.getTime();
    const purged = await purgeExpiredMedia({ db, now, retentionMs, dataDir: options.config.dataDir });
    if (purged.count > 0)
      log.info({ count: purged.count, bytes: purged.bytes }, 'purged media no post needs any more');
    for (const failure of purged.fileErrors)
      log.warn(failure, 'could not delete the file of a purged media item; delete it by hand');
    const orphans = await purgeOrphanMediaFiles({ db, now, dataDir: options.config.dataDir });
    if (orphans.files > 0)
      log.info(
        { files: orphans.files, bytes: orphans.bytes },
        'deleted media files no media item owns (orphans and stale partial files)',
      );
    for (const failure of orphans.errors)
      log.warn(
        failure,
        'could not read or delete an orphan media file; check its permissions, or delete it by hand',
      );
    return { mediaPurge: purged, orphanFiles: orphans };
  };

  // Sweeps never overlap; `sweepNow` waits for the one in progress, then runs its own.
  let current: Promise<WorkerSweepResult> | undefined;
  const runSweep = (): Promise<WorkerSweepResult> => {
    current ??= (async () => {
      try {
        const swept = await sweep({
          db,
          queue,
          clock,
          ...(options.queueSchema !== undefined && { queueSchema: options.queueSchema }),
        });
        const result: WorkerSweepResult = { ...swept, ...(await purgeMediaIfDue()) };
        lastSweepFailed = false;
        log.debug(
          {
            due: result.due,
            scheduled: result.scheduled,
            movedForward: result.movedForward,
            waiting: result.waiting,
            targetIds: result.targetIds,
            idempotencyKeysPurged: result.idempotencyKeysPurged,
            oauthStatesPurged: result.oauthStatesPurged,
          },
          'worker sweep',
        );
        return result;
      } catch (error) {
        lastSweepFailed = true;
        log.error({ err: error }, 'worker sweep failed; /health reports the worker down until one succeeds');
        throw error;
      } finally {
        current = undefined;
      }
    })();
    return current;
  };
  const sweepNow = async (): Promise<WorkerSweepResult> => {
    await current?.catch(() => {});
    return runSweep();
  };

  await queue.workPublishDeadLetters(async ({ jobId, data }) => {
    const target = (await db.query<PostTargetRow>(targets.get(data.targetId))).rows[0];
    log.error(
      { targetId: data.targetId, jobId, state: target?.state ?? 'gone' },
      'publish job ran out of retries; the sweep re-checks its target',
    );
    if (!stopped) void runSweep().catch(() => {});
  });
  if (options.webhooks) await queue.workWebhookDelivery(options.webhooks, { concurrency });

  let timer: NodeJS.Timeout | undefined;
  const loop = (): void => {
    timer = setTimeout(() => {
      void runSweep()
        .catch(() => {})
        .finally(() => {
          if (!stopped) loop();
        });
    }, sweepIntervalMs);
  };
  // The first sweep at once: after a crash, what the last process held is due again.
  void runSweep()
    .catch(() => {})
    .finally(() => {
      if (!stopped) loop();
    });

  log.info({ workerId, concurrency, sweepIntervalMs }, 'worker started');

  return {
    workerId,
    probe: (): ComponentStatus => (stopped || lastSweepFailed ? 'down' : 'ok'),
    sweepNow,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      // Stop fetching; the jobs in flight finish (publishTarget has no abort point mid-post).
      await queue.boss.offWork(QUEUES.publish);
      await queue.boss.offWork(QUEUES.publishDeadLetter);
      if (options.webhooks) await queue.boss.offWork(QUEUES.webhookDelivery);
      await current?.catch(() => {});
      await settleWithin(
        Promise.allSettled([...inFlight]),
        options.stopTimeoutMs ?? DEFAULT_WORKER_STOP_TIMEOUT_MS,
      );
      log.info({ workerId }, 'worker stopped');
    },
  };
}

function logResult(log: WorkerLog, targetId: string, result: PublishResult): void {
  switch (result.outcome) {
    case 'published':
      log.info({ targetId, xPostIds: result.xPostIds }, 'published');
      return;
    case 'failed':
      log.warn({ targetId, code: result.code, detail: result.detail }, 'publish failed');
      return;
    case 'requeued':
      log.info({ targetId, code: result.code, runAt: result.runAt }, 'publish requeued');
      return;
    default:
      log.debug({ targetId, outcome: result.outcome }, 'publish job: nothing to do');
  }
}

async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
