import type { SqlQuery } from '../db/types.js';
import { type MediaState, TERMINAL_STATES } from '../states.js';
import { sql } from './sql.js';

/**
 * The SQL of media: `xpost.media` (files we were given, by upload or URL) and `xpost.media_uploads`
 * (their X media ids, per account). Pure functions as in sql.ts; times come from the caller's clock.
 *
 * A `fetching` row is claimed by one worker: the claim time is written to `updated_at` and acts as
 * the claim's token (every later statement of that worker names it), so a worker whose claim was
 * taken over after its lease ran out can no longer mark the row ready or failed.
 */

export interface MediaRow {
  id: string;
  api_key_id: string | null;
  source_url: string | null;
  local_path: string | null;
  /** The type read from the bytes (never a header or a file name); null until fetched. */
  content_type: string | null;
  /** X's category for it: `tweet_image`, `tweet_gif`, `tweet_video`. */
  media_category: string | null;
  size_bytes: number | null;
  sha256: string | null;
  alt_text: string | null;
  state: MediaState;
  /** For `failed`: JSON `{ "code": "...", "detail": "..." }` (see `mediaError`). */
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface MediaUploadRow {
  media_id: string;
  account_id: string;
  x_media_id: string;
  expires_at: Date | null;
  created_at: Date;
}

/** `size_bytes` is a bigint: read as a double so both drivers give a number (exact below 2^53). */
const COLUMNS = `id, api_key_id, source_url, local_path, content_type, media_category,
  size_bytes::double precision AS size_bytes, sha256, alt_text, state, error, created_at, updated_at`;

/** What a fetched or uploaded file turned out to be. */
export interface MediaFileFacts {
  localPath: string;
  contentType: string;
  mediaCategory: string;
  sizeBytes: number;
  sha256: string;
}

export const media = {
  /** A file received by `POST /api/media`: on disk already, so `ready` at once. */
  insertUploaded: (
    m: MediaFileFacts & { id: string; apiKeyId: string | null; altText: string | null; now: Date },
  ): SqlQuery =>
    sql(
      `INSERT INTO xpost.media
         (id, api_key_id, local_path, content_type, media_category, size_bytes, sha256, alt_text, state, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'ready', $9, $9)
       RETURNING ${COLUMNS}`,
      [
        m.id,
        m.apiKeyId,
        m.localPath,
        m.contentType,
        m.mediaCategory,
        m.sizeBytes,
        m.sha256,
        m.altText,
        m.now,
      ],
    ),

  /** A media URL of a post (`POST /api/posts`): `pending` until a worker fetches it (`prepareMedia`). */
  insertFromUrl: (m: {
    apiKeyId: string | null;
    sourceUrl: string;
    altText?: string | null;
    now: Date;
  }): SqlQuery =>
    sql(
      `INSERT INTO xpost.media (api_key_id, source_url, alt_text, state, created_at, updated_at)
       VALUES ($1, $2, $3, 'pending', $4, $4)
       RETURNING ${COLUMNS}`,
      [m.apiKeyId, m.sourceUrl, m.altText ?? null, m.now],
    ),

  get: (id: string): SqlQuery => sql(`SELECT ${COLUMNS} FROM xpost.media WHERE id = $1`, [id]),

  /** Several rows at once (a post's media), in no particular order. */
  getMany: (ids: readonly string[]): SqlQuery =>
    sql(`SELECT ${COLUMNS} FROM xpost.media WHERE id = ANY($1::uuid[])`, [[...ids]]),

  /**
   * Takes the fetch of a media row: a `pending` one, or a `fetching` one whose claim is older than
   * `staleBefore` (its worker died or hung). No row back: someone else holds it, or it is settled.
   * Concurrent claimers serialise on the row lock and re-check the condition, so one wins.
   */
  claimFetch: (c: { id: string; now: Date; staleBefore: Date }): SqlQuery =>
    sql(
      `UPDATE xpost.media SET state = 'fetching', updated_at = $2
       WHERE id = $1 AND source_url IS NOT NULL
         AND (state = 'pending' OR (state = 'fetching' AND updated_at <= $3))
       RETURNING ${COLUMNS}`,
      [c.id, c.now, c.staleBefore],
    ),

  /** Renews a claim during a long fetch; the new claim time is the new token. No row: it was taken over. */
  renewClaim: (c: { id: string; claimedAt: Date; now: Date }): SqlQuery =>
    sql(
      `UPDATE xpost.media SET updated_at = $3
       WHERE id = $1 AND state = 'fetching' AND updated_at = $2
       RETURNING updated_at`,
      [c.id, c.claimedAt, c.now],
    ),

  /**
   * Locks the row while its claim is still ours (run in the transaction that renames the file into
   * place and marks it ready): a takeover waits for it and then finds the row settled.
   */
  lockClaim: (c: { id: string; claimedAt: Date }): SqlQuery =>
    sql(`SELECT id FROM xpost.media WHERE id = $1 AND state = 'fetching' AND updated_at = $2 FOR UPDATE`, [
      c.id,
      c.claimedAt,
    ]),

  markReady: (m: MediaFileFacts & { id: string; claimedAt: Date; now: Date }): SqlQuery =>
    sql(
      `UPDATE xpost.media SET state = 'ready', local_path = $3, content_type = $4, media_category = $5,
         size_bytes = $6, sha256 = $7, error = NULL, updated_at = $8
       WHERE id = $1 AND state = 'fetching' AND updated_at = $2
       RETURNING ${COLUMNS}`,
      [m.id, m.claimedAt, m.localPath, m.contentType, m.mediaCategory, m.sizeBytes, m.sha256, m.now],
    ),

  /** A fetch that cannot succeed later (a refused address, a wrong type, too large, a 404). */
  markFailed: (m: {
    id: string;
    claimedAt: Date;
    error: { code: string; detail: string };
    now: Date;
  }): SqlQuery =>
    sql(
      `UPDATE xpost.media SET state = 'failed', error = $3, updated_at = $4
       WHERE id = $1 AND state = 'fetching' AND updated_at = $2
       RETURNING ${COLUMNS}`,
      [m.id, m.claimedAt, JSON.stringify(m.error), m.now],
    ),

  /** Gives a claim back (the worker is stopping): the next worker fetches it again. */
  release: (c: { id: string; claimedAt: Date; now: Date }): SqlQuery =>
    sql(
      `UPDATE xpost.media SET state = 'pending', updated_at = $3
       WHERE id = $1 AND state = 'fetching' AND updated_at = $2`,
      [c.id, c.claimedAt, c.now],
    ),

  /** Locks a row before it is deleted (`DELETE /api/media/:id`). */
  lock: (id: string): SqlQuery => sql(`SELECT ${COLUMNS} FROM xpost.media WHERE id = $1 FOR UPDATE`, [id]),

  /**
   * Unfinished posts (draft, scheduled, processing) whose stored request uses this media id in any
   * item: jsonb containment, `{"items":[{"media":[{"id":…}]}]}` matches when some item's media list
   * holds an element with that id.
   */
  usedByUnfinishedPosts: (id: string, limit = 5): SqlQuery =>
    sql(
      `SELECT id FROM xpost.posts
       WHERE state IN ('draft', 'scheduled', 'processing')
         AND request @> jsonb_build_object('items', jsonb_build_array(
               jsonb_build_object('media', jsonb_build_array(jsonb_build_object('id', $1::text)))))
       ORDER BY created_at, id
       LIMIT $2`,
      [id, limit],
    ),

  delete: (id: string): SqlQuery =>
    sql('DELETE FROM xpost.media WHERE id = $1 RETURNING id, local_path', [id]),
};

export const mediaUploads = {
  /** The X media ids known for these media on this account (expired ones included: check `expires_at`). */
  forAccount: (accountId: string, mediaIds: readonly string[]): SqlQuery =>
    sql(
      `SELECT media_id, account_id, x_media_id, expires_at, created_at FROM xpost.media_uploads
       WHERE account_id = $1 AND media_id = ANY($2::uuid[])`,
      [accountId, [...mediaIds]],
    ),

  /** Records (or replaces) the X media id of a media item uploaded as this account. */
  upsert: (u: {
    mediaId: string;
    accountId: string;
    xMediaId: string;
    expiresAt: Date | null;
    now: Date;
  }): SqlQuery =>
    sql(
      `INSERT INTO xpost.media_uploads (media_id, account_id, x_media_id, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (media_id, account_id) DO UPDATE SET
         x_media_id = EXCLUDED.x_media_id, expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at
       RETURNING media_id, account_id, x_media_id, expires_at, created_at`,
      [u.mediaId, u.accountId, u.xMediaId, u.expiresAt, u.now],
    ),
};

/**
 * Media retention (media/retention.ts). A media row is expired at `cutoff` (now minus the retention)
 * when
 * - its own times (`created_at`, and `updated_at`: the claim time of a fetch in progress) are older,
 *   so media never used by any post expire `retention` after they were created; and
 * - no post using it blocks it. A post uses a media id when its stored request names it in any
 *   `media[].id` (items, or the older `thread` shape: `$.**` looks everywhere, erring toward keeping).
 *   A post blocks when one of its targets is not final (draft, scheduled, queued, uploading,
 *   publishing: it will still read the file), or was last updated at or after `cutoff`, or when it has
 *   no target at all (derivePostState calls that a draft).
 * So media used by posts expire `retention` after the last of those posts' targets finished.
 *
 * The blocking posts are collected once per statement (one pass over posts, not one per media row);
 * there is no index on the request, and this runs at most hourly per worker.
 */
const expiredMediaCondition = (cutoff: string) => `m.created_at < ${cutoff} AND m.updated_at < ${cutoff}
  AND NOT EXISTS (
    SELECT 1 FROM xpost.posts p
      CROSS JOIN LATERAL jsonb_path_query(p.request, '$.**.media[*].id') AS used(id)
    WHERE lower(used.id #>> '{}') = m.id::text
      AND (NOT EXISTS (SELECT 1 FROM xpost.post_targets t WHERE t.post_id = p.id)
        OR EXISTS (SELECT 1 FROM xpost.post_targets t WHERE t.post_id = p.id
          AND (t.state NOT IN (${TERMINAL_STATES.map((state) => `'${state}'`).join(', ')}) OR t.updated_at >= ${cutoff}))))`;

export interface ExpiredMediaRow {
  id: string;
  local_path: string | null;
}

export const mediaRetention = {
  /**
   * Locks up to `limit` expired media rows, in id order after `afterId` (paging that always moves
   * on), skipping rows another transaction holds: another worker purging them, a route deleting one,
   * a fetch renaming its file into place. Run in the transaction that then calls `deleteExpired`.
   */
  lockExpired: (c: { cutoff: Date; afterId: string | null; limit: number }): SqlQuery =>
    sql(
      `SELECT m.id, m.local_path FROM xpost.media m
       WHERE ($2::uuid IS NULL OR m.id > $2::uuid) AND ${expiredMediaCondition('$1')}
       ORDER BY m.id
       LIMIT $3
       FOR UPDATE OF m SKIP LOCKED`,
      [c.cutoff, c.afterId, c.limit],
    ),

  /**
   * Deletes the locked rows that are still expired (their `media_uploads` go by cascade). Its own
   * statement, so its snapshot is taken after the locks: a post committed between the two statements
   * that uses one of them is seen here, and that media is kept.
   */
  deleteExpired: (c: { cutoff: Date; ids: readonly string[] }): SqlQuery =>
    sql(
      `DELETE FROM xpost.media m
       WHERE m.id = ANY($2::uuid[]) AND ${expiredMediaCondition('$1')}
       RETURNING m.id, m.local_path`,
      [c.cutoff, [...c.ids]],
    ),
};

/** The `{ code, detail }` of a failed row (`error` holds JSON; older free text reads as the detail). */
export function mediaError(row: Pick<MediaRow, 'error'>): { code: string; detail: string } {
  const text = row.error ?? '';
  try {
    const parsed = JSON.parse(text) as { code?: unknown; detail?: unknown };
    if (typeof parsed.code === 'string')
      return { code: parsed.code, detail: typeof parsed.detail === 'string' ? parsed.detail : '' };
  } catch {
    // not JSON: free text
  }
  return { code: 'media_failed', detail: text || 'fetching the media failed' };
}
