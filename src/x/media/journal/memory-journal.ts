import type { UploadJournal, UploadJournalEntry } from '../types.js';
import { assertEntry } from './journal-entry.js';

/**
 * A journal in this process's memory: resumes an upload interrupted by a network failure within one
 * run, not one interrupted by a crash. Entries are copied in and out, so a caller that keeps
 * mutating its own object does not change what was stored.
 */
export class MemoryJournal implements UploadJournal {
  readonly #entries = new Map<string, UploadJournalEntry>();

  async get(key: string): Promise<UploadJournalEntry | undefined> {
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : structuredClone(entry);
  }

  async set(key: string, entry: UploadJournalEntry): Promise<void> {
    assertEntry('MemoryJournal', key, entry);
    this.#entries.set(key, structuredClone(entry));
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  /** How many uploads it remembers (for tests and diagnostics). */
  get size(): number {
    return this.#entries.size;
  }
}

export function memoryJournal(): MemoryJournal {
  return new MemoryJournal();
}
