import { parsePostText, splitThread } from '../../x/text/index.js';
import type { Queryable } from '../db/types.js';
import { postsApi } from '../store/posts-api.js';
import type { AccountRow } from '../store/sql.js';
import {
  STORED_REQUEST_VERSION,
  type StoredMedia,
  type StoredPostRequest,
  type StoredXOptions,
} from './stored-request.js';
import { checkXOptions, type Problems, type XOptionsInput } from './validate-fields.js';
import type { MediaRef } from './validate-media.js';

/**
 * From a checked request to the items of the thread as they will be published: the body of each post
 * against the accounts' length limit, the poll's combinations, and `auto_thread`'s split. Then
 * `storeRequest` turns it into the `StoredPostRequest` a worker reads.
 */

/** A thread longer than this is refused: one request should not become an unbounded stream of posts. */
export const MAX_THREAD_ITEMS = 100;

/** Code units X refuses in a post (twitter-text's invalid characters). */
const INVALID_CHARACTER = /[\uFFFE\uFEFF\uFFFF]/;

export interface ItemInput {
  body: string;
  media: MediaRef[];
}

/** The content of a post request (create, or a PATCH merged with the stored request). */
export interface ContentInput {
  body: string;
  media: MediaRef[];
  thread: ItemInput[];
  /**
   * `thread` holds the pieces of an earlier `auto_thread` split that a PATCH kept as they are: they
   * are not split again, and do not count as a `thread` given alongside `auto_thread`.
   */
  threadGenerated: boolean;
  x: XOptionsInput;
}

/** The weighted length every item must fit: the smallest limit among the chosen accounts. */
export interface LengthLimit {
  limit: number;
  /** Who sets it (`@alice`), and whether other accounts would allow more. */
  names: string[];
  smallest: boolean;
}

export function lengthLimitOf(
  accounts: readonly Pick<AccountRow, 'username' | 'post_length_limit'>[],
): LengthLimit | undefined {
  if (accounts.length === 0) return undefined;
  const limit = Math.min(...accounts.map((a) => a.post_length_limit));
  return {
    limit,
    names: accounts.filter((a) => a.post_length_limit === limit).map((a) => `@${a.username}`),
    smallest: accounts.some((a) => a.post_length_limit !== limit),
  };
}

export interface PlannedItem {
  body: string;
  media: MediaRef[];
}

export interface PlannedContent {
  items: PlannedItem[];
  x: StoredXOptions;
}

/**
 * Checks the content and plans the items. `limit` undefined (no usable account was named): lengths
 * are not checked, since the limit is unknown; the account problems are reported instead.
 */
export function planContent(
  input: ContentInput,
  limit: LengthLimit | undefined,
  problems: Problems,
): PlannedContent {
  const x = checkXOptions(input.x, problems);
  const autoThread = input.x.auto_thread === true;
  const ownThread = input.thread.length > 0 && !input.threadGenerated;
  if (autoThread && ownThread) {
    problems.push({
      field: 'x.auto_thread',
      code: 'auto_thread_with_thread',
      message:
        'cannot be combined with `thread`: auto_thread writes the thread itself by splitting post.body. Send a long post.body with auto_thread, or your own thread items without it',
    });
  }

  let items: PlannedItem[] = [{ body: input.body, media: input.media }];
  const first = checkBody(input.body, input.media, 'post.body', limit, problems);
  if (first.tooLong && limit) {
    if (autoThread && !ownThread && !input.threadGenerated) {
      // The split keeps the media on the first post; every piece fits by construction.
      const parts = splitThread(input.body, { maxWeightedLength: limit.limit, numbering: 'suffix' });
      items = parts.map((body, i) => ({ body, media: i === 0 ? input.media : [] }));
    } else {
      problems.push(
        tooLong('post.body', first.length, limit, input.thread.length > 0 ? 'has-thread' : 'suggest-auto'),
      );
    }
  }

  input.thread.forEach((item, i) => {
    const field = `thread[${i}].body`;
    const checked = checkBody(item.body, item.media, field, limit, problems);
    if (checked.tooLong && limit) problems.push(tooLong(field, checked.length, limit, 'thread-item'));
    items.push({ body: item.body, media: item.media });
  });

  if (items.length > MAX_THREAD_ITEMS) {
    problems.push({
      field: input.thread.length > 0 ? 'thread' : 'post.body',
      code: 'too_many_items',
      message: `makes a thread of ${items.length} posts; xpost publishes at most ${MAX_THREAD_ITEMS} per request`,
    });
  }

  if (input.x.poll !== undefined) {
    if (items[0]!.media.length > 0) {
      problems.push({
        field: 'x.poll',
        code: 'poll_with_media',
        message:
          'cannot go with media on the same post (X refuses both); remove `media`, or put them on a thread item',
      });
    }
    if (input.x.quote !== undefined) {
      problems.push({
        field: 'x.poll',
        code: 'poll_with_quote',
        message: 'cannot go with `x.quote` on the same post (X refuses both); remove one of them',
      });
    }
  }
  return { items, x };
}

/**
 * The body's own checks (invalid characters, empty without media) and its weighted length; whether
 * it is too long is for the caller to act on (split it, or report it with the right advice).
 */
function checkBody(
  body: string,
  media: readonly MediaRef[],
  field: string,
  limit: LengthLimit | undefined,
  problems: Problems,
): { tooLong: boolean; length: number } {
  const invalid = INVALID_CHARACTER.exec(body);
  if (invalid) {
    const code = invalid[0].charCodeAt(0).toString(16).toUpperCase();
    problems.push({
      field,
      code: 'invalid_characters',
      message: `holds U+${code} at index ${invalid.index}, which X refuses; remove it`,
    });
  }
  if (body.trim() === '' && media.length === 0) {
    problems.push({ field, code: 'empty', message: 'is empty: write some text or attach media' });
  }
  if (invalid || !limit) return { tooLong: false, length: 0 };
  const length = parsePostText(body, { maxWeightedLength: limit.limit }).weightedLength;
  return { tooLong: length > limit.limit, length };
}

function tooLong(
  field: string,
  length: number,
  limit: LengthLimit,
  hint: 'suggest-auto' | 'has-thread' | 'thread-item',
): Problems[number] {
  const who = `${limit.names.join(' and ')}${limit.smallest ? ' (the smallest limit among the chosen accounts)' : ''}`;
  const fix =
    hint === 'suggest-auto'
      ? 'shorten it, split it into `thread` items, or set `x.auto_thread: true` to split it into a numbered thread'
      : hint === 'has-thread'
        ? 'shorten it or move part of it to a thread item'
        : 'shorten it or split it into more thread items';
  return {
    field,
    code: 'too_long',
    message: `is ${length} characters as X counts them (a URL counts 23, emoji and most CJK characters 2); the limit is ${limit.limit} for ${who}: ${fix}`,
  };
}

/**
 * The stored form: media given by URL become `xpost.media` rows (`pending`, fetched by the worker)
 * in the caller's transaction; the rest keep their ids.
 */
export async function storeRequest(
  tx: Queryable,
  content: PlannedContent,
  apiKeyId: string | null,
): Promise<StoredPostRequest> {
  const items: StoredPostRequest['items'] = [];
  for (const item of content.items) {
    const media: StoredMedia[] = [];
    for (const ref of item.media) {
      let id: string;
      if (ref.kind === 'url') {
        const { rows } = await tx.query<{ id: string }>(
          postsApi.insertUrlMedia({ apiKeyId, url: ref.url, alt: ref.alt ?? null }),
        );
        id = rows[0]!.id;
      } else {
        id = ref.id;
      }
      media.push(ref.alt === undefined ? { id } : { id, alt: ref.alt });
    }
    items.push({ body: item.body, media });
  }
  return { version: STORED_REQUEST_VERSION, items, x: content.x };
}
