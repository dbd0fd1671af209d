import { detectMediaType } from '../../x/media/detect-type.js';
import { categoryForType, formatBytes, MEDIA_SIZE_LIMITS } from '../../x/media/limits.js';
import type { MediaCategory } from '../../x/media/types.js';

/**
 * Which files the service takes as post media, decided from their first bytes with the SDK's one
 * detector (never from a header or a file name). X's post media are photos (JPEG, PNG, WEBP), GIFs
 * and videos (REFERENCE §4.3); BMP, TIFF, subtitles and 3D models are not post attachments.
 */
export const POST_MEDIA_TYPES: readonly string[] = Object.freeze([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'video/mp4',
  'video/webm',
  'video/mp2t',
]);

/** For messages: "JPEG, PNG, WEBP, GIF, MP4/MOV, WebM, MPEG-TS". */
export const POST_MEDIA_TYPES_TEXT =
  'JPEG, PNG, WEBP and GIF images, and MP4 (or MOV), WebM and MPEG-TS videos';

export interface MediaKind {
  /** The MIME type the bytes say, e.g. `image/png`. */
  contentType: string;
  /** X's category for it. */
  mediaCategory: MediaCategory;
  /** The most X takes in that category from anyone (Premium accounts' limit), in bytes. */
  maxBytes: number;
}

/** What these first bytes are as post media, or undefined when they are nothing X takes in a post. */
export function postMediaKind(head: Uint8Array): MediaKind | undefined {
  const contentType = detectMediaType(head);
  if (!contentType || !POST_MEDIA_TYPES.includes(contentType)) return undefined;
  const mediaCategory = categoryForType(contentType);
  if (!mediaCategory) return undefined;
  return { contentType, mediaCategory, maxBytes: MEDIA_SIZE_LIMITS.premium[mediaCategory] };
}

/** "tweet_image files can be at most 5 MiB on X" */
export function categoryLimitText(kind: MediaKind): string {
  return `${kind.contentType} files (${kind.mediaCategory}) can be at most ${formatBytes(kind.maxBytes)} on X`;
}

/** A post item's media, as X allows them: up to 4 photos, or one GIF, or one video (REFERENCE §3.1). */
export function mediaCombinationProblem(categories: readonly string[]): string | undefined {
  const moving = categories.filter((c) => c !== 'tweet_image').length;
  if (moving > 0 && categories.length > 1)
    return `a GIF or a video must be the only media of its post (this one has ${categories.length})`;
  if (categories.length > 4) return `a post takes at most 4 photos (this one has ${categories.length})`;
  return undefined;
}
