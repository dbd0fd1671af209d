import type { Queryable } from '../db/types.js';
import { type MediaInfoRow, postsApi } from '../store/posts-api.js';
import type { StoredMedia } from './stored-request.js';
import { characters, isUuid, type Problems } from './validate-fields.js';

/**
 * The media of a post request: what each entry is, and X's rules (REFERENCE §3.1, §4): at most 4 per
 * post, a video or a GIF alone, alt text at most 1000 characters. Media given by URL are only known
 * once fetched (the worker checks their type and size then); media given by id were uploaded with
 * POST /api/media and must be `ready`.
 */

export const MAX_MEDIA_PER_POST = 4;
export const MAX_ALT_LENGTH = 1000;

/** A media entry as the client wrote it. */
export type MediaEntryInput =
  | string
  | { url?: string | undefined; id?: string | undefined; alt?: string | undefined };

/**
 * One media item of a post, checked for shape. `field` names it in problems (`media[1]`).
 * - `url`: to fetch; becomes an `xpost.media` row when the post is stored.
 * - `id`: uploaded media named by the client in this request: it must exist and be ready.
 * - `stored`: kept from the post's stored request by a PATCH; known already.
 */
export type MediaRef =
  | { kind: 'url'; url: string; alt?: string; field: string }
  | { kind: 'id' | 'stored'; id: string; alt?: string; field: string };

export function parseMediaEntries(
  entries: readonly MediaEntryInput[],
  field: string,
  problems: Problems,
): MediaRef[] {
  if (entries.length > MAX_MEDIA_PER_POST) {
    problems.push({
      field,
      code: 'too_many_media',
      message: `has ${entries.length} media; a post may have at most ${MAX_MEDIA_PER_POST} images, or 1 GIF, or 1 video (put the rest on a thread item)`,
    });
  }
  const refs: MediaRef[] = [];
  entries.forEach((entry, i) => {
    const at = `${field}[${i}]`;
    if (typeof entry === 'string') {
      if (checkUrl(entry, at, problems)) refs.push({ kind: 'url', url: entry, field: at });
      return;
    }
    const alt = checkAlt(entry.alt, `${at}.alt`, problems);
    const withAlt = alt === undefined ? {} : { alt };
    if ((entry.url === undefined) === (entry.id === undefined)) {
      problems.push({
        field: at,
        code: 'url_or_id',
        message:
          'must have exactly one of `url` (media to fetch) or `id` (media uploaded with POST /api/media)',
      });
      return;
    }
    if (entry.url !== undefined) {
      if (checkUrl(entry.url, `${at}.url`, problems))
        refs.push({ kind: 'url', url: entry.url, field: at, ...withAlt });
      return;
    }
    const id = entry.id!;
    if (!isUuid(id)) {
      problems.push({ field: `${at}.id`, code: 'unknown_media', message: unknownMediaMessage(id) });
      return;
    }
    refs.push({ kind: 'id', id: id.toLowerCase(), field: at, ...withAlt });
  });
  return refs;
}

/** The media a PATCH keeps from the stored request (checked when they were given). */
export function storedMediaRefs(media: readonly StoredMedia[], field: string): MediaRef[] {
  return media.map((m, i) => ({
    kind: 'stored' as const,
    id: m.id,
    field: `${field}[${i}]`,
    ...(m.alt === undefined ? {} : { alt: m.alt }),
  }));
}

function checkUrl(value: string, field: string, problems: Problems): boolean {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    problems.push({
      field,
      code: 'invalid_url',
      message: `must be an http:// or https:// URL of an image, GIF or video; got "${truncate(value)}"`,
    });
    return false;
  }
  return true;
}

function checkAlt(alt: string | undefined, field: string, problems: Problems): string | undefined {
  if (alt === undefined) return undefined;
  if (characters(alt) > MAX_ALT_LENGTH) {
    problems.push({
      field,
      code: 'too_long',
      message: `is ${characters(alt)} characters; X allows at most ${MAX_ALT_LENGTH} characters of alt text`,
    });
    return undefined;
  }
  return alt;
}

function unknownMediaMessage(id: string): string {
  return `no uploaded media has the id "${truncate(id)}": upload the file with POST /api/media first and use the id it returns, or give the media's URL instead`;
}

function truncate(value: string): string {
  return value.length > 100 ? `${value.slice(0, 100)}…` : value;
}

/** The rows of every media named by id, new or kept. */
export async function loadMediaInfo(
  q: Queryable,
  refs: readonly MediaRef[],
): Promise<Map<string, MediaInfoRow>> {
  const ids = [...new Set(refs.flatMap((r) => (r.kind === 'url' ? [] : [r.id])))];
  if (ids.length === 0) return new Map();
  const { rows } = await q.query<MediaInfoRow>(postsApi.mediaByIds(ids));
  return new Map(rows.map((row) => [row.id, row]));
}

/** A video or an animated GIF, which X only takes alone on a post. */
function isVideoOrGif(row: MediaInfoRow | undefined): boolean {
  if (!row) return false;
  const category = row.media_category ?? '';
  const type = row.content_type ?? '';
  return (
    category === 'tweet_video' ||
    category === 'tweet_gif' ||
    category === 'amplify_video' ||
    type.startsWith('video/') ||
    type === 'image/gif'
  );
}

/**
 * Checks the media of every post item against the database: ids that exist and are ready, no media
 * twice on one post, and a video or a GIF alone.
 */
export function checkMediaRows(
  items: readonly { mediaField: string; media: readonly MediaRef[] }[],
  rows: ReadonlyMap<string, MediaInfoRow>,
  problems: Problems,
): void {
  for (const item of items) {
    const seen = new Set<string>();
    for (const ref of item.media) {
      if (ref.kind === 'url') continue;
      const key = ref.id;
      if (seen.has(key)) {
        problems.push({
          field: `${ref.field}.id`,
          code: 'duplicate_media',
          message: 'is already attached to this post; X takes each media once per post',
        });
      }
      seen.add(key);
      if (ref.kind !== 'id') continue;
      const row = rows.get(ref.id);
      if (!row) {
        problems.push({
          field: `${ref.field}.id`,
          code: 'unknown_media',
          message: unknownMediaMessage(ref.id),
        });
      } else if (row.state === 'failed') {
        problems.push({
          field: `${ref.field}.id`,
          code: 'media_failed',
          message: `could not be used${row.error ? ` (${row.error})` : ''}; upload the file again with POST /api/media`,
        });
      } else if (row.state !== 'ready') {
        problems.push({
          field: `${ref.field}.id`,
          code: 'media_not_ready',
          message: `is still being received (state ${row.state}); wait until POST /api/media has answered, then send the post`,
        });
      }
    }
    if (item.media.length > 1 && item.media.some((r) => r.kind !== 'url' && isVideoOrGif(rows.get(r.id)))) {
      problems.push({
        field: item.mediaField,
        code: 'video_or_gif_alone',
        message:
          'has a video or a GIF with other media; X takes up to 4 images, or 1 GIF, or 1 video per post (put the others on a thread item)',
      });
    }
  }
}
