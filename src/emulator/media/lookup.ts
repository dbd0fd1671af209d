import type { EmulatorContext } from '../context.js';
import { invalidRequest, type XProblem } from '../problems.js';
import type { MediaRecord } from '../state/types.js';

/** What reading media needs: the store and the clock (an `EmulatorContext`, or a test's handle). */
export type MediaReader = Pick<EmulatorContext, 'store' | 'clock'>;

/** A media record that exists and has not expired by the emulator's clock (REFERENCE §4.1 expiry). */
export function findLiveMedia(ctx: MediaReader, id: string): MediaRecord | undefined {
  const record = ctx.store.media.get(id);
  if (!record || ctx.clock.now() >= record.expiresAt) return undefined;
  return record;
}

/** The uploader and the `additional_owners` may use a media id (REFERENCE §4.1). */
export function isOwnedBy(record: MediaRecord, userId: string): boolean {
  return record.ownerId === userId || record.additionalOwners.includes(userId);
}

/**
 * The caller's live media, or X's 400. Unknown, expired and someone else's ids get the same
 * answer, so an id reveals nothing about other accounts.
 */
export function requireOwnMedia(ctx: MediaReader, id: string, userId: string): MediaRecord {
  const record = findLiveMedia(ctx, id);
  if (!record || !isOwnedBy(record, userId)) throw invalidMediaId(id);
  return record;
}

export function invalidMediaId(id: string): XProblem {
  return invalidRequest([{ parameters: { media_id: [id] }, message: `Invalid media_id: ${id}` }]);
}
