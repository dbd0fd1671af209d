import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { randomAlphanumeric } from '../ids.js';
import { appOnlyToken } from '../oauth/app-only-token.js';
import { type AuthorizeCheck, checkAuthorizeRequest, redirectWith } from '../oauth/authorize-request.js';
import { authenticateClient } from '../oauth/client-auth.js';
import { PAGE_HEADERS, renderConsentPage, renderErrorPage } from '../oauth/consent-page.js';
import { formParams } from '../oauth/form-params.js';
import { GrantLedger } from '../oauth/grants.js';
import { grantTokens, revokeToken } from '../oauth/token-endpoint.js';
import { TokenEndpointError } from '../oauth/token-errors.js';

/** Length of an authorization code; letters and digits, so it travels in a URL as it is. */
const AUTH_CODE_LENGTH = 64;

/**
 * OAuth 2.0 (REFERENCE §1): the consent page at x.com/i/oauth2/authorize, the token and revoke
 * endpoints at api.x.com/2/oauth2/*, and the app-only token at /oauth2/token. None of them has
 * `config.auth`: they are not rate limited and take no bearer token, though the app's hooks still log
 * them and may inject faults.
 */
export function registerOAuthRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const ledger = new GrantLedger();
  ctx.onReset(() => ledger.clear());

  app.get('/i/oauth2/authorize', async (request, reply) => {
    const check = checkAuthorizeRequest(request.query, ctx.store);
    if (!check.ok) return refuse(reply, check);
    const users = [...ctx.store.users.values()];
    return reply.headers(PAGE_HEADERS).send(renderConsentPage(check.request, users, ctx.fixtures.user.id));
  });

  // The consent form posts here; every field is checked again, since the form is in the user's hands.
  app.post('/i/oauth2/authorize', async (request, reply) => {
    const check = checkAuthorizeRequest(request.body, ctx.store);
    if (!check.ok) return refuse(reply, check);
    const { app: client, redirectUri, state } = check.request;
    const form = request.body as Record<string, unknown>;
    if (form.decision === 'deny') {
      return reply.redirect(redirectWith(redirectUri, { error: 'access_denied', state }), 302);
    }
    const user = typeof form.user_id === 'string' ? ctx.store.users.get(form.user_id) : undefined;
    if (form.decision !== 'approve' || !user) {
      return reply
        .code(400)
        .headers(PAGE_HEADERS)
        .send(renderErrorPage('Choose an account, then Authorize app or Cancel.'));
    }
    const code = randomAlphanumeric(AUTH_CODE_LENGTH);
    ctx.store.authCodes.set(code, {
      code,
      clientId: client.clientId,
      userId: user.id,
      redirectUri,
      scopes: check.request.scopes,
      codeChallenge: check.request.codeChallenge,
      codeChallengeMethod: check.request.codeChallengeMethod,
      expiresAt: ctx.clock.now() + ctx.settings.oauth.authCodeTtlSecs * 1000,
      used: false,
    });
    return reply.redirect(redirectWith(redirectUri, { state, code }), 302);
  });

  app.post(
    '/2/oauth2/token',
    tokenEndpoint((request) => {
      const params = formParams(request);
      const client = authenticateClient(request, params, ctx.store);
      return grantTokens(ctx, ledger, client, params);
    }),
  );

  app.post(
    '/2/oauth2/revoke',
    tokenEndpoint((request) => {
      const params = formParams(request);
      const client = authenticateClient(request, params, ctx.store);
      return revokeToken(ctx, ledger, client, params);
    }),
  );

  app.post('/oauth2/token', async (request, reply) => {
    const result = appOnlyToken(request, ctx.store);
    return reply.code(result.status).headers(NO_STORE).send(result.body);
  });
}

/** Token responses are credentials: never cached (RFC 6749 §5.1). */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function tokenEndpoint(handle: (request: FastifyRequest) => object) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(NO_STORE);
    try {
      return reply.send(handle(request));
    } catch (error) {
      if (error instanceof TokenEndpointError) return reply.code(error.status).send(error.body);
      throw error;
    }
  };
}

function refuse(reply: FastifyReply, check: Exclude<AuthorizeCheck, { ok: true }>): FastifyReply {
  if (check.kind === 'page')
    return reply.code(400).headers(PAGE_HEADERS).send(renderErrorPage(check.message));
  const { redirectUri, error, description, state } = check;
  return reply.redirect(redirectWith(redirectUri, { error, error_description: description, state }), 302);
}
