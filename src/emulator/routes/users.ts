import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import {
  POST_FIELD_PARAMETERS,
  readPostFields,
  TWEET_FIELDS,
  USER_EXPANSIONS,
  USER_FIELDS,
} from '../posts/fields.js';
import { postIncludes, postView } from '../posts/post-view.js';
import { QueryReader, type RawQuery } from '../posts/query.js';
import {
  DEFAULT_MAX_RESULTS,
  decodePaginationToken,
  encodePaginationToken,
  MAX_MAX_RESULTS,
  MIN_MAX_RESULTS,
  type TimelineQuery,
  userTimeline,
} from '../posts/timeline.js';
import { userView } from '../posts/user-view.js';
import { resourceNotFound } from '../problems.js';

/** Scopes per endpoint (spec v2.167 `security`). */
const READ_AUTH = { scopes: ['tweet.read', 'users.read'], write: false };

const TIMELINE_PARAMETERS = [
  'id',
  'max_results',
  'pagination_token',
  'start_time',
  'end_time',
  'since_id',
  'until_id',
  'exclude',
  ...POST_FIELD_PARAMETERS,
];

export function registerUserRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  // REFERENCE §3.4.
  app.get('/2/users/me', { config: { auth: READ_AUTH } }, async (request) => {
    const reader = new QueryReader(request.query as RawQuery, ['user.fields', 'expansions', 'tweet.fields']);
    const userFields = new Set(reader.list('user.fields', USER_FIELDS));
    const expansions = new Set(reader.list('expansions', USER_EXPANSIONS));
    const tweetFields = new Set(reader.list('tweet.fields', TWEET_FIELDS));
    reader.done();
    const user = request.xAuth!.user;
    if (expansions.has('most_recent_tweet_id')) userFields.add('most_recent_tweet_id');
    const data = userView(ctx, user, userFields);
    const recent = expansions.has('most_recent_tweet_id') ? ctx.store.postsByAuthor(user.id)[0] : undefined;
    return recent ? { data, includes: { tweets: [postView(ctx, recent, tweetFields)] } } : { data };
  });

  app.get<{ Params: { id: string } }>(
    '/2/users/:id/tweets',
    { config: { auth: READ_AUTH } },
    async (request) => {
      const reader = new QueryReader(request.query as RawQuery, TIMELINE_PARAMETERS);
      const id = reader.id('id', request.params.id);
      const query: TimelineQuery = {
        maxResults: reader.int('max_results', MIN_MAX_RESULTS, MAX_MAX_RESULTS) ?? DEFAULT_MAX_RESULTS,
        sinceId: reader.id('since_id'),
        untilId: reader.id('until_id'),
        startTime: reader.time('start_time'),
        endTime: reader.time('end_time'),
        excludeReplies: reader.list('exclude', ['replies', 'retweets'] as const).includes('replies'),
      };
      const token = reader.string('pagination_token');
      if (token !== undefined) {
        query.before = decodePaginationToken(token);
        if (query.before === undefined)
          reader.invalid(
            'pagination_token',
            `The \`pagination_token\` query parameter value [${token}] is not valid`,
          );
      }
      if (query.startTime !== undefined && query.endTime !== undefined && query.startTime >= query.endTime) {
        reader.invalid(
          'start_time',
          `The \`start_time\` query parameter value [${reader.string('start_time')}] must be before the \`end_time\` query parameter value [${reader.string('end_time')}]`,
        );
      }
      const selection = readPostFields(reader);
      reader.done();

      if (!ctx.store.users.has(id!)) return { errors: [resourceNotFound('user', 'id', id!)] };
      const page = userTimeline(ctx.store, id!, query);
      if (page.posts.length === 0) return { meta: { result_count: 0 } };
      const includes = postIncludes(ctx, page.posts, selection);
      return {
        data: page.posts.map((post) => postView(ctx, post, selection.tweet)),
        ...(includes ? { includes } : {}),
        meta: {
          result_count: page.posts.length,
          newest_id: page.posts[0]!.id,
          oldest_id: page.posts[page.posts.length - 1]!.id,
          ...(page.nextBefore ? { next_token: encodePaginationToken(page.nextBefore) } : {}),
        },
      };
    },
  );
}
