import type { JobQueue, PublishJob } from '../queue/job-queue-types.js';
import { type PublishDeps, type PublishResult, publishHeldTarget, publishTarget } from './publish.js';
import { uploadTarget } from './upload.js';

/**
 * How many times one job goes from the publish step to the upload step and back: once normally
 * (media pending), twice when an X media id expired between the upload and the post.
 */
const MAX_UPLOAD_ROUNDS = 3;

/**
 * The handler for `queue.workPublish`: runs the publish step; when the target has media to upload
 * (`needs-upload`: it is held in `uploading`), runs the upload step and then the publish step again,
 * in the same job. When a step put the target back in the queue (backoff, rate limit), schedules the
 * job for the new `run_at`. Errors that are not X's (the database) are thrown, so pg-boss retries the
 * job; a held lease runs out and the next claim reconciles (or resumes the upload from its journal).
 */
export function publishJobHandler(
  deps: PublishDeps,
  queue: Pick<JobQueue, 'schedulePublish'>,
  onResult?: (targetId: string, result: PublishResult) => void,
): (job: Pick<PublishJob, 'targetId'> & Partial<Pick<PublishJob, 'signal'>>) => Promise<void> {
  return async (job) => {
    let result = await publishTarget(deps, job.targetId);
    for (let round = 0; result.outcome === 'needs-upload' && round < MAX_UPLOAD_ROUNDS; round++) {
      const uploaded = await uploadTarget(deps, job.targetId, job.signal ? { signal: job.signal } : {});
      result = uploaded.outcome === 'uploaded' ? await publishHeldTarget(deps, job.targetId) : uploaded;
    }
    // Still `needs-upload` after every round: the target stays held in `uploading`; when its lease
    // ends the sweep's claim hands it to a worker again.
    if (result.outcome === 'requeued')
      await queue.schedulePublish({ targetId: job.targetId, runAt: result.runAt });
    onResult?.(job.targetId, result);
  };
}
