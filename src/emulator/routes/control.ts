import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EmulatorContext } from '../context.js';
import type { FaultRuleInput } from '../faults.js';
import { parseClockStart } from '../options.js';
import { type LimitSpec, RATE_LIMIT_PRESETS, type RateLimitPreset } from '../rate-limits.js';
import { ALL_POSTING_SCOPES, createReadyUser } from '../state/fixtures.js';
import { describeState, serializeMedia, serializeUser } from './control-views.js';

/**
 * The emulator's own API under `/__emulator/`: read state, reset, move the clock, change users,
 * limits and faults. Errors here are plain `{ error, message }` bodies: this is not X.
 */
export function registerControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) =>
    controlError(reply, error.statusCode && error.statusCode < 500 ? error.statusCode : 400, error.message),
  );
  app.setNotFoundHandler((request, reply) =>
    controlError(
      reply,
      404,
      `no control route ${request.method} ${request.url}; see GET /__emulator for the list`,
    ),
  );

  app.get('/', async () => ({
    emulator: 'xpost X API emulator',
    clock: ctx.clock.snapshot(),
    app: ctx.fixtures.app,
    publicApp: ctx.fixtures.publicApp,
    user: { ...serializeUser(ctx.fixtures.user), ...credentialsOf(ctx.fixtures.user) },
    otherUser: { ...serializeUser(ctx.fixtures.otherUser), ...credentialsOf(ctx.fixtures.otherUser) },
    routes: CONTROL_ROUTES,
  }));

  app.get('/state', async () => describeState(ctx));

  app.get('/posts', async () => ({ posts: [...ctx.store.posts.values()] }));
  app.get('/media', async () => ({ media: [...ctx.store.media.values()].map(serializeMedia) }));

  app.get<{ Querystring: { endpoint?: string; since?: string } }>('/requests', async (request) => {
    const since = Number(request.query.since ?? 0);
    const log = ctx.store.requestLog.filter(
      (e) => e.seq > since && (request.query.endpoint === undefined || e.endpoint === request.query.endpoint),
    );
    return { counts: Object.fromEntries(ctx.store.requestCounts), requests: log };
  });

  app.post<{ Body: { faults?: boolean; rate_limits?: boolean; clock?: boolean } | undefined }>(
    '/reset',
    async (request) => {
      const body = objectBody(request.body);
      const fixtures = ctx.reset({
        faults: body.faults === true,
        rateLimits: body.rate_limits === true,
        clock: body.clock === true,
      });
      return { reset: true, user: { ...serializeUser(fixtures.user), ...credentialsOf(fixtures.user) } };
    },
  );

  app.get('/clock', async () => ctx.clock.snapshot());
  app.post<{ Body: { advance_ms?: number; advance_secs?: number; set?: number | string; scale?: number } }>(
    '/clock',
    async (request, reply) => {
      const body = objectBody(request.body);
      const known = ['advance_ms', 'advance_secs', 'set', 'scale'];
      const unknown = Object.keys(body).filter((k) => !known.includes(k));
      if (unknown.length > 0 || Object.keys(body).length === 0) {
        return controlError(
          reply,
          400,
          `send one or more of ${known.join(', ')} (got ${JSON.stringify(body)})`,
        );
      }
      // Scale first: `{ set, scale: 0 }` must freeze the clock exactly at `set`, not a tick later.
      if (body.scale !== undefined) ctx.clock.setScale(Number(body.scale));
      if (body.set !== undefined) ctx.clock.set(parseClockStart(body.set as number | string)!);
      if (body.advance_ms !== undefined) ctx.clock.advance(Number(body.advance_ms));
      if (body.advance_secs !== undefined) ctx.clock.advance(Number(body.advance_secs) * 1000);
      return ctx.clock.snapshot();
    },
  );

  app.get('/users', async () => ({ users: [...ctx.store.users.values()].map(serializeUser) }));
  app.post<{ Body: { id?: string; username?: string; name?: string; premium?: boolean } }>(
    '/users',
    async (request, reply) => {
      const body = objectBody(request.body);
      if (typeof body.username !== 'string' || !/^[A-Za-z0-9_]{1,15}$/.test(body.username)) {
        return controlError(reply, 400, 'username is required: 1 to 15 letters, digits or underscores');
      }
      const user = createReadyUser(ctx.store, ctx.fixtures.app, {
        id: typeof body.id === 'string' ? body.id : ctx.store.nextId(),
        username: body.username,
        name: typeof body.name === 'string' ? body.name : body.username,
        premium: body.premium === true,
      });
      return reply.code(201).send({ ...serializeUser(user), ...credentialsOf(user) });
    },
  );
  app.patch<{ Params: { id: string }; Body: { premium?: boolean; name?: string } }>(
    '/users/:id',
    async (request, reply) => {
      const user = ctx.store.users.get(request.params.id);
      if (!user) return controlError(reply, 404, `no user with id ${request.params.id}`);
      const body = objectBody(request.body);
      if (body.premium !== undefined) {
        if (typeof body.premium !== 'boolean')
          return controlError(reply, 400, 'premium must be true or false');
        user.premium = body.premium;
      }
      if (typeof body.name === 'string') user.name = body.name;
      return serializeUser(user);
    },
  );

  app.patch<{ Params: { clientId: string }; Body: { enrolled?: boolean; oauth1_permissions?: string } }>(
    '/apps/:clientId',
    async (request, reply) => {
      const target = ctx.store.appByClientId(request.params.clientId);
      if (!target) return controlError(reply, 404, `no app with client id ${request.params.clientId}`);
      const body = objectBody(request.body);
      if (body.enrolled !== undefined) target.enrolled = body.enrolled === true;
      if (body.oauth1_permissions !== undefined) {
        if (body.oauth1_permissions !== 'read' && body.oauth1_permissions !== 'read-write') {
          return controlError(reply, 400, 'oauth1_permissions must be "read" or "read-write"');
        }
        target.oauth1Permissions = body.oauth1_permissions;
      }
      return target;
    },
  );

  app.post('/tokens', async (request, reply) => {
    const body = objectBody(request.body);
    const userId = typeof body.user_id === 'string' ? body.user_id : ctx.fixtures.user.id;
    if (!ctx.store.users.has(userId)) return controlError(reply, 404, `no user with id ${userId}`);
    const clientId = typeof body.client_id === 'string' ? body.client_id : ctx.fixtures.app.clientId;
    if (!ctx.store.appByClientId(clientId))
      return controlError(reply, 404, `no app with client id ${clientId}`);
    let scopes = ALL_POSTING_SCOPES;
    if (typeof body.scopes === 'string') scopes = body.scopes.split(' ').filter(Boolean);
    else if (Array.isArray(body.scopes) && body.scopes.every((s) => typeof s === 'string'))
      scopes = body.scopes;
    else if (body.scopes !== undefined)
      return controlError(reply, 400, 'scopes must be a list or a space-separated string');
    const ttl = body.expires_in ?? ctx.settings.oauth.accessTokenTtlSecs;
    if (!(Number.isInteger(ttl) && (ttl as number) > 0)) {
      return controlError(reply, 400, 'expires_in must be a positive integer');
    }
    return reply.code(201).send(ctx.store.issueTokens(clientId, userId, scopes, ttl as number));
  });

  app.get('/rate-limits', async () => ({ table: ctx.limiter.table, presets: RATE_LIMIT_PRESETS }));
  app.put<{ Body: { preset?: string; endpoints?: Record<string, LimitSpec[]> } }>(
    '/rate-limits',
    async (request, reply) => {
      const body = objectBody(request.body);
      if (body.preset !== undefined) {
        if (!RATE_LIMIT_PRESETS.includes(body.preset as RateLimitPreset)) {
          return controlError(reply, 400, `preset must be one of ${RATE_LIMIT_PRESETS.join(', ')}`);
        }
        ctx.limiter.usePreset(body.preset as RateLimitPreset);
      }
      for (const [endpoint, specs] of Object.entries(body.endpoints ?? {})) {
        if (!Array.isArray(specs))
          return controlError(reply, 400, `endpoints["${endpoint}"] must be a list of limits`);
        ctx.limiter.set(endpoint, specs);
      }
      return { table: ctx.limiter.table };
    },
  );
  app.post('/rate-limits/reset', async () => {
    ctx.limiter.resetWindows();
    return { reset: true };
  });

  app.get('/faults', async () => ({ faults: ctx.faults.list() }));
  app.post<{ Body: FaultRuleInput }>('/faults', async (request, reply) =>
    reply.code(201).send(ctx.faults.add(request.body)),
  );
  app.delete('/faults', async () => {
    ctx.faults.clear();
    return { cleared: true };
  });
  app.delete<{ Params: { id: string } }>('/faults/:id', async (request, reply) =>
    ctx.faults.remove(request.params.id)
      ? { removed: request.params.id }
      : controlError(reply, 404, `no fault rule ${request.params.id}`),
  );
}

const CONTROL_ROUTES = [
  'GET /__emulator',
  'GET /__emulator/state',
  'GET /__emulator/posts',
  'GET /__emulator/media',
  'GET /__emulator/requests?endpoint=&since=',
  'POST /__emulator/reset',
  'GET|POST /__emulator/clock',
  'GET|POST /__emulator/users',
  'PATCH /__emulator/users/:id',
  'PATCH /__emulator/apps/:clientId',
  'POST /__emulator/tokens',
  'GET|PUT /__emulator/rate-limits',
  'POST /__emulator/rate-limits/reset',
  'GET|POST|DELETE /__emulator/faults',
  'DELETE /__emulator/faults/:id',
];

function credentialsOf(user: {
  accessToken: string;
  refreshToken: string;
  oauth1: { token: string; tokenSecret: string };
}) {
  return { accessToken: user.accessToken, refreshToken: user.refreshToken, oauth1: user.oauth1 };
}

function objectBody<T extends object = Record<string, unknown>>(
  body: unknown,
): Partial<T> & Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body)
    ? (body as Partial<T> & Record<string, unknown>)
    : {};
}

function controlError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ error: status === 404 ? 'not_found' : 'bad_request', message });
}
