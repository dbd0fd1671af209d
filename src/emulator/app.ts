import { setTimeout as sleep } from 'node:timers/promises';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { authenticateUser } from './auth.js';
import type { EmulatorContext } from './context.js';
import { throttle } from './faults.js';
import './fastify-types.js';
import { creditsDepleted, pageNotFound, serviceUnavailable, tooManyRequests, XProblem } from './problems.js';
import { registerControlRoutes } from './routes/control.js';
import { registerMediaRoutes } from './routes/media.js';
import { registerOAuthRoutes } from './routes/oauth2.js';
import { registerTweetRoutes } from './routes/tweets.js';
import { registerUserRoutes } from './routes/users.js';
import { validationProblem } from './validation.js';

/** Paths that belong to the emulator itself: never rate limited, faulted or counted. */
export const CONTROL_PREFIX = '/__emulator';

/** JSON bodies up to this size; APPEND's JSON variant carries a base64 segment of up to 5 MB. */
const JSON_BODY_LIMIT = 8 * 1024 * 1024;

/** Build the emulator's Fastify app. Only `server.ts` listens; tests may also use `app.inject()`. */
export function buildEmulatorApp(ctx: EmulatorContext, options: { logger?: boolean } = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger ? { level: 'info', redact: ['req.headers.authorization'] } : false,
    bodyLimit: JSON_BODY_LIMIT,
    // close() ends keep-alive and half-read uploads at once: a test's afterAll must not wait on them.
    forceCloseConnections: true,
    // Any Host header is fine: clients configured for api.x.com can be pointed here.
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { allErrors: true, verbose: true, coerceTypes: false, removeAdditional: false } },
  });

  app.register(formbody);
  // Multipart (and any other type) is handed to the route as the raw, possibly throttled stream:
  // the media routes stream segments to disk instead of buffering them, and a route that wants
  // JSON answers other types with X's own error.
  app.addContentTypeParser('multipart/form-data', (_request, payload, done) => done(null, payload));
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.addHook('onRequest', async (request, reply) => {
    if (isControl(request)) return;
    const endpoint = endpointOf(request);
    request.xLog = ctx.store.logRequest({
      method: request.method,
      endpoint,
      url: request.url,
      outcome: 'ok',
    });
    const faults = ctx.faults.draw(endpoint);
    request.xFaults = faults;
    const latency = faults.reduce((sum, f) => sum + (f.kind === 'latency' ? (f.latencyMs ?? 0) : 0), 0);
    if (latency > 0) await sleep(latency);
    if (faults.some((f) => f.kind === 'reset')) {
      request.xLog.outcome = 'reset';
      reply.hijack();
      request.raw.socket.resetAndDestroy();
    }
  });

  app.addHook('preParsing', async (request, _reply, payload) => {
    const link = request.xFaults?.find((f) => f.kind === 'bandwidth');
    if (!link?.bytesPerSecond) return payload;
    const limited = throttle(link.bytesPerSecond);
    payload.on('error', (error) => limited.destroy(error));
    return payload.pipe(limited);
  });

  // preValidation: after the body is parsed (OAuth 1.0a signs form bodies) and before it is
  // validated, because X authenticates first: a bad body without a token is a 401, not a 400.
  app.addHook('preValidation', async (request, reply) => {
    const injected = request.xFaults?.find((f) => f.kind === 'status' || f.kind === 'rate_limit');
    if (injected) {
      request.xLog!.outcome = 'injected_status';
      if (injected.kind === 'rate_limit') {
        const reset = String(ctx.clock.nowSeconds() + (injected.resetAfterSecs ?? 900));
        throw tooManyRequests({
          'x-rate-limit-limit': '0',
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': reset,
        });
      }
      const status = injected.status ?? 503;
      throw status === 402
        ? creditsDepleted()
        : status === 429
          ? tooManyRequests()
          : serviceUnavailable(status);
    }
    const routeAuth = request.routeOptions.config.auth;
    if (!routeAuth) return;
    const caller = authenticateUser(request, ctx.store, routeAuth, ctx.settings.oauth);
    if (caller instanceof XProblem) throw caller;
    request.xAuth = caller;
    request.xLog!.userId = caller.user.id;
    const decision = ctx.limiter.consume(
      endpointOf(request),
      { userId: caller.user.id, appId: caller.app.id },
      ctx.clock.now(),
    );
    if (decision) {
      reply.headers(decision.headers);
      if (!decision.allowed) throw tooManyRequests();
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode < 400 && request.xFaults?.some((f) => f.kind === 'commit_then_drop')) {
      // The work is done (the post exists); the client never learns it.
      request.xLog!.outcome = 'commit_then_drop';
      request.raw.socket.resetAndDestroy();
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    if (request.xLog && request.xLog.outcome !== 'reset' && request.xLog.outcome !== 'commit_then_drop') {
      request.xLog.status = reply.statusCode;
    }
  });

  app.setErrorHandler((error: unknown, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) => sendError(pageNotFound(), request, reply));

  registerOAuthRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerTweetRoutes(app, ctx);
  registerMediaRoutes(app, ctx);
  app.register(async (control) => registerControlRoutes(control, ctx), { prefix: CONTROL_PREFIX });
  return app;
}

/** `METHOD /route/pattern`, the key of counts, limits and faults. */
export function endpointOf(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? new URL(request.url, 'http://x').pathname}`;
}

function isControl(request: FastifyRequest): boolean {
  return request.url === CONTROL_PREFIX || request.url.startsWith(`${CONTROL_PREFIX}/`);
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  validation?: Parameters<typeof validationProblem>[0];
  validationContext?: string;
  message?: string;
}

function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = toProblem(error, request);
  reply.code(problem.status).headers(problem.headers);
  if (problem.body === null) return reply.send('');
  return reply.type('application/problem+json').send(problem.body);
}

function toProblem(error: unknown, request: FastifyRequest): XProblem {
  if (error instanceof XProblem) return error;
  const e = (error ?? {}) as FastifyLikeError;
  if (e.validation) return validationProblem(e.validation, e.validationContext ?? 'body');
  // X's edge answers oversized bodies with a bare 413 (REFERENCE §4.2).
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) return new XProblem(413, null);
  if (
    e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    e instanceof SyntaxError
  ) {
    return new XProblem(400, {
      errors: [{ parameters: {}, message: 'Your request body is not valid JSON.' }],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    });
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new XProblem(e.statusCode, {
      title: 'Invalid Request',
      detail: e.message ?? 'Invalid Request',
      type: 'about:blank',
      status: e.statusCode,
    });
  }
  request.log.error({ err: error }, 'emulator bug: unhandled error');
  return new XProblem(500, {
    title: 'Internal Server Error',
    detail: 'The emulator failed to handle this request; this is a bug in xpost, please report it.',
    type: 'about:blank',
    status: 500,
  });
}
