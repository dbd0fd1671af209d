import { XApiError } from '../errors/index.js';
import { XValidationError } from '../errors/x-validation-error.js';
import type { MediaApi } from '../media/media-api.js';
import type {
  CreatedPost,
  CreatePostOptions,
  CreatePostParams,
  DeletePostOptions,
  FindRecentParams,
  GetPostOptions,
  Post,
  ThreadItem,
  ThreadOptions,
  ThreadResult,
} from '../types/tweets.js';
import { callX, type XClientCore } from './call.js';
import { camelize, withEditHistory } from './camelize.js';
import { fieldsQuery } from './fields-query.js';
import { findRecentPost } from './find-recent.js';
import { toCreatePostBody } from './post-body.js';
import { uploadAttachments } from './post-media.js';
import { postThread } from './thread.js';
import { UsersApi } from './users.js';
import { DEFAULT_MAX_WEIGHTED_LENGTH, validatePost } from './validate-post.js';

export interface PostsApiOptions {
  /** The account's weighted-length limit: 280 (default), or 25,000 for X Premium (REFERENCE §7). */
  maxWeightedLength?: number;
  /** Shares the cached user id with `client.users`; one is made when absent. */
  users?: UsersApi;
  /** Epoch ms, for the time a thread item was sent. Default the client's clock. */
  now?: () => number;
  /** Uploads `create({ media })` attachments; `XClient` passes its `media`. */
  media?: MediaApi;
}

/** X's "resource not found" partial error on a 200 (REFERENCE §5.1). */
const NOT_FOUND_TYPE = /\/problems\/resource-not-found$/;

/** Create, delete and look up posts; threads; reconciliation after an unknown outcome. */
export class PostsApi {
  readonly #client: XClientCore;
  readonly #users: UsersApi;
  readonly #maxWeightedLength: number;
  readonly #now: () => number;
  readonly #media: MediaApi | undefined;

  constructor(client: XClientCore, options: PostsApiOptions = {}) {
    this.#client = client;
    this.#users = options.users ?? new UsersApi(client);
    this.#maxWeightedLength = options.maxWeightedLength ?? DEFAULT_MAX_WEIGHTED_LENGTH;
    this.#now = options.now ?? (() => client.options.clock.now());
    this.#media = options.media;
  }

  /**
   * `POST /2/tweets` (REFERENCE §3.1). Checked first (`XValidationError`, nothing sent); never retried
   * once it may have reached X: an `XUnknownOutcomeError` means check with `findRecent()` before
   * sending again.
   */
  async create(params: CreatePostParams, options: CreatePostOptions = {}): Promise<CreatedPost> {
    const issues = validatePost(params, { maxWeightedLength: this.#maxWeightedLength });
    if (issues.length > 0) throw new XValidationError(issues, { endpoint: 'POST /2/tweets' });
    const body = await callX<Record<string, unknown>>(this.#client, {
      method: 'POST',
      path: '/2/tweets',
      endpoint: 'POST /2/tweets',
      json: toCreatePostBody(await this.#withUploadedMedia(params, options)),
      auth: { kind: 'user' },
      idempotent: false,
      signal: options.signal,
    });
    const post = withEditHistory(camelize<Post>(body.data));
    return { id: post.id, text: post.text, editHistoryTweetIds: post.editHistoryTweetIds };
  }

  /** Upload `media` attachments (types checked first) and put their ids beside any `mediaIds`. */
  async #withUploadedMedia(params: CreatePostParams, options: CreatePostOptions): Promise<CreatePostParams> {
    if (params.media === undefined) return params;
    if (!this.#media) {
      throw new TypeError('posts.create({ media }) needs an upload API: use client.posts of an XClient');
    }
    const { media, ...rest } = params;
    const uploaded = await uploadAttachments(this.#media, media, params.mediaIds?.length ?? 0, {
      ...options.mediaUpload,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ...rest, mediaIds: [...(params.mediaIds ?? []), ...uploaded] };
  }

  /** `DELETE /2/tweets/:id` (REFERENCE §3.3): true when X deleted it, false when there was nothing to delete. */
  async delete(id: string, options: DeletePostOptions = {}): Promise<boolean> {
    assertId(id, 'DELETE /2/tweets/:id');
    const body = await callX<{ deleted?: boolean }>(this.#client, {
      method: 'DELETE',
      path: `/2/tweets/${id}`,
      endpoint: 'DELETE /2/tweets/:id',
      auth: { kind: 'user' },
      idempotent: true,
      signal: options.signal,
    });
    return body.data?.deleted === true;
  }

  /** `GET /2/tweets/:id`: the post, or null when X answers with its not-found partial error. */
  async get(id: string, options: GetPostOptions = {}): Promise<Post | null> {
    assertId(id, 'GET /2/tweets/:id');
    const body = await callX<Record<string, unknown>>(this.#client, {
      method: 'GET',
      path: `/2/tweets/${id}`,
      endpoint: 'GET /2/tweets/:id',
      query: fieldsQuery({ 'tweet.fields': options.fields }),
      auth: { kind: 'user' },
      idempotent: true,
      signal: options.signal,
    });
    if (body.data) return withEditHistory(camelize<Post>(body.data));
    const errors = body.errors ?? [];
    if (errors.some((e) => NOT_FOUND_TYPE.test(String(e.type ?? '')))) return null;
    // Another partial error (a protected author: `not-authorized-for-resource`) is X's refusal, in X's words.
    const first = errors[0];
    throw new XApiError(first?.detail ?? first?.message ?? 'X answered without the post', {
      endpoint: 'GET /2/tweets/:id',
      status: 200,
      errors,
      title: first?.title,
      detail: first?.detail,
      type: first?.type,
    });
  }

  /**
   * Look through the account's recent posts for one with this text and reply target: how to learn
   * whether a post whose outcome is unknown (`XUnknownOutcomeError`) landed, before sending it again.
   * URLs are compared through X's t.co form and an appended media link is ignored.
   */
  findRecent(params: FindRecentParams): Promise<Post | null> {
    return findRecentPost(this.#users, params);
  }

  /**
   * Post `items` as a thread, each replying to the one before (the first may reply to
   * `reply.inReplyTo`). Every item is checked before the first is sent. See `thread.ts` for how a
   * failure stops it (`XThreadError`) and how unknown outcomes are reconciled.
   */
  thread(items: readonly ThreadItem[], options: ThreadOptions = {}): Promise<ThreadResult> {
    return postThread(
      {
        create: (params, signal) => this.create(params, { signal }),
        findRecent: (params) => this.findRecent(params),
        maxWeightedLength: this.#maxWeightedLength,
        now: this.#now,
      },
      items,
      options,
    );
  }
}

function assertId(id: string, endpoint: string): void {
  if (typeof id !== 'string' || !/^[0-9]{1,19}$/.test(id))
    throw new XValidationError(
      [
        {
          field: 'id',
          rule: 'id-format',
          message: `id is ${JSON.stringify(id)}; an id is 1–19 decimal digits`,
        },
      ],
      { endpoint },
    );
}
