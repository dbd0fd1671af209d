import type { MediaCategory } from './types.js';

/**
 * X's media limits, the one table: the SDK checks a file against it before sending a byte, and the
 * emulator's defaults (`src/emulator/options.ts`) are built from it.
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/**
 * Size caps per category (REFERENCE §4.3, newest docs), for accounts without and with X Premium.
 * Limits follow the posting user's Premium status, not the API plan.
 */
export const MEDIA_SIZE_LIMITS: {
  readonly standard: Readonly<Record<MediaCategory, number>>;
  readonly premium: Readonly<Record<MediaCategory, number>>;
} = Object.freeze({
  standard: Object.freeze({
    tweet_image: 5 * MiB,
    dm_image: 5 * MiB,
    tweet_gif: 15 * MiB,
    dm_gif: 15 * MiB,
    tweet_video: 8 * GiB,
    amplify_video: 8 * GiB,
    dm_video: 512 * MiB,
    subtitles: 5 * MiB,
  }),
  premium: Object.freeze({
    tweet_image: 5 * MiB,
    dm_image: 5 * MiB,
    tweet_gif: 15 * MiB,
    dm_gif: 15 * MiB,
    tweet_video: 16 * GiB,
    amplify_video: 16 * GiB,
    dm_video: 1 * GiB,
    subtitles: 5 * MiB,
  }),
});

/** X's media categories (REFERENCE §4.1). */
export const MEDIA_CATEGORIES = Object.keys(MEDIA_SIZE_LIMITS.standard) as readonly MediaCategory[];

/** `segment_index` runs 0–999 (REFERENCE §4.2). */
export const MAX_SEGMENTS = 1000;
/**
 * Segment sizes: 5 MB segments have met 413 at X's edge and 1 MiB fixed it; official samples use
 * 1 MiB, xurl 4 MiB (REFERENCE §4.2). Between those two, 4 MiB by default.
 */
export const MIN_CHUNK_SIZE = 1 * MiB;
export const MAX_CHUNK_SIZE = 4 * MiB;
export const DEFAULT_CHUNK_SIZE = 4 * MiB;
/** `alt_text.text` maxLength (REFERENCE §4.1). */
export const MAX_ALT_TEXT_LENGTH = 1000;

/** X's category for a type when the caller names none (REFERENCE §4.1, [S11]). */
export function categoryForType(mediaType: string): MediaCategory | undefined {
  if (mediaType === 'image/gif') return 'tweet_gif';
  if (mediaType.startsWith('image/')) return 'tweet_image';
  if (mediaType.startsWith('video/')) return 'tweet_video';
  if (mediaType === 'text/srt' || mediaType === 'text/vtt') return 'subtitles';
  return undefined;
}

/** Whether a category can hold a type: images in image categories, GIFs in GIF ones, and so on. */
export function categoryAccepts(category: MediaCategory, mediaType: string): boolean {
  if (category === 'subtitles') return mediaType === 'text/srt' || mediaType === 'text/vtt';
  if (category.endsWith('_gif')) return mediaType === 'image/gif';
  if (category.endsWith('_image')) return mediaType.startsWith('image/') && mediaType !== 'image/gif';
  return mediaType.startsWith('video/');
}

/** Whether X processes the media after FINALIZE (videos and GIFs): then STATUS is polled. */
export function isProcessedAsync(category: MediaCategory): boolean {
  return /video|gif/.test(category);
}

/** `9.1 GiB`, `8 GiB`, `512 KiB`, `37 bytes`: sizes as people read them, in binary units. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [GiB, 'GiB'],
    [MiB, 'MiB'],
    [KiB, 'KiB'],
  ];
  for (const [unit, name] of units) {
    if (bytes >= unit) {
      const value = bytes / unit;
      const text = Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '');
      return `${text} ${name}`;
    }
  }
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}
