import { isUuid } from './validate-fields.js';

/**
 * The opaque `cursor` of GET /api/posts: the position of the last post of a page, `(created_at, id)`.
 * `created_at` is kept as PostgreSQL's own text of the timestamp (microseconds and offset), not a JS
 * Date (milliseconds), so that the next page starts exactly after it even when posts share a
 * millisecond.
 */

export interface PostCursor {
  createdAt: string;
  id: string;
}

/** `2025-06-01 09:30:00.123456+00`, as `timestamptz::text` prints it (ISO DateStyle). */
const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2}){0,2})?$/;

export function encodeCursor(cursor: PostCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), 'utf8').toString('base64url');
}

/** The cursor, or undefined when it is not one this API wrote. */
export function decodeCursor(value: string): PostCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'string' || typeof id !== 'string') return undefined;
  if (!PG_TIMESTAMP.test(createdAt) || !isUuid(id)) return undefined;
  return { createdAt, id };
}
