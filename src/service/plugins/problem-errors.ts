import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, ServiceError, toProblem } from '../errors.js';

/**
 * One error handler for the whole service (STYLE, fastify/demo): every error, thrown or raised by
 * Fastify, leaves as problem+json with a stable `code`. A 5xx is logged with its stack and answered
 * without details; a 401 carries `WWW-Authenticate: Bearer`.
 */
export function registerProblemErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request, reply) => sendProblem(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      new ServiceError(404, 'not_found', `no route for ${request.method} ${request.url.split('?')[0]}`),
      request,
      reply,
    ),
  );
}

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { problem, internal } = toProblem(error);
  if (internal) request.log.error({ err: error }, 'request failed');
  else if (problem.status >= 400) request.log.info({ code: problem.code }, problem.detail);
  if (problem.status === 401) {
    reply.header('www-authenticate', `Bearer realm="xpost", error="invalid_token"`);
  }
  return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}
