import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { createPost } from '../posts/create-post.js';
import { editHistory } from '../posts/edits.js';
import { POST_FIELD_PARAMETERS, readPostFields } from '../posts/fields.js';
import { postIncludes, postView } from '../posts/post-view.js';
import { QueryReader, type RawQuery } from '../posts/query.js';
import { livePost } from '../posts/reply-rules.js';
import { CREATE_POST_BODY_SCHEMA, type CreatePostBody } from '../posts/schemas.js';
import { checkPost } from '../posts/validate-post.js';
import { forbidden, invalidRequest, resourceNotFound } from '../problems.js';

/** Scopes per endpoint (spec v2.167 `security`). */
const WRITE_AUTH = { scopes: ['tweet.read', 'tweet.write', 'users.read'], write: true };
const READ_AUTH = { scopes: ['tweet.read', 'users.read'], write: false };

/** REFERENCE §5.1, word for word. */
export const JSON_REQUIRED_MESSAGE = 'Requests with bodies must have content-type of application/json.';
/**
 * X's wording for deleting someone else's post is not on record (v1.1 had code 183 "You may not
 * delete another user's status."); REFERENCE §3.3 only says that you can delete your own.
 */
export const DELETE_NOT_OWN_DETAIL = 'You are not allowed to delete this Tweet.';

export function registerTweetRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post(
    '/2/tweets',
    {
      config: { auth: WRITE_AUTH },
      schema: { body: CREATE_POST_BODY_SCHEMA },
      // Before schema validation: a non-JSON body arrives as a raw stream (app.ts's catch-all parser).
      preValidation: async (request) => requireJson(request),
    },
    async (request, reply) => {
      const caller = request.xAuth!;
      const body = request.body as CreatePostBody;
      const checked = checkPost(ctx, caller.user, body);
      const post = createPost(ctx, caller.user, caller.app.clientId, body, checked);
      if (request.xLog) request.xLog.meta = { postId: post.id };
      const history = checked.editOf ? [...checked.editOf.history, post.id] : [post.id];
      return reply
        .code(201)
        .send({ data: { id: post.id, text: post.text, edit_history_tweet_ids: history } });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/2/tweets/:id',
    { config: { auth: WRITE_AUTH } },
    async (request) => {
      const reader = new QueryReader(request.query as RawQuery, ['id']);
      const id = reader.id('id', request.params.id);
      reader.done();
      const post = livePost(ctx.store, id!);
      // Nothing to delete (unknown or already deleted): X's schema has `deleted: boolean`, and a
      // repeated delete is answered without an error so clients can retry it safely.
      if (!post) return { data: { deleted: false } };
      if (post.authorId !== request.xAuth!.user.id) throw forbidden(DELETE_NOT_OWN_DETAIL);
      // An edited post is one post: deleting any version removes them all.
      const now = ctx.clock.now();
      for (const version of editHistory(ctx.store, post)) {
        const record = ctx.store.posts.get(version);
        if (record && record.deletedAt === undefined) record.deletedAt = now;
      }
      return { data: { deleted: true } };
    },
  );

  app.get<{ Params: { id: string } }>('/2/tweets/:id', { config: { auth: READ_AUTH } }, async (request) => {
    const reader = new QueryReader(request.query as RawQuery, ['id', ...POST_FIELD_PARAMETERS]);
    const id = reader.id('id', request.params.id);
    const selection = readPostFields(reader);
    reader.done();
    const post = livePost(ctx.store, id!);
    // X answers a missing or deleted post with 200 and a partial error, not a 404.
    if (!post) return { errors: [resourceNotFound('tweet', 'id', id!)] };
    const includes = postIncludes(ctx, [post], selection);
    return { data: postView(ctx, post, selection.tweet), ...(includes ? { includes } : {}) };
  });
}

async function requireJson(request: FastifyRequest): Promise<void> {
  const type = request.headers['content-type'] ?? '';
  if (/^application\/json\s*(;|$)/i.test(type)) return;
  const body = request.body as Partial<Readable> | undefined;
  if (body && typeof body.resume === 'function') body.resume();
  throw invalidRequest(JSON_REQUIRED_MESSAGE);
}
