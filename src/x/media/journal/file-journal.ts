import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { syncDir, writeFileAtomic } from '../../auth/atomic-write.js';
import { KeyMutex } from '../../auth/key-mutex.js';
import type { UploadJournal, UploadJournalEntry } from '../types.js';
import { assertEntry, journalEntryProblem } from './journal-entry.js';

const FILE_VERSION = 1;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
/**
 * A temporary file `writeFileAtomic` left behind this long ago belongs to a writer that was killed
 * mid-write (a live write takes milliseconds); `delete` clears such files of its key.
 */
export const STALE_TEMP_MS = 60_000;

/** Something the journal could not use and skipped; the upload goes on without it. */
export interface JournalWarning {
  key: string;
  /** The entry's file. */
  path: string;
  message: string;
  cause?: unknown;
}

export interface FileJournalOptions {
  /** Folder holding one JSON file per upload; created with mode 0700 when missing. */
  dir: string;
  /** Told about entries that were damaged or unreadable and so treated as absent. Default: ignore. */
  onWarning?: (warning: JournalWarning) => void;
}

interface JournalFile {
  version: number;
  key: string;
  entry: UploadJournalEntry;
}

/**
 * Upload journals on disk, one JSON file per key, so an upload killed mid-way continues from its
 * first missing segment on the next run (`media.upload(path, { journal })`).
 *
 * - Each file is replaced atomically with mode 0600 (`auth/atomic-write.ts`): a crash leaves the old
 *   entry or the new one, never half of one. The folder is created 0700; a media id is not a secret,
 *   but the paths of a user's files are their business.
 * - A journal is only an optimisation, the worst case being to upload again from the start: a
 *   damaged, foreign or unreadable file reads as absent (and is reported to `onWarning`) instead of
 *   failing the upload. Writing, by contrast, throws: the caller decides whether to go on without it.
 * - Concurrent writers of one key need no lock. Every `set` writes a whole entry that one uploader
 *   built from what X acknowledged for that entry's media id, so whichever write lands last, resuming
 *   from it is correct; at worst segments another writer recorded are sent again. Inside one process
 *   the writes of a key are applied in call order, so a slow earlier write never replaces a later one.
 *
 * File names are the SHA-256 of the key: any key is safe, fixed length, and reveals nothing; the key
 * is stored in the file and checked on reading.
 */
export class FileJournal implements UploadJournal {
  readonly dir: string;
  readonly #onWarning: (warning: JournalWarning) => void;
  readonly #mutex = new KeyMutex();

  constructor(options: FileJournalOptions) {
    if (!options?.dir)
      throw new TypeError('fileJournal({ dir }): pass the folder to keep upload journals in');
    this.dir = resolve(options.dir);
    this.#onWarning = options.onWarning ?? (() => {});
  }

  /** The file that holds `key`'s entry. */
  pathFor(key: string): string {
    if (typeof key !== 'string' || key === '')
      throw new TypeError('FileJournal: the key must be a non-empty string');
    return join(this.dir, `${createHash('sha256').update(key).digest('hex')}.json`);
  }

  async get(key: string): Promise<UploadJournalEntry | undefined> {
    const path = this.pathFor(key);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      this.#warn(key, path, `could not read ${path}: ${(error as Error).message}`, error);
      return undefined;
    }
    const problem = fileProblem(text, key);
    if (typeof problem === 'string') {
      this.#warn(key, path, `ignoring upload journal ${path}: ${problem}; the upload starts over`);
      return undefined;
    }
    return problem.entry;
  }

  async set(key: string, entry: UploadJournalEntry): Promise<void> {
    const path = this.pathFor(key);
    assertEntry('FileJournal', key, entry);
    // Serialised now, so the entry the caller goes on mutating is not what gets written.
    const file: JournalFile = { version: FILE_VERSION, key, entry };
    const text = `${JSON.stringify(file)}\n`;
    await this.#mutex.run(key, async () => {
      try {
        await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
        await writeFileAtomic(path, text, FILE_MODE);
      } catch (error) {
        throw new Error(`could not write upload journal ${path}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    });
  }

  async delete(key: string): Promise<void> {
    const path = this.pathFor(key);
    await this.#mutex.run(key, async () => {
      await rm(path, { force: true });
      await this.#removeStaleTemps(path);
      await syncDir(this.dir).catch(() => {});
    });
  }

  /** Temporary files of `path` (`.<name>.<pid>.<random>.tmp`, see atomic-write.ts) old enough to be orphans. */
  async #removeStaleTemps(path: string): Promise<void> {
    const prefix = `.${basename(path)}.`;
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const cutoff = Date.now() - STALE_TEMP_MS;
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
      const temp = join(this.dir, name);
      const info = await stat(temp).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) await rm(temp, { force: true }).catch(() => {});
    }
  }

  #warn(key: string, path: string, message: string, cause?: unknown): void {
    try {
      this.#onWarning(cause === undefined ? { key, path, message } : { key, path, message, cause });
    } catch {
      // A failing warning hook must not turn an optimisation into a failure.
    }
  }
}

export function fileJournal(options: FileJournalOptions): FileJournal {
  return new FileJournal(options);
}

function fileProblem(text: string, key: string): string | JournalFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'not valid JSON (damaged, or cut short by a full disk)';
  }
  if (typeof data !== 'object' || data === null) return 'not a JSON object';
  const file = data as Partial<JournalFile>;
  if (file.version !== FILE_VERSION) return `not version ${FILE_VERSION} of the format`;
  if (file.key !== key) return 'it belongs to another key';
  const problem = journalEntryProblem(file.entry);
  if (problem) return problem;
  return file as JournalFile;
}
