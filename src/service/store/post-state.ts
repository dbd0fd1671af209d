import type { Queryable } from '../db/types.js';
import { derivePostState, type PostState, type PostTargetState } from '../states.js';
import { posts } from './sql.js';

/**
 * Recomputes a post's state from its targets (`derivePostState`) and stores it. Call it in the
 * transaction that changed them: it takes the post's row lock first (a no-op when the caller already
 * holds it), so two writers finishing two targets of one post never both store a state computed from
 * a stale snapshot. The one place routes, workers and account removal write `posts.state`.
 */
export async function recomputePostState(tx: Queryable, postId: string): Promise<PostState> {
  await tx.query(posts.lock(postId));
  const { rows } = await tx.query<{ state: PostTargetState }>(posts.targetStates(postId));
  const state = derivePostState(rows.map((r) => r.state));
  await tx.query(posts.setState(postId, state));
  return state;
}
