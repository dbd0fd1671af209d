import type { PostTargetState } from '../states.js';

/** Where a waiting target belongs, given its post's `draft` flag and schedule. */
export interface TargetPlan {
  state: Extract<PostTargetState, 'draft' | 'scheduled' | 'queued'>;
  runAt: Date;
}

/**
 * A draft stays a draft whatever its schedule (the draft wins until it is published or PATCHed);
 * otherwise a future `scheduled_at` is `scheduled` at that time, and no schedule, or one that has
 * come (checks allow up to 60 s in the past), is `queued` now.
 */
export function planTarget(post: { draft: boolean; scheduledAt: Date | null }, now: Date): TargetPlan {
  if (post.draft) return { state: 'draft', runAt: post.scheduledAt ?? now };
  if (post.scheduledAt && post.scheduledAt.getTime() > now.getTime()) {
    return { state: 'scheduled', runAt: post.scheduledAt };
  }
  return { state: 'queued', runAt: now };
}

/** Targets a route may still change: waiting, and not held by a worker. */
export const WAITING_STATES: readonly PostTargetState[] = Object.freeze(['draft', 'scheduled', 'queued']);
