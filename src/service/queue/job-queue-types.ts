/** The job queue's public shapes (the implementation and its defaults are in queue.ts). */

import type PgBoss from 'pg-boss';
import type { Queryable } from '../db/types.js';
import type { QueueName } from './queue.js';

export interface JobContext {
  jobId: string;
  /** 0 on the first attempt. */
  retryCount: number;
  retryLimit: number;
  /** No retry follows if this attempt throws: the job then goes to the dead-letter queue. */
  isLastAttempt: boolean;
  /** Aborted when the job expires or `stop()` gives up waiting; pg-boss may then run it again. */
  signal: AbortSignal;
}
export type PublishJob = JobContext & { targetId: string };
export type WebhookDeliveryJob = JobContext & { deliveryId: string };
/** What a dead-letter queue receives: the data of a job whose retries ran out. */
export type DeadLetterJob<Data> = { jobId: string; data: Data };

export interface SendOptions {
  /** Insert the job in this transaction, so it exists only if the transaction commits. */
  tx?: Queryable;
}
export interface WorkOptions {
  /** Jobs handled at once by this process: one pg-boss worker (batch of one) per slot. */
  concurrency?: number;
}

export interface JobQueue {
  readonly boss: PgBoss;
  start(): Promise<void>;
  /** Stop fetching, wait for handlers (up to `timeoutMs`), then for pg-boss's own statements. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Queue a target's publish at `runAt` (now when absent or past). Resolves to the job id, or to
   * `null` when a job for this target is already waiting (the singleton key).
   */
  schedulePublish(input: { targetId: string; runAt?: Date }, options?: SendOptions): Promise<string | null>;
  /**
   * Move a target's waiting publish job to `runAt` (publish now, reschedule): cancels the job waiting
   * under the target's singleton key and queues a new one. Resolves to the new job id.
   */
  reschedulePublish(input: { targetId: string; runAt?: Date }, options?: SendOptions): Promise<string | null>;
  /** Cancel a waiting publish job by its id. */
  cancelPublish(jobId: string, options?: SendOptions): Promise<void>;
  workPublish(handler: (job: PublishJob) => Promise<void>, options?: WorkOptions): Promise<void>;
  workPublishDeadLetters(handler: (job: DeadLetterJob<{ targetId: string }>) => Promise<void>): Promise<void>;
  sendWebhookDelivery(
    input: { deliveryId: string; runAt?: Date },
    options?: SendOptions,
  ): Promise<string | null>;
  workWebhookDelivery(
    handler: (job: WebhookDeliveryJob) => Promise<void>,
    options?: WorkOptions,
  ): Promise<void>;
  workWebhookDeliveryDeadLetters(
    handler: (job: DeadLetterJob<{ deliveryId: string }>) => Promise<void>,
  ): Promise<void>;
  /** Jobs waiting (created or retry) in a queue, for `/metrics`. */
  size(queue: QueueName): Promise<number>;
}
