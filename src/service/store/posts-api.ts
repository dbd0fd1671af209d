import type { SqlQuery } from '../db/types.js';
import { canTransition, type MediaState, type PostState, type PostTargetState } from '../states.js';
import { sql } from './sql.js';

/**
 * The SQL of the posts HTTP API (src/service/routes/posts.ts), pure functions like sql.ts: what the
 * routes read (accounts and media named in a request, pages of posts, the rows a post view shows) and
 * the few writes sql.ts does not cover (a post's edited request, a target's new run time, the X posts
 * deleted on X).
 */

/** What a route needs of an `xpost.media` row to validate a request that names it. */
export interface MediaInfoRow {
  id: string;
  state: MediaState;
  content_type: string | null;
  media_category: string | null;
  error: string | null;
}

/** A post as listed: the row plus its `created_at` as PostgreSQL text, exact to the microsecond (cursors). */
export interface PostRow {
  id: string;
  api_key_id: string | null;
  body: string;
  scheduled_at: Date | null;
  draft: boolean;
  state: PostState;
  request: unknown;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ListedPostRow extends PostRow {
  cursor_at: string;
}

export const postsApi = {
  /** The accounts with these ids, removed ones included (so a request can be told which is which). */
  accountsByIds: (ids: readonly string[]): SqlQuery =>
    sql('SELECT * FROM xpost.accounts WHERE id = ANY($1::uuid[])', [[...ids]]),

  /** `profiles: ["x"]`: every connected X account, oldest first (those needing reconnection included, to name them). */
  liveXAccounts: (): SqlQuery =>
    sql(`SELECT * FROM xpost.accounts WHERE provider = 'x' AND deleted_at IS NULL ORDER BY created_at, id`),

  mediaByIds: (ids: readonly string[]): SqlQuery =>
    sql('SELECT id, state, content_type, media_category, error FROM xpost.media WHERE id = ANY($1::uuid[])', [
      [...ids],
    ]),

  /**
   * Holds the media rows a post being stored names (KEY SHARE: they cannot be deleted until the
   * transaction ends), so the retention purge or `DELETE /api/media/:id` never removes a media item
   * from under a post that commits. Rows back: the ones that still exist.
   */
  holdMedia: (ids: readonly string[]): SqlQuery =>
    sql('SELECT id FROM xpost.media WHERE id = ANY($1::uuid[]) FOR KEY SHARE', [[...ids]]),

  /** A media item given by URL: fetched later by the worker (its type is known only then). */
  insertUrlMedia: (m: { apiKeyId: string | null; url: string; alt: string | null }): SqlQuery =>
    sql(
      `INSERT INTO xpost.media (api_key_id, source_url, alt_text, state) VALUES ($1, $2, $3, 'pending')
       RETURNING id`,
      [m.apiKeyId, m.url, m.alt],
    ),

  /**
   * The post's targets, locked: a worker's claim (`FOR UPDATE SKIP LOCKED`) passes them by until the
   * route's transaction ends, so an edit, a publish-now or a cancel never races a claim.
   */
  lockTargets: (postId: string): SqlQuery =>
    sql('SELECT * FROM xpost.post_targets WHERE post_id = $1 ORDER BY created_at, id FOR UPDATE', [postId]),

  /** The post, locked (the first statement of every change, as publish.ts does before `setState`). */
  lockPost: (id: string): SqlQuery => sql('SELECT * FROM xpost.posts WHERE id = $1 FOR UPDATE', [id]),

  /** An edit (PATCH) or a publish-now: the post's new normalised request, body and schedule. */
  updatePost: (p: {
    id: string;
    body: string;
    request: unknown;
    scheduledAt: Date | null;
    draft: boolean;
    now: Date;
  }): SqlQuery =>
    sql(
      `UPDATE xpost.posts SET body = $2, request = $3, scheduled_at = $4, draft = $5, updated_at = $6
       WHERE id = $1 RETURNING *`,
      [p.id, p.body, JSON.stringify(p.request), p.scheduledAt, p.draft, p.now],
    ),

  setSchedule: (p: { id: string; scheduledAt: Date | null; draft: boolean; now: Date }): SqlQuery =>
    sql('UPDATE xpost.posts SET scheduled_at = $2, draft = $3, updated_at = $4 WHERE id = $1 RETURNING *', [
      p.id,
      p.scheduledAt,
      p.draft,
      p.now,
    ]),

  /**
   * Moves an unheld target, like `targets.update` in sql.ts, but also within one state: a scheduled
   * target to another time, a queued one to now (`targets.update` refuses a move to the same state,
   * which is not a transition). `mediaPending`, when given, is set too (an edit added or removed
   * media). No row back: it changed since it was read, or a worker holds it.
   */
  moveUnheld: (u: {
    id: string;
    version: number;
    from: PostTargetState;
    to: PostTargetState;
    runAt: Date;
    now: Date;
    mediaPending?: boolean;
  }): SqlQuery => {
    if (u.from !== u.to && !canTransition(u.from, u.to)) {
      throw new Error(`a post target cannot go from ${u.from} to ${u.to}`);
    }
    return sql(
      `UPDATE xpost.post_targets SET state = $4, run_at = $5, media_pending = COALESCE($7, media_pending),
         version = version + 1, updated_at = $6
       WHERE id = $1 AND version = $2 AND state = $3 AND locked_by IS NULL
       RETURNING *`,
      [u.id, u.version, u.from, u.to, u.runAt, u.now, u.mediaPending ?? null],
    );
  },

  /** Every X post of the target was deleted on X (or was already gone). */
  markDeletedOnX: (id: string, now: Date): SqlQuery =>
    sql(
      `UPDATE xpost.post_targets SET x_deleted_at = COALESCE(x_deleted_at, $2), version = version + 1, updated_at = $2
       WHERE id = $1 RETURNING *`,
      [id, now],
    ),

  /**
   * A page of posts, newest first by (`created_at`, `id`), after the cursor's position when given.
   * `limit` should be one more than the page, to learn whether another page follows.
   */
  list: (f: {
    state?: PostState;
    accountId?: string;
    after?: { createdAt: string; id: string };
    limit: number;
  }): SqlQuery => {
    const values: unknown[] = [];
    const where: string[] = [];
    if (f.state !== undefined) {
      values.push(f.state);
      where.push(`p.state = $${values.length}`);
    }
    if (f.accountId !== undefined) {
      values.push(f.accountId);
      where.push(
        `EXISTS (SELECT 1 FROM xpost.post_targets t WHERE t.post_id = p.id AND t.account_id = $${values.length}::uuid)`,
      );
    }
    if (f.after !== undefined) {
      values.push(f.after.createdAt, f.after.id);
      where.push(`(p.created_at, p.id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
    }
    values.push(f.limit);
    return sql(
      `SELECT p.*, p.created_at::text AS cursor_at FROM xpost.posts p
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY p.created_at DESC, p.id DESC LIMIT $${values.length}`,
      values,
    );
  },

  postsByIds: (ids: readonly string[]): SqlQuery =>
    sql('SELECT * FROM xpost.posts WHERE id = ANY($1::uuid[])', [[...ids]]),
  targetsOfPosts: (postIds: readonly string[]): SqlQuery =>
    sql('SELECT * FROM xpost.post_targets WHERE post_id = ANY($1::uuid[]) ORDER BY created_at, id', [
      [...postIds],
    ]),
  attemptsOfTargets: (targetIds: readonly string[]): SqlQuery =>
    sql(
      'SELECT * FROM xpost.publish_attempts WHERE target_id = ANY($1::uuid[]) ORDER BY started_at, item_index, id',
      [[...targetIds]],
    ),
  /** Id and username of accounts, removed ones included: a post view names every target's account. */
  accountNames: (ids: readonly string[]): SqlQuery =>
    sql('SELECT id, username FROM xpost.accounts WHERE id = ANY($1::uuid[])', [[...ids]]),
};
