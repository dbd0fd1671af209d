import type { JobQueue, PublishJob } from '../queue/job-queue-types.js';
import { type PublishDeps, type PublishResult, publishTarget } from './publish.js';

/**
 * The handler for `queue.workPublish`: runs the publish step and, when it put the target back in the
 * queue (backoff, rate limit), schedules the job for the new `run_at`. Errors that are not X's (the
 * database) are thrown, so pg-boss retries the job; a held lease runs out and the next claim reconciles.
 */
export function publishJobHandler(
  deps: PublishDeps,
  queue: Pick<JobQueue, 'schedulePublish'>,
  onResult?: (targetId: string, result: PublishResult) => void,
): (job: Pick<PublishJob, 'targetId'>) => Promise<void> {
  return async (job) => {
    const result = await publishTarget(deps, job.targetId);
    if (result.outcome === 'requeued')
      await queue.schedulePublish({ targetId: job.targetId, runAt: result.runAt });
    onResult?.(job.targetId, result);
  };
}
