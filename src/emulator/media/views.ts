import type { MediaRecord } from '../state/types.js';
import { isProcessedAsync, processingView } from './processing.js';

/** Response bodies of the media endpoints (REFERENCE §4.1, spec v2.167 shapes). */

export function initializeView(record: MediaRecord, now: number) {
  return {
    data: {
      id: record.id,
      media_key: record.mediaKey,
      expires_after_secs: secondsLeft(record, now),
    },
  };
}

export function appendView(record: MediaRecord) {
  return { data: { expires_at: Math.floor(record.expiresAt / 1000) } };
}

/** FINALIZE, STATUS and one-shot: `check_after_secs` only while processing is not terminal. */
export function mediaView(record: MediaRecord, now: number) {
  const processing = processingView(record, now);
  const data: Record<string, unknown> = {
    id: record.id,
    media_key: record.mediaKey,
    size: record.totalBytes,
    expires_after_secs: secondsLeft(record, now),
  };
  if (processing) data.processing_info = processing;
  if (record.image) data.image = { ...record.image };
  if (isProcessedAsync(record.category) && processing?.state === 'succeeded') {
    // X transcodes GIFs to MP4 (REFERENCE §4.1 `video{video_type}`).
    data.video = { video_type: record.category.includes('gif') ? 'video/mp4' : record.mediaType };
  }
  return { data };
}

export function metadataView(record: MediaRecord) {
  const associated: Record<string, unknown> = {};
  if (record.altText !== undefined) associated.alt_text = { text: record.altText };
  return { data: { id: record.id, associated_metadata: associated } };
}

function secondsLeft(record: MediaRecord, now: number): number {
  return Math.max(0, Math.ceil((record.expiresAt - now) / 1000));
}
