import type { MediaLimits } from '../options.js';
import type { MediaCategory, MediaRecord } from '../state/types.js';

/**
 * Server-side processing of videos and GIFs, derived from the emulator clock rather than timers:
 * `pending` for the first second after FINALIZE, then `in_progress` with a rising
 * `progress_percent`, then `succeeded` or `failed` once `processingMs` has passed (REFERENCE §4.1).
 */

/** How long FINALIZE's `pending` lasts and what it asks the client to wait (REFERENCE §4.1 example). */
const PENDING_MS = 1000;

/** X's payload for bytes that cannot be processed (observed, REFERENCE §4.1). */
export const INVALID_MEDIA_ERROR = { code: 1, name: 'InvalidMedia', message: 'file is invalid' } as const;

export interface ProcessingInfo {
  state: 'pending' | 'in_progress' | 'succeeded' | 'failed';
  check_after_secs?: number;
  progress_percent?: number;
  error?: { code: number; name: string; message: string };
}

/** Async processing depends on the category, not the bytes: X says to pass it for that reason. */
export function isProcessedAsync(category: MediaCategory): boolean {
  return /video|gif/.test(category);
}

export function processingDurationMs(category: MediaCategory, limits: MediaLimits): number {
  return /gif/.test(category) ? limits.processingMs.gif : limits.processingMs.video;
}

/** The `processing_info` STATUS and FINALIZE show now, or null for media usable at once. */
export function processingView(record: MediaRecord, now: number): ProcessingInfo | null {
  const p = record.processing;
  if (!p) return null;
  const elapsed = Math.max(0, now - p.startedAt);
  const pendingMs = Math.min(PENDING_MS, p.durationMs);
  if (elapsed < pendingMs) {
    return { state: 'pending', check_after_secs: Math.max(1, Math.ceil((pendingMs - elapsed) / 1000)) };
  }
  if (elapsed < p.durationMs) {
    return {
      state: 'in_progress',
      check_after_secs: Math.max(1, Math.min(5, Math.ceil((p.durationMs - elapsed) / 1000))),
      progress_percent: Math.min(99, Math.floor((elapsed / p.durationMs) * 100)),
    };
  }
  if (p.outcome === 'failed') {
    return { state: 'failed', progress_percent: 100, error: { ...(p.error ?? INVALID_MEDIA_ERROR) } };
  }
  return { state: 'succeeded', progress_percent: 100 };
}

/** `media_key` prefixes: 3 photo, 7 video, 13 amplify video, 16 GIF (REFERENCE §4.1). */
export function mediaKeyFor(id: string, category: MediaCategory): string {
  if (category === 'amplify_video') return `13_${id}`;
  if (/gif/.test(category)) return `16_${id}`;
  if (/video/.test(category)) return `7_${id}`;
  return `3_${id}`;
}

/** INITIALIZE's default category when none is sent (REFERENCE §4.1, [S11]). */
export function defaultCategory(mediaType: string): MediaCategory {
  if (mediaType === 'image/gif') return 'tweet_gif';
  if (mediaType.startsWith('video/')) return 'tweet_video';
  if (mediaType.startsWith('text/')) return 'subtitles';
  return 'tweet_image';
}
