import type { Db } from '../db/types.js';
import type { JobQueue } from '../queue/job-queue-types.js';
import { DEFAULT_SCHEMA, QUEUES } from '../queue/queue.js';
import { idempotency } from '../store/sql.js';
import { type DueTargetRow, sweepQueries, type WaitingJobRow } from '../store/sweep.js';

/**
 * One pass of the worker's sweep: every target due by the application's clock gets a publish job
 * that can run now. pg-boss normally has one already (the routes queue it in the transaction that
 * creates the target; the worker queues the next run itself), so the sweep is the safety net for:
 * - a target written without a job (no queue configured, or a job lost with a crashed process);
 * - an expired lease: a worker died holding the target (its pg-boss job only expires much later);
 * - a job the database's clock still holds back while the application's clock says it is due
 *   (clocks that differ; tests that move an injected clock): it is moved to now;
 * - a job that went to the dead-letter queue: its target is still due, so it gets a new job.
 * Sending twice is harmless: the singleton key keeps one waiting job per target, and the claim
 * under a row lock lets one worker at a time publish. Then the housekeeping: expired idempotency
 * keys and OAuth states are deleted.
 */

/** Due targets looked at per pass (of each kind: due to run, lease expired); the rest next pass. */
export const DEFAULT_SWEEP_BATCH = 500;

export interface SweepDeps {
  db: Db;
  queue: Pick<JobQueue, 'schedulePublish' | 'reschedulePublish'>;
  clock: { now(): Date };
  /** pg-boss's schema (`JobQueueOptions.schema`); default `pgboss`. */
  queueSchema?: string;
  batchSize?: number;
}

export interface SweepResult {
  /** Targets found due (or with an expired lease). */
  due: number;
  /** Of those, how many had no waiting job and were given one. */
  scheduled: number;
  /** Jobs the database's clock held back that were moved to now. */
  movedForward: number;
  /** Targets whose job already waits to run (nothing to do). */
  waiting: number;
  /** Target ids given a job or moved forward, for the log. */
  targetIds: string[];
  idempotencyKeysPurged: number;
  oauthStatesPurged: number;
}

const publishKey = (targetId: string) => `target:${targetId}`;

export async function sweep(deps: SweepDeps): Promise<SweepResult> {
  const now = deps.clock.now();
  const batch = deps.batchSize ?? DEFAULT_SWEEP_BATCH;
  const { rows: due } = await deps.db.query<DueTargetRow>(sweepQueries.dueTargets(now, batch));
  const result: SweepResult = {
    due: due.length,
    scheduled: 0,
    movedForward: 0,
    waiting: 0,
    targetIds: [],
    idempotencyKeysPurged: 0,
    oauthStatesPurged: 0,
  };
  if (due.length > 0) {
    const { rows: jobs } = await deps.db.query<WaitingJobRow>(
      sweepQueries.waitingPublishJobs(
        deps.queueSchema ?? DEFAULT_SCHEMA,
        QUEUES.publish,
        due.map((t) => publishKey(t.id)),
      ),
    );
    const waiting = new Map<string, WaitingJobRow[]>();
    for (const job of jobs) waiting.set(job.key, [...(waiting.get(job.key) ?? []), job]);
    for (const target of due) {
      const found = waiting.get(publishKey(target.id)) ?? [];
      // A job that can run now (or one backing off after a failed run: its delay is pg-boss's to keep).
      if (found.some((job) => !job.later || job.state === 'retry')) {
        result.waiting += 1;
        continue;
      }
      if (found.length > 0) {
        await deps.queue.reschedulePublish({ targetId: target.id });
        result.movedForward += 1;
        result.targetIds.push(target.id);
        continue;
      }
      // null: another worker's sweep (or a route) queued it a moment ago; either way it waits now.
      const id = await deps.queue.schedulePublish({ targetId: target.id });
      if (id) {
        result.scheduled += 1;
        result.targetIds.push(target.id);
      } else result.waiting += 1;
    }
  }
  result.idempotencyKeysPurged = (await deps.db.query(idempotency.expire(now))).rowCount;
  result.oauthStatesPurged = (await deps.db.query(sweepQueries.expireOAuthStates(now))).rowCount;
  return result;
}
