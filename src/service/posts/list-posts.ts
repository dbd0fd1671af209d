import type { Queryable } from '../db/types.js';
import { validationError } from '../errors.js';
import { POST_STATES, type PostState } from '../states.js';
import { type ListedPostRow, postsApi } from '../store/posts-api.js';
import { decodeCursor, encodeCursor, type PostCursor } from './cursor.js';
import type { ListPostsQuery, PostView } from './schemas.js';
import { isUuid, type Problems } from './validate-fields.js';
import { loadPostViews } from './views.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

interface ListFilter {
  state?: PostState;
  accountId?: string;
  after?: PostCursor;
  limit: number;
}

/** The query parameters, checked: one 422 naming every bad parameter. */
export function readListQuery(query: ListPostsQuery): ListFilter {
  const problems: Problems = [];
  const filter: ListFilter = { limit: DEFAULT_PAGE_SIZE };
  if (query.state !== undefined) {
    if ((POST_STATES as readonly string[]).includes(query.state)) filter.state = query.state as PostState;
    else {
      problems.push({
        field: 'state',
        code: 'invalid_value',
        message: `must be one of ${POST_STATES.join(', ')}; got "${query.state}"`,
      });
    }
  }
  if (query.account !== undefined) {
    if (isUuid(query.account)) filter.accountId = query.account.toLowerCase();
    else {
      problems.push({
        field: 'account',
        code: 'invalid_id',
        message: `must be an account id (a UUID, see GET /api/accounts); got "${query.account}"`,
      });
    }
  }
  if (query.limit !== undefined) {
    const n = /^\d{1,4}$/.test(query.limit) ? Number(query.limit) : Number.NaN;
    if (n >= 1 && n <= MAX_PAGE_SIZE) filter.limit = n;
    else {
      problems.push({
        field: 'limit',
        code: 'out_of_range',
        message: `must be a whole number from 1 to ${MAX_PAGE_SIZE}; got "${query.limit}"`,
      });
    }
  }
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    if (after) filter.after = after;
    else {
      problems.push({
        field: 'cursor',
        code: 'invalid_cursor',
        message:
          'is not a cursor from this API; pass the `next_cursor` of the previous page as it was, or leave it out for the first page',
      });
    }
  }
  if (problems.length > 0) throw validationError(problems);
  return filter;
}

/** A page of posts, newest first, and the cursor of the next page (null on the last). */
export async function listPosts(
  q: Queryable,
  filter: ListFilter,
): Promise<{ data: PostView[]; next_cursor: string | null }> {
  const { rows } = await q.query<ListedPostRow>(postsApi.list({ ...filter, limit: filter.limit + 1 }));
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  const next_cursor =
    rows.length > filter.limit && last ? encodeCursor({ createdAt: last.cursor_at, id: last.id }) : null;
  return { data: await loadPostViews(q, page), next_cursor };
}
