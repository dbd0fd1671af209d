/**
 * The normalised form of a post request, as `POST /api/posts` stores it in `posts.request` and the
 * worker reads it back. The route resolves everything a worker must not have to decide again:
 * `auto_thread` is already split into items, `profiles` into accounts, media URLs into `xpost.media`
 * rows. A change here is a change to stored data: add fields, never rename them, and bump `version`
 * with a reader for the old one.
 */

export const STORED_REQUEST_VERSION = 1;

/** One media item of a post item: an `xpost.media` row (fetched from a URL or uploaded). */
export interface StoredMedia {
  /** `xpost.media.id`. */
  id: string;
  /** Alt text, set on X after the upload (≤ 1000 characters). */
  alt?: string;
}

/** One post of the thread. Item 0 is the post itself; further items reply to the one before. */
export interface StoredItem {
  body: string;
  media: StoredMedia[];
}

export type ReplySettings = 'following' | 'mentionedUsers' | 'subscribers' | 'verified';

/** X-specific options. They apply to item 0 (a poll, a quote, who may reply, what it replies to). */
export interface StoredXOptions {
  /** The X post id item 0 replies to. */
  reply_to?: string;
  /** The X post id item 0 quotes. */
  quote?: string;
  poll?: { options: string[]; duration_minutes: number };
  reply_settings?: ReplySettings;
  /** Whether the route split a long body into `items` (kept for display; the split is already done). */
  auto_thread?: boolean;
}

export interface StoredPostRequest {
  version: typeof STORED_REQUEST_VERSION;
  items: StoredItem[];
  x: StoredXOptions;
}

/**
 * Reads `posts.request`. Tolerates the shape the first publish tests stored (`items`/`thread` of
 * `{ body }` or `{ text }` without media, `x.reply_to`), so a row is never unreadable.
 */
export function readStoredRequest(post: { body: string; request: unknown }): StoredPostRequest {
  const request = (post.request ?? {}) as {
    items?: { body?: string; text?: string; media?: StoredMedia[] }[];
    thread?: { body?: string; text?: string; media?: StoredMedia[] }[];
    x?: StoredXOptions;
  };
  const list = request.items ?? request.thread ?? [{ body: post.body }];
  return {
    version: STORED_REQUEST_VERSION,
    items: list.map((item) => ({ body: item.body ?? item.text ?? '', media: [...(item.media ?? [])] })),
    x: { ...(request.x ?? {}) },
  };
}

/** Every media id the request uses, once each, in order of first use. */
export function storedMediaIds(request: StoredPostRequest): string[] {
  return [...new Set(request.items.flatMap((item) => item.media.map((m) => m.id)))];
}
