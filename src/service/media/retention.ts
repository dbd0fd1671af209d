import { stat } from 'node:fs/promises';
import type { Db } from '../db/types.js';
import { type ExpiredMediaRow, mediaRetention } from '../store/media-api.js';
import { mediaFilePath, removeMediaFile } from './storage.js';

/**
 * Media retention: the data folder must not fill up with media no post needs any more. A media item
 * (its file in `<dataDir>/media/<id>`, its `xpost.media` row and, by cascade, its X media ids in
 * `xpost.media_uploads`) is deleted once
 * - every post using it has all its targets final (published, failed, cancelled): a post still to be
 *   published, or being published, always keeps its media, however old; and
 * - it was last touched more than the retention ago: for media used by posts, the last update of
 *   those posts' targets (when the last of them finished); for media no post used, its creation.
 * The exact rule is `expiredMediaCondition` in store/media-api.ts.
 *
 * Safe with many workers at once: each batch locks its rows `FOR UPDATE SKIP LOCKED` (another
 * purger, `DELETE /api/media/:id` or a fetch committing its file holds them: skipped, seen next
 * time), checks them again after the locks and deletes them in one transaction, and only after the
 * commit unlinks the files. A crash between the two leaves a file without a row, never a row without
 * its file (which a post could still name). A file already gone is fine.
 *
 * Called by the worker's sweep at most hourly (worker/runtime.ts), with `XPOST_MEDIA_RETENTION_DAYS`.
 */

/** Media rows locked, deleted and unlinked per transaction. */
export const DEFAULT_MEDIA_PURGE_BATCH = 100;

export interface PurgeExpiredMediaOptions {
  db: Db;
  /** The application's clock: media last touched before `now - retentionMs` are expired. */
  now: Date;
  /** How long media are kept; 0 (or less) keeps them forever and this does nothing. */
  retentionMs: number;
  /** The data folder: files are deleted at `<dataDir>/media/<id>`, never at a path read from the database. */
  dataDir: string;
  batchSize?: number;
}

export interface PurgeExpiredMediaResult {
  /** Media rows deleted. */
  count: number;
  /** Bytes of the files deleted (a file already missing counts 0). */
  bytes: number;
  /** Files that could not be deleted (their rows are gone): for a warning in the log. */
  fileErrors: { mediaId: string; path: string; message: string }[];
}

export async function purgeExpiredMedia(options: PurgeExpiredMediaOptions): Promise<PurgeExpiredMediaResult> {
  const result: PurgeExpiredMediaResult = { count: 0, bytes: 0, fileErrors: [] };
  if (!(options.retentionMs > 0)) return result;
  const cutoff = new Date(options.now.getTime() - options.retentionMs);
  const limit = options.batchSize ?? DEFAULT_MEDIA_PURGE_BATCH;
  let afterId: string | null = null;
  for (;;) {
    const { found, deleted } = await options.db.transaction(async (tx) => {
      const locked = (await tx.query<ExpiredMediaRow>(mediaRetention.lockExpired({ cutoff, afterId, limit })))
        .rows;
      if (locked.length === 0) return { found: locked, deleted: [] as ExpiredMediaRow[] };
      const gone = await tx.query<ExpiredMediaRow>(
        mediaRetention.deleteExpired({ cutoff, ids: locked.map((row) => row.id) }),
      );
      return { found: locked, deleted: gone.rows };
    });
    // The rows are gone for good now: their files may go (see above for the order).
    for (const row of deleted) {
      result.count += 1;
      const path = mediaFilePath(options.dataDir, row.id);
      try {
        result.bytes += await fileSize(path);
        await removeMediaFile(path);
      } catch (error) {
        result.fileErrors.push({ mediaId: row.id, path, message: (error as Error).message });
      }
    }
    // Fewer than a batch: nothing more is expired (or what is, another worker holds right now).
    if (found.length < limit) return result;
    afterId = found[found.length - 1]!.id;
  }
}

/** The size of a file, 0 if it is not there. */
async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
