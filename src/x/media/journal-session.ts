import type { Clock } from '../clock.js';
import { fileIdentity, journalKey } from './journal/index.js';
import type { SegmentLayout } from './segment-layout.js';
import type { MediaCategory, UploadJournal, UploadJournalEntry } from './types.js';

/** Acknowledged segments are written to the journal every this many segments… */
export const JOURNAL_PERSIST_EVERY_SEGMENTS = 8;
/** …or when this long has passed since the last write, whichever comes first. */
export const JOURNAL_PERSIST_INTERVAL_MS = 2000;

/**
 * One upload's record in an `UploadJournal` (the stores live in `journal/`). Keyed by the account and
 * the file's identity, so only the same bytes uploaded as the same account ever resume. Writes are
 * batched to keep a many-segment upload cheap; at worst a crash re-sends the last few segments.
 */
export class JournalSession {
  readonly key: string;
  #entry: UploadJournalEntry | undefined;
  #unsaved = 0;
  #savedAt = 0;

  private constructor(
    private readonly journal: UploadJournal,
    private readonly clock: Clock,
    key: string,
    readonly identity: UploadJournalEntry['identity'],
    readonly found: UploadJournalEntry | undefined,
  ) {
    this.key = key;
  }

  static async open(
    journal: UploadJournal,
    clock: Clock,
    subject: string,
    path: string,
  ): Promise<JournalSession> {
    const identity = await fileIdentity(path);
    const key = journalKey(subject, identity);
    const found = await journal.get(key);
    return new JournalSession(journal, clock, key, identity, found);
  }

  /** The entry to continue from: same size, type and category, and its media id not yet expired. */
  resumable(want: {
    mediaType: string;
    mediaCategory: MediaCategory;
    totalBytes: number;
  }): UploadJournalEntry | undefined {
    const e = this.found;
    if (!e || e.expiresAt <= this.clock.now()) return undefined;
    if (
      e.totalBytes !== want.totalBytes ||
      e.mediaType !== want.mediaType ||
      e.mediaCategory !== want.mediaCategory
    )
      return undefined;
    return e;
  }

  /** Start recording (after INITIALIZE, or with the entry resumed). */
  async begin(entry: UploadJournalEntry): Promise<void> {
    this.#entry = { ...entry, segmentsDone: [...entry.segmentsDone] };
    await this.#save();
  }

  async acked(done: ReadonlySet<number>): Promise<void> {
    if (!this.#entry) return;
    this.#entry.segmentsDone = [...done].sort((a, b) => a - b);
    this.#unsaved++;
    if (
      this.#unsaved >= JOURNAL_PERSIST_EVERY_SEGMENTS ||
      this.clock.now() - this.#savedAt >= JOURNAL_PERSIST_INTERVAL_MS
    ) {
      await this.#save();
    }
  }

  /** A re-cut changes which bytes each index holds: written at once. */
  async recut(layout: SegmentLayout, done: ReadonlySet<number>): Promise<void> {
    if (!this.#entry) return;
    this.#entry.chunkSize = layout.chunkSize;
    this.#entry.spans = layout.spans.map((s) => ({ ...s }));
    this.#entry.segmentsDone = [...done].sort((a, b) => a - b);
    await this.#save();
  }

  async flush(): Promise<void> {
    if (this.#entry && this.#unsaved > 0) await this.#save();
  }

  async finalized(expiresAt: number): Promise<void> {
    if (!this.#entry) return;
    this.#entry.finalized = true;
    this.#entry.expiresAt = expiresAt;
    await this.#save();
  }

  async remove(): Promise<void> {
    this.#entry = undefined;
    await this.journal.delete(this.key);
  }

  async #save(): Promise<void> {
    this.#unsaved = 0;
    this.#savedAt = this.clock.now();
    await this.journal.set(this.key, this.#entry!);
  }
}
