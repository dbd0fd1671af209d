import { KeyMutex } from '../../x/auth/key-mutex.js';
import { assertEntry, journalEntryProblem } from '../../x/media/journal/journal-entry.js';
import type { UploadJournal, UploadJournalEntry } from '../../x/media/types.js';
import type { Queryable } from '../db/types.js';
import { uploadJournals } from './sql.js';

export interface DbUploadJournalOptions {
  /** Told about a stored entry that is not a valid journal entry (it then reads as absent). */
  onWarning?: (warning: { key: string; message: string }) => void;
}

/**
 * The SDK's `UploadJournal` in the service's database (`xpost.upload_journals`), so a worker resumes
 * an upload another one (crashed) started. The same semantics as the SDK's file journal:
 * - entries are copied in and out (stored as JSON): mutating the object after `set` changes nothing;
 * - `set` refuses what is not an entry (TypeError naming the problem); a damaged stored entry reads as
 *   absent, since a journal is only an optimisation (worst case: upload again from the start);
 * - the last `set` wins, and inside one process the writes of a key are applied in call order, so a
 *   slow earlier write never replaces a later one (across processes, whichever commits last wins;
 *   each writer's entry is whole and correct for its media id, see FileJournal).
 * Pass the database, not a transaction: each call commits on its own, as a journal must.
 */
export function dbUploadJournal(db: Queryable, options: DbUploadJournalOptions = {}): UploadJournal {
  const mutex = new KeyMutex();
  const warn = options.onWarning ?? (() => {});
  return {
    async get(key: string): Promise<UploadJournalEntry | undefined> {
      checkKey(key);
      const { rows } = await db.query<{ entry: unknown }>(uploadJournals.get(key));
      const row = rows[0];
      if (!row) return undefined;
      const problem = journalEntryProblem(row.entry);
      if (problem) {
        warn({
          key,
          message: `ignoring upload journal ${JSON.stringify(key)}: ${problem}; the upload starts over`,
        });
        return undefined;
      }
      return row.entry as UploadJournalEntry;
    },
    async set(key: string, entry: UploadJournalEntry): Promise<void> {
      assertEntry('dbUploadJournal', key, entry);
      const query = uploadJournals.upsert(key, entry); // serialised now, before the caller mutates it
      await mutex.run(key, () => db.query(query));
    },
    async delete(key: string): Promise<void> {
      checkKey(key);
      await mutex.run(key, () => db.query(uploadJournals.delete(key)));
    },
  };
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key === '')
    throw new TypeError('dbUploadJournal: the key must be a non-empty string');
}
