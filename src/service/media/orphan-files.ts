import type { Dir, Dirent } from 'node:fs';
import { lstat, opendir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../db/types.js';
import { orphanFiles } from '../store/orphan-files.js';
import { mediaDir } from './storage.js';

/**
 * Orphan media files: files in `<dataDir>/media` that no `xpost.media` row owns, which nothing else
 * ever deletes:
 * - `.<uuid>.<12 hex>.part` temporary files of a process killed (SIGKILL, power loss) mid-fetch or
 *   mid-upload (storeStream removes its own on any error it lives to see);
 * - `<uuid>` files whose row is gone: a crash between the retention purge's commit and its unlink
 *   (media/retention.ts), or, with machines that do not share `<dataDir>/media`, a row purged by a
 *   worker on another machine, which unlinks only its own copy.
 *
 * Only names we write are touched (a lowercase uuid, or a temporary name as storeStream makes it),
 * only regular files (lstat: never a symlink's target, never a directory), and only files whose
 * mtime is more than the grace (`ORPHAN_FILE_GRACE_MS`, a day) before `now`.
 *
 * Why a day of grace is safe: a file's mtime is its last write (a rename keeps it).
 * - An upload (POST /api/media, receive-upload.ts → routes/media.ts) streams to a `.part`, renames it
 *   to `<uuid>` once whole, and only then inserts the row: for those few moments the named file has
 *   no row, but its mtime is seconds old, not a day.
 * - A URL fetch (prepare-media.ts) has its row (pending, then fetching) before the first byte, and
 *   renames the file inside the transaction that marks the row ready: its named file always has a row.
 * - A `.part` is written to as bytes arrive, so only a stream that sent nothing for a whole day looks
 *   old: a fetch gives up after 30 s without a byte (fetch-url.ts); an upload has no such timeout,
 *   but one idle for a day that then resumes only fails at its end (the rename finds no file) and is
 *   refused, nothing half-stored. So deleting a `.part` untouched for a day costs at most that.
 * The day also absorbs clock differences between the machines sharing a media folder (mtimes come
 * from the file system's clock, `now` from ours).
 *
 * Several workers sweeping one shared folder at once is fine: a file another one deleted first is
 * skipped, not counted and not an error. Called by the worker's sweep, in the same hourly pass as the
 * media retention purge (worker/runtime.ts).
 */

/** How old (by mtime) a file must be before it may be deleted: see above for why a day. */
export const ORPHAN_FILE_GRACE_MS = 24 * 60 * 60 * 1000;
/** Media ids looked up per query. */
export const DEFAULT_ORPHAN_FILE_BATCH = 500;

/** A media file's name, exactly as `mediaFilePath` writes it (lowercase). */
const MEDIA_FILE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A temporary name, exactly as `storeStream` makes it: `.<media id>.<12 hex>.part`. */
const TEMP_FILE = /^\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[0-9a-f]{12}\.part$/;

export interface PurgeOrphanMediaFilesOptions {
  db: Db;
  /** The data folder: files are looked for in `<dataDir>/media` only. */
  dataDir: string;
  /** The application's clock: files last written before `now - graceMs` may go. */
  now: Date;
  /** Default `ORPHAN_FILE_GRACE_MS`. */
  graceMs?: number;
  /** Media ids looked up per query; default `DEFAULT_ORPHAN_FILE_BATCH`. */
  batchSize?: number;
}

export interface PurgeOrphanMediaFilesResult {
  /** Files deleted (orphans and stale temporary files). */
  files: number;
  /** Their bytes. */
  bytes: number;
  /** Files (or the folder) that could not be read or deleted: for a warning in the log. */
  errors: { path: string; message: string }[];
}

interface Candidate {
  path: string;
  size: number;
}

export async function purgeOrphanMediaFiles(
  options: PurgeOrphanMediaFilesOptions,
): Promise<PurgeOrphanMediaFilesResult> {
  const result: PurgeOrphanMediaFilesResult = { files: 0, bytes: 0, errors: [] };
  const dir = mediaDir(options.dataDir);
  const cutoff = options.now.getTime() - (options.graceMs ?? ORPHAN_FILE_GRACE_MS);
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_ORPHAN_FILE_BATCH);

  let folder: Dir;
  try {
    // Read as a stream, not all names at once: the folder may hold very many files.
    folder = await opendir(dir);
  } catch (error) {
    // No media folder: nothing was ever stored here.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return result;
    result.errors.push({ path: dir, message: (error as Error).message });
    return result;
  }

  /** Old `<uuid>` files waiting for their rows to be looked up, by media id. */
  let pending = new Map<string, Candidate>();
  const flush = async (): Promise<void> => {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    const owned = await options.db.query<{ id: string }>(orphanFiles.existingMedia([...batch.keys()]));
    for (const row of owned.rows) batch.delete(row.id.toLowerCase());
    for (const file of batch.values()) await remove(file, result);
  };

  try {
    for (;;) {
      let entry: Dirent | null;
      try {
        entry = await folder.read();
      } catch (error) {
        // The folder could not be read on: report it, and still settle what was found so far.
        result.errors.push({ path: dir, message: (error as Error).message });
        break;
      }
      if (entry === null) break;
      const isMedia = MEDIA_FILE.test(entry.name);
      if (!isMedia && !TEMP_FILE.test(entry.name)) continue; // not a name we write: never touched
      const file = await oldRegularFile(join(dir, entry.name), cutoff, result);
      if (!file) continue;
      if (!isMedia) {
        await remove(file, result); // a stale temporary file: no row ever names it
        continue;
      }
      pending.set(entry.name, file);
      if (pending.size >= batchSize) await flush();
    }
    // A database error (above or here) fails the pass, as it fails the retention purge.
    await flush();
  } finally {
    await folder.close().catch(() => {});
  }
  return result;
}

/** The file at `path` if it is a regular file (not a symlink or folder) last written before `cutoff`. */
async function oldRegularFile(
  path: string,
  cutoff: number,
  result: PurgeOrphanMediaFilesResult,
): Promise<Candidate | undefined> {
  try {
    const info = await lstat(path);
    if (!info.isFile() || !(info.mtimeMs < cutoff)) return undefined;
    return { path, size: info.size };
  } catch (error) {
    // Gone since the folder was listed (another worker, a purge): nothing to do.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      result.errors.push({ path, message: (error as Error).message });
    return undefined;
  }
}

/** Unlinks a file (never a folder: unlink refuses them); one that is already gone is fine. */
async function remove(file: Candidate, result: PurgeOrphanMediaFilesResult): Promise<void> {
  try {
    await unlink(file.path);
    result.files += 1;
    result.bytes += file.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      result.errors.push({ path: file.path, message: (error as Error).message });
  }
}
