import { randomAlphanumeric } from '../ids.js';
import type { PostUrlEntity } from '../state/types.js';

/**
 * X's link shortener: every URL in a post's text comes back as a `https://t.co/<10 alphanumerics>`
 * link (REFERENCE §3.2), and a post with media gets one more t.co link appended for the media. X
 * mints a fresh t.co for the same URL in each post, so the emulator does too; the mapping is kept in
 * the post's url entities.
 */

const TCO_PREFIX = 'https://t.co/';
const TCO_PATH_LENGTH = 10;
/** X shortens long display URLs with an ellipsis; this is about where it cuts. */
const DISPLAY_URL_MAX = 27;

export interface FoundUrl {
  url: string;
  /** UTF-16 indices into the source text, end exclusive (as `extractUrls` returns them). */
  start: number;
  end: number;
}

export function newTcoLink(): string {
  return `${TCO_PREFIX}${randomAlphanumeric(TCO_PATH_LENGTH)}`;
}

/** Scheme-less URLs (`example.com`) expand to `http://…`, as on X. */
export function expandUrl(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
}

export function displayUrl(expanded: string): string {
  const bare = expanded.replace(/^https?:\/\//i, '');
  return bare.length > DISPLAY_URL_MAX ? `${bare.slice(0, DISPLAY_URL_MAX - 1)}…` : bare;
}

/** Code points, the unit of v2 entity indices. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Replace each URL with a new t.co link. Entity indices are code points into the returned text
 * (v2 entities count code points, not UTF-16 units).
 */
export function shortenUrls(text: string, urls: FoundUrl[]): { text: string; entities: PostUrlEntity[] } {
  const sorted = [...urls].sort((a, b) => a.start - b.start);
  let out = '';
  let outLength = 0;
  let cursor = 0;
  const entities: PostUrlEntity[] = [];
  for (const found of sorted) {
    if (found.start < cursor) continue;
    const before = text.slice(cursor, found.start);
    out += before;
    outLength += codePointLength(before);
    const tco = newTcoLink();
    const expanded = expandUrl(found.url);
    entities.push({
      start: outLength,
      end: outLength + tco.length,
      url: tco,
      expanded_url: expanded,
      display_url: displayUrl(expanded),
    });
    out += tco;
    outLength += tco.length;
    cursor = found.end;
  }
  out += text.slice(cursor);
  return { text: out, entities };
}

/**
 * Append the media link X adds to posts with media (` https://t.co/…`, or the link alone for a
 * media-only post), pointing at the first attachment's page.
 */
export function appendMediaLink(
  shortened: { text: string; entities: PostUrlEntity[] },
  page: { username: string; postId: string; kind: 'photo' | 'video' },
): { text: string; entities: PostUrlEntity[] } {
  const tco = newTcoLink();
  const prefix = shortened.text.length > 0 ? `${shortened.text} ` : '';
  const start = codePointLength(prefix);
  const expanded = `https://x.com/${page.username}/status/${page.postId}/${page.kind}/1`;
  return {
    text: `${prefix}${tco}`,
    entities: [
      ...shortened.entities,
      {
        start,
        end: start + tco.length,
        url: tco,
        expanded_url: expanded,
        display_url: `pic.x.com/${randomAlphanumeric(TCO_PATH_LENGTH)}`,
      },
    ],
  };
}
