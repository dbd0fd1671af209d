import { PROBLEM_TYPE_PREFIX, XProblem } from '../problems.js';
import type { MediaRecord } from '../state/types.js';
import { findLiveMedia, isOwnedBy, type MediaReader } from './lookup.js';
import { processingView } from './processing.js';

/** At most 4 photos, or exactly 1 GIF, or exactly 1 video per post (REFERENCE §3.1, §4.1). */
const MAX_PHOTOS = 4;

export type AttachCheck = { ok: true; media: MediaRecord[] } | { ok: false; problem: XProblem };

/**
 * Whether `userId` may attach these media ids to a post, as `POST /2/tweets` checks them: each must
 * exist, not be expired, belong to the user (owner or `additional_owners`), be finalized, have
 * finished processing successfully, and the set must not mix a video or GIF with anything else.
 * X answers every one of these failures with the same "Your media IDs are invalid." (REFERENCE §5.2).
 */
export function checkAttachableMedia(
  ctx: MediaReader /* an EmulatorContext */,
  userId: string,
  mediaIds: string[],
): AttachCheck {
  const media: MediaRecord[] = [];
  for (const id of mediaIds) {
    const record = findLiveMedia(ctx, id);
    if (!record || !isOwnedBy(record, userId) || record.phase !== 'finalized') return invalid(mediaIds);
    const processing = processingView(record, ctx.clock.now());
    if (processing && processing.state !== 'succeeded') return invalid(mediaIds);
    media.push(record);
  }
  const moving = media.filter((m) => isMoving(m)).length;
  if (moving > 1 || (moving === 1 && media.length > 1) || media.length > MAX_PHOTOS) return invalid(mediaIds);
  return { ok: true, media };
}

function isMoving(record: MediaRecord): boolean {
  return /video|gif/.test(record.category);
}

function invalid(mediaIds: string[]): AttachCheck {
  return {
    ok: false,
    problem: new XProblem(400, {
      errors: [{ parameters: { 'media.media_ids': mediaIds }, message: 'Your media IDs are invalid.' }],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: `${PROBLEM_TYPE_PREFIX}invalid-request`,
    }),
  };
}
