import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  type CallbackQuery,
  type ConnectOutcome,
  finishConnect,
  startConnect,
} from '../accounts/connect-flow.js';
import { connectErrorPage, connectedPage, PAGE_HEADERS } from '../accounts/pages.js';
import { checkRedirect, withOutcome } from '../accounts/redirect-target.js';
import type { RouteDeps } from '../deps.js';
import { validationError } from '../errors.js';

/**
 * Connecting an X account with OAuth 2.0 (PKCE), in the browser:
 *
 *   app ──GET /connect/x (API key)──► 302 to X's consent page   (or JSON { authorize_url } for apps)
 *   X ──GET /connect/x/callback?code&state──► tokens stored sealed ──► 302 to the app's page
 *                                                                     (or a small "connected" page)
 *
 * The callback is public (X's redirect carries no API key); the single-use state it must present was
 * made by a caller that had one.
 */

const TAGS = ['accounts'];

const StartQuery = Type.Object(
  {
    redirect: Type.Optional(
      Type.String({
        description:
          'Where to send the browser afterwards: a path, or a URL on XPOST_PUBLIC_URL’s or XPOST_CONNECT_REDIRECT’s origin. Default XPOST_CONNECT_REDIRECT, else a page of the service.',
      }),
    ),
  },
  { additionalProperties: false },
);

const Started = Type.Object(
  {
    authorize_url: Type.String({
      description: 'Open it in the browser of the person who owns the X account.',
    }),
    state: Type.String({ description: 'The state the callback will carry back (single use).' }),
    expires_at: Type.String({ format: 'date-time', description: 'The attempt must finish before this.' }),
  },
  { additionalProperties: false },
);

const CallbackParams = Type.Object(
  {
    state: Type.Optional(Type.String()),
    code: Type.Optional(Type.String()),
    error: Type.Optional(Type.String()),
    error_description: Type.Optional(Type.String()),
  },
  { description: 'What X appends to the callback URL.' },
);

/** API clients and the CLI ask for JSON; a browser (which asks for HTML) gets the redirect. */
function wantsJson(request: FastifyRequest): boolean {
  const accept = (request.headers.accept ?? '').toLowerCase();
  return accept.includes('application/json') && !accept.includes('text/html');
}

export function registerConnectRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get(
    '/connect/x',
    {
      schema: {
        tags: TAGS,
        summary: 'Start connecting an X account (OAuth 2.0)',
        description:
          'Answers 302 to X’s consent page. With `Accept: application/json`, answers `{ authorize_url, state, expires_at }` instead, for apps that send the browser themselves. The attempt lasts 10 minutes.',
        querystring: StartQuery,
        response: { 200: Started },
      },
    },
    async (request, reply) => {
      const { redirect } = request.query as { redirect?: string };
      let redirectTo: string | null = null;
      if (redirect !== undefined) {
        const checked = checkRedirect(deps.config, redirect);
        if ('problem' in checked) throw validationError([checked.problem]);
        redirectTo = checked.url;
      }
      const started = await startConnect(deps, { apiKeyId: request.apiKeyId, redirectTo });
      reply.header('cache-control', 'no-store');
      if (wantsJson(request)) {
        return {
          authorize_url: started.authorizeUrl,
          state: started.state,
          expires_at: started.expiresAt.toISOString(),
        };
      }
      return reply.redirect(started.authorizeUrl, 302);
    },
  );

  app.get(
    '/connect/x/callback',
    {
      config: { public: true },
      schema: {
        tags: TAGS,
        summary: 'Where X sends the browser back (register it as the X app’s callback URL)',
        description:
          'Public. Redirects (302) to the redirect given to GET /connect/x, else XPOST_CONNECT_REDIRECT, with `?status=connected&account_id=…&username=…` or `?status=error&error=<code>`; with neither, answers a small HTML page. Codes: invalid_state, access_denied, authorization_failed, missing_code, invalid_code, client_rejected, x_unavailable, user_lookup_failed, server_error.',
        querystring: CallbackParams,
      },
    },
    async (request, reply) => {
      const outcome = await finishConnect(deps, request.query as CallbackQuery);
      return answerCallback(request, reply, outcome);
    },
  );
}

function answerCallback(request: FastifyRequest, reply: FastifyReply, outcome: ConnectOutcome): FastifyReply {
  reply.headers({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  if (outcome.ok) {
    const { account } = outcome;
    request.log.info({ account: account.id, username: account.username }, 'X account connected');
    if (outcome.redirectTo) {
      return reply.redirect(
        withOutcome(outcome.redirectTo, {
          status: 'connected',
          account_id: account.id,
          username: account.username,
        }),
        302,
      );
    }
    return reply.code(200).headers(PAGE_HEADERS).send(connectedPage(account));
  }
  const level = outcome.error === 'server_error' ? 'error' : 'warn';
  request.log[level](
    { err: outcome.cause, code: outcome.error },
    `connecting an X account failed: ${outcome.error}`,
  );
  if (outcome.redirectTo) {
    return reply.redirect(withOutcome(outcome.redirectTo, { status: 'error', error: outcome.error }), 302);
  }
  const status = outcome.error === 'server_error' ? 500 : outcome.error === 'x_unavailable' ? 502 : 400;
  return reply
    .code(status)
    .headers(PAGE_HEADERS)
    .send(connectErrorPage({ code: outcome.error, message: outcome.message }));
}
