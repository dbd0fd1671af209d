import type { Queryable } from '../db/types.js';
import { type PostRow, postsApi } from '../store/posts-api.js';
import type { PostTargetRow, PublishAttemptRow } from '../store/sql.js';
import type { PostView, TargetView } from './schemas.js';
import { readStoredRequest } from './stored-request.js';

/**
 * The post as the API shows it (GET /api/posts/:id, and every route that changes one): snake_case,
 * ISO timestamps, and per account its state, X post ids and URLs, attempts and last error. Several
 * posts are loaded with one query per table, whatever their number (GET /api/posts).
 */

export function iso(value: Date | string): string;
export function iso(value: Date | string | null): string | null;
export function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** Where a post can be seen on X. */
export function xPostUrl(username: string, xPostId: string): string {
  return `https://x.com/${encodeURIComponent(username)}/status/${xPostId}`;
}

export async function loadPostViews(q: Queryable, rows: readonly PostRow[]): Promise<PostView[]> {
  if (rows.length === 0) return [];
  const targets = (await q.query<PostTargetRow>(postsApi.targetsOfPosts(rows.map((p) => p.id)))).rows;
  const attempts =
    targets.length === 0
      ? []
      : (await q.query<PublishAttemptRow>(postsApi.attemptsOfTargets(targets.map((t) => t.id)))).rows;
  const accountIds = [...new Set(targets.map((t) => t.account_id))];
  const names =
    accountIds.length === 0
      ? []
      : (await q.query<{ id: string; username: string }>(postsApi.accountNames(accountIds))).rows;
  const username = new Map(names.map((a) => [a.id, a.username]));
  const attemptsOf = groupBy(attempts, (a) => a.target_id);
  const targetsOf = groupBy(targets, (t) => t.post_id);
  return rows.map((post) =>
    postView(
      post,
      (targetsOf.get(post.id) ?? []).map((t) =>
        targetView(t, username.get(t.account_id) ?? '', attemptsOf.get(t.id) ?? []),
      ),
    ),
  );
}

export async function loadPostView(q: Queryable, id: string): Promise<PostView | undefined> {
  const { rows } = await q.query<PostRow>(postsApi.postsByIds([id]));
  const [view] = await loadPostViews(q, rows);
  return view;
}

function postView(post: PostRow, targets: TargetView[]): PostView {
  const request = readStoredRequest(post);
  return {
    id: post.id,
    state: post.state,
    body: post.body,
    scheduled_at: iso(post.scheduled_at),
    draft: post.draft,
    created_at: iso(post.created_at),
    updated_at: iso(post.updated_at),
    request: {
      items: request.items.map((item) => ({
        body: item.body,
        media: item.media.map((m) => (m.alt === undefined ? { id: m.id } : { id: m.id, alt: m.alt })),
      })),
      x: request.x,
    },
    targets,
  };
}

function targetView(t: PostTargetRow, username: string, attempts: PublishAttemptRow[]): TargetView {
  return {
    id: t.id,
    account: { id: t.account_id, username },
    state: t.state,
    run_at: iso(t.run_at),
    x_post_ids: [...t.x_post_ids],
    urls: t.x_post_ids.map((id) => xPostUrl(username, id)),
    published_at: iso(t.published_at),
    attempts: attempts.map((a) => ({
      item_index: a.item_index,
      started_at: iso(a.started_at),
      finished_at: iso(a.finished_at),
      outcome: a.outcome,
      x_post_id: a.x_post_id,
      error_code: a.error_code,
      error_detail: a.error_detail,
    })),
    error:
      t.error_code === null
        ? null
        : { code: t.error_code, detail: t.error_detail, retryable: t.error_retryable === true },
    deleted_on_x_at: iso(t.x_deleted_at),
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
