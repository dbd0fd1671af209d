import type { Queryable } from '../db/types.js';
import { ServiceError } from '../errors.js';
import { HELD_STATES } from '../states.js';
import { type PostRow, postsApi } from '../store/posts-api.js';
import type { PostTargetRow } from '../store/sql.js';
import { isUuid } from './validate-fields.js';

/** 404 for an unknown post, or an id that is not even a UUID. */
export function postNotFound(id: string): ServiceError {
  return new ServiceError(404, 'not_found', `no post has the id "${id}"; GET /api/posts lists them`);
}

export function assertPostId(id: string): void {
  if (!isUuid(id)) throw postNotFound(id);
}

/**
 * The first statements of every change to a post: the post row locked (as publish.ts locks it before
 * recomputing the state), then its targets locked, so no worker can claim one until the change
 * commits (a claim skips locked rows) and what the route checks stays true until then.
 */
export async function lockPostForChange(
  tx: Queryable,
  id: string,
): Promise<{ post: PostRow; targets: PostTargetRow[] }> {
  assertPostId(id);
  const post = (await tx.query<PostRow>(postsApi.lockPost(id))).rows[0];
  if (!post) throw postNotFound(id);
  const { rows } = await tx.query<PostTargetRow>(postsApi.lockTargets(id));
  return { post, targets: rows };
}

/** A target a worker holds: it may be uploading or creating the post on X right now. */
export function isHeld(target: PostTargetRow): boolean {
  return (HELD_STATES as readonly string[]).includes(target.state) || target.locked_by !== null;
}

/** The target changed between the read and the write (a version check failed). */
export function changedMeanwhile(): ServiceError {
  return new ServiceError(
    409,
    'conflict',
    'the post changed while this request was processed (a worker took it up); GET it and try again',
  );
}
