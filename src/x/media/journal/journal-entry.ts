import type { FileIdentity, UploadJournalEntry } from '../types.js';

const CATEGORIES = new Set([
  'tweet_image',
  'tweet_gif',
  'tweet_video',
  'amplify_video',
  'dm_image',
  'dm_gif',
  'dm_video',
  'subtitles',
]);

/** Throws a TypeError naming the problem when `set()` is handed something that is not an entry. */
export function assertEntry(owner: string, key: string, entry: UploadJournalEntry): void {
  if (typeof key !== 'string' || key === '')
    throw new TypeError(`${owner}: the key must be a non-empty string`);
  const problem = journalEntryProblem(entry);
  if (problem)
    throw new TypeError(`${owner}.set(${JSON.stringify(key)}): not an UploadJournalEntry (${problem})`);
}

/** Why `value` is not an `UploadJournalEntry`, or `undefined` when it is one. */
export function journalEntryProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  const e = value as Partial<Record<keyof UploadJournalEntry, unknown>>;
  if (!isIdentity(e.identity)) return 'no valid identity';
  if (!nonEmptyString(e.mediaId)) return 'no mediaId';
  if (e.mediaKey !== undefined && typeof e.mediaKey !== 'string') return 'mediaKey is not a string';
  if (!nonEmptyString(e.mediaType)) return 'no mediaType';
  if (typeof e.mediaCategory !== 'string' || !CATEGORIES.has(e.mediaCategory))
    return 'no valid mediaCategory';
  if (!count(e.totalBytes)) return 'no valid totalBytes';
  if (!count(e.chunkSize) || e.chunkSize === 0) return 'no valid chunkSize';
  if (typeof e.expiresAt !== 'number' || !Number.isFinite(e.expiresAt)) return 'no valid expiresAt';
  if (!Array.isArray(e.segmentsDone) || !e.segmentsDone.every(count)) return 'no valid segmentsDone';
  if (e.finalized !== undefined && typeof e.finalized !== 'boolean') return 'finalized is not a boolean';
  if (e.spans !== undefined && !(Array.isArray(e.spans) && e.spans.every(isSpan))) return 'no valid spans';
  return undefined;
}

function isIdentity(value: unknown): value is FileIdentity {
  if (!isObject(value)) return false;
  const i = value as Partial<Record<keyof FileIdentity, unknown>>;
  return (
    nonEmptyString(i.path) &&
    count(i.size) &&
    typeof i.mtimeMs === 'number' &&
    Number.isFinite(i.mtimeMs) &&
    typeof i.headTailSha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(i.headTailSha256)
  );
}

function isSpan(value: unknown): boolean {
  if (!isObject(value)) return false;
  return count(value.index) && count(value.offset) && count(value.chunkSize) && value.chunkSize > 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function count(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
