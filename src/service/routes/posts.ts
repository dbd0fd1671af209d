import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../deps.js';
import { cancelPost } from '../posts/cancel-post.js';
import { storePost, validateCreate } from '../posts/create-post.js';
import { editPost } from '../posts/edit-post.js';
import {
  IDEMPOTENCY_HEADER,
  REPLAYED_HEADER,
  readIdempotencyKey,
  requestHash,
  runIdempotent,
} from '../posts/idempotent-request.js';
import { listPosts, readListQuery } from '../posts/list-posts.js';
import { assertPostId, postNotFound } from '../posts/lock-post.js';
import { publishNow } from '../posts/publish-now.js';
import { unreachableVia } from '../posts/resolve-accounts.js';
import {
  CreatePostBody,
  ListPostsQuery,
  PatchPostBody,
  PostIdParams,
  PostPage,
  PostView,
} from '../posts/schemas.js';
import { loadPostView } from '../posts/views.js';

const TAGS = ['posts'];

/**
 * The posts API (issue 6, "HTTP API"): create (validated whole, idempotent with `Idempotency-Key`),
 * read, list, publish now, edit or reschedule, cancel / delete on X. The work is in src/service/posts/;
 * this module maps HTTP onto it.
 */
export function registerPostRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post<{ Body: CreatePostBody }>(
    '/api/posts',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a post: publish now, at a time, or keep it as a draft',
        description:
          'Checks everything it can before accepting (accounts, weighted length against the smallest limit of the ' +
          'chosen accounts, media, poll, schedule) and answers 422 listing every problem by field. ' +
          `With an \`${IDEMPOTENCY_HEADER}\` header (1–255 printable ASCII characters), the same key and body within ` +
          `24 h answers the first response again (with \`${REPLAYED_HEADER}: true\`); the same key with another ` +
          'body is a 409 `idempotency_key_reused`, and one still being processed a 409 `idempotency_key_in_use`.',
        headers: {
          type: 'object',
          properties: {
            'idempotency-key': {
              type: 'string',
              description: 'Makes retries safe: 1–255 printable ASCII characters, such as a UUID.',
            },
          },
        },
        body: CreatePostBody,
        response: { 201: PostView },
      },
    },
    async (request, reply) => {
      const key = readIdempotencyKey(request.headers);
      const create = async (complete?: Parameters<Parameters<typeof runIdempotent>[2]>[0], hash?: string) => {
        const valid = await validateCreate(deps.db, request.body, deps.clock(), unreachableVia(deps.x));
        const view = await storePost(deps, valid, {
          apiKeyId: request.apiKeyId,
          ...(key === undefined ? {} : { idempotencyKey: key }),
          ...(hash === undefined ? {} : { requestHash: hash }),
          ...(complete ? { complete } : {}),
        });
        return { status: 201, body: view };
      };
      let result: { status: number; body: unknown; replayed: boolean };
      if (key === undefined || request.apiKeyId === null) {
        result = { ...(await create()), replayed: false };
      } else {
        const hash = requestHash(request.body);
        result = await runIdempotent(
          deps.db,
          { apiKeyId: request.apiKeyId, key, requestHash: hash, now: deps.clock() },
          (complete) => create(complete, hash),
        );
        if (result.replayed) reply.header(REPLAYED_HEADER, 'true');
      }
      const id = (result.body as { id?: unknown } | null)?.id;
      if (typeof id === 'string') reply.header('location', `/api/posts/${id}`);
      return reply.code(result.status).send(result.body);
    },
  );

  app.get<{ Querystring: ListPostsQuery }>(
    '/api/posts',
    {
      schema: {
        tags: TAGS,
        summary: 'List posts, newest first',
        description:
          'Filters: `state` (the post state), `account` (an account id). Pages of `limit` (1–100, default 20); ' +
          'pass `next_cursor` back as `cursor` for the next page.',
        querystring: ListPostsQuery,
        response: { 200: PostPage },
      },
    },
    async (request) => listPosts(deps.db, readListQuery(request.query)),
  );

  app.get<{ Params: PostIdParams }>(
    '/api/posts/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'A post, with its state, X post ids, URLs and attempts on each account',
        params: PostIdParams,
        response: { 200: PostView },
      },
    },
    async (request) => {
      const { id } = request.params;
      assertPostId(id);
      const view = await loadPostView(deps.db, id);
      if (!view) throw postNotFound(id);
      return view;
    },
  );

  app.post<{ Params: PostIdParams }>(
    '/api/posts/:id/publish',
    {
      schema: {
        tags: TAGS,
        summary: 'Publish a draft or a scheduled post now',
        description:
          'Every target still waiting (draft, scheduled, or queued for later) is queued now. 409 ' +
          '`post_publishing` while a worker publishes it, `post_already_published` or `post_finished` when nothing waits.',
        params: PostIdParams,
        response: { 200: PostView },
      },
    },
    async (request) => publishNow(deps, request.params.id),
  );

  app.patch<{ Params: PostIdParams; Body: PatchPostBody }>(
    '/api/posts/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Edit or reschedule a post before it is published',
        description:
          'The fields of POST /api/posts, all optional (accounts cannot change). `media` and `thread` replace ' +
          'the first post’s media and the rest of the thread; an `x` field set to null is removed; ' +
          '`post.scheduled_at: null` removes the schedule (publish now unless a draft). Checked like a new ' +
          'post (422 by field). 409 `post_not_editable` once publishing has started on any account.',
        params: PostIdParams,
        body: PatchPostBody,
        response: { 200: PostView },
      },
    },
    async (request) => editPost(deps, request.params.id, request.body, request.apiKeyId),
  );

  app.delete<{ Params: PostIdParams }>(
    '/api/posts/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Cancel a post; for a published one, delete it on X',
        description:
          'Targets not yet published become `cancelled`; posts already on X are deleted there (a thread last ' +
          'item first) and `deleted_on_x_at` is set. 409 `post_publishing` while a worker is publishing it ' +
          '(try again shortly). Safe to repeat.',
        params: PostIdParams,
        response: { 200: PostView },
      },
    },
    async (request) => cancelPost(deps, request.params.id),
  );
}
