import type { Post } from '../types/tweets.js';
import type {
  MeOptions,
  RecentPostPagesParams,
  RecentPostsPage,
  RecentPostsParams,
  User,
} from '../types/users.js';
import { callX, type XClientCore } from './call.js';
import { camelize, withEditHistory } from './camelize.js';
import { fieldsQuery } from './fields-query.js';

interface TimelineMeta {
  result_count?: number;
  next_token?: string;
  newest_id?: string;
  oldest_id?: string;
}

/** The authenticated user (`GET /2/users/me`, REFERENCE §3.4) and their posts (`GET /2/users/:id/tweets`). */
export class UsersApi {
  readonly #client: XClientCore;
  /** The id never changes for a client's credentials, so one `me()` serves every later lookup. */
  #myId?: Promise<string>;

  constructor(client: XClientCore) {
    this.#client = client;
  }

  async me(options: MeOptions = {}): Promise<User> {
    const body = await callX<Record<string, unknown>>(this.#client, {
      method: 'GET',
      path: '/2/users/me',
      endpoint: 'GET /2/users/me',
      query: fieldsQuery({ 'user.fields': options.fields }),
      auth: { kind: 'user' },
      idempotent: true,
      signal: options.signal,
    });
    const user = camelize<User>(body.data);
    this.#myId ??= Promise.resolve(user.id);
    return user;
  }

  /** The authenticated user's id, from the first `me()` (sent now if none was). */
  myId(options: { signal?: AbortSignal } = {}): Promise<string> {
    if (!this.#myId) {
      const pending = this.me(options).then((user) => user.id);
      // A failed lookup is not cached: the next call asks again.
      pending.catch(() => {
        if (this.#myId === pending) this.#myId = undefined;
      });
      this.#myId = pending;
    }
    return this.#myId;
  }

  /** One page of a user's posts, newest first (default: the authenticated user's). */
  async recentPosts(params: RecentPostsParams = {}): Promise<RecentPostsPage> {
    const userId = params.userId ?? (await this.myId({ signal: params.signal }));
    const body = await callX<Record<string, unknown>[], TimelineMeta>(this.#client, {
      method: 'GET',
      path: `/2/users/${encodeURIComponent(userId)}/tweets`,
      endpoint: 'GET /2/users/:id/tweets',
      query: {
        max_results: params.maxResults,
        start_time: isoTime(params.since),
        end_time: isoTime(params.until),
        since_id: params.sinceId,
        until_id: params.untilId,
        pagination_token: params.paginationToken,
        exclude: params.exclude?.length ? params.exclude.join(',') : undefined,
        ...fieldsQuery({ 'tweet.fields': params.fields }),
      },
      auth: { kind: 'user' },
      idempotent: true,
      signal: params.signal,
    });
    const page: RecentPostsPage = {
      posts: (body.data ?? []).map((raw) => withEditHistory(camelize<Post>(raw))),
    };
    if (body.meta?.next_token) page.nextToken = body.meta.next_token;
    if (body.meta?.newest_id) page.newestId = body.meta.newest_id;
    if (body.meta?.oldest_id) page.oldestId = body.meta.oldest_id;
    return page;
  }

  /** Every page, newest first, following `nextToken` until X has no more or `maxPages` is reached. */
  async *recentPostPages(params: RecentPostPagesParams = {}): AsyncGenerator<RecentPostsPage> {
    const { maxPages = Infinity, ...rest } = params;
    const userId = rest.userId ?? (await this.myId({ signal: rest.signal }));
    let paginationToken: string | undefined;
    for (let n = 0; n < maxPages; n++) {
      const page = await this.recentPosts({ ...rest, userId, paginationToken });
      yield page;
      if (!page.nextToken) return;
      paginationToken = page.nextToken;
    }
  }
}

/**
 * X documents `YYYY-MM-DDTHH:mm:ssZ`; a `Date` is sent in that form, cut down to the second (a
 * `since` then reaches a little further back, never less far). Strings are sent as given.
 */
function isoTime(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
