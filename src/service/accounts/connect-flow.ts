import {
  buildAuthorizeUrl,
  codeChallengeS256,
  DEFAULT_SCOPES,
  exchangeCode,
  generateCodeVerifier,
  generateState,
  revokeToken,
  staticBearer,
  TOKEN_ERROR_CODES,
  type TokenSet,
  XAuthError,
} from '../../x/index.js';
import type { RouteDeps } from '../deps.js';
import { type OAuthStateRow, oauthStates } from '../store/accounts-api.js';
import type { AccountRow } from '../store/sql.js';
import { type ConnectedUser, saveOAuth2Account } from './save-account.js';
import { accountsXClient, classifyXFailure, nowClock, sendThrough } from './x-calls.js';

/**
 * OAuth 2.0 with PKCE for the service (REFERENCE §1): `startConnect` makes the verifier and the state
 * and keeps them here, sealed, for ten minutes; `finishConnect` takes them back exactly once when X
 * sends the browser to the callback, trades the code for tokens, asks X who the user is, and stores
 * the account with its tokens sealed. The browser only ever sees the state and the authorize URL.
 */

/** What a posting account needs; `offline.access` brings the refresh token, `media.write` uploads. */
export const CONNECT_SCOPES: readonly string[] = DEFAULT_SCOPES;
/** X's codes live 30 s; a person may take a while on the consent page, not more than this. */
export const STATE_TTL_MS = 10 * 60_000;

/** The AAD the sealed verifier is bound to: it opens for its own state only. */
export const stateAad = (state: string): string => `oauth_state:${state}`;

export interface StartedConnect {
  authorizeUrl: string;
  state: string;
  expiresAt: Date;
}

export async function startConnect(
  deps: RouteDeps,
  options: { apiKeyId: string | null; redirectTo: string | null },
): Promise<StartedConnect> {
  const now = deps.clock();
  // Abandoned attempts are swept here, so the table stays small without a job of its own.
  await deps.db.query(oauthStates.purgeExpired(now));
  const codeVerifier = generateCodeVerifier();
  const state = generateState();
  const url = buildAuthorizeUrl({
    clientId: deps.xApp.clientId,
    redirectUri: deps.config.oauthCallbackUrl,
    scopes: CONNECT_SCOPES,
    state,
    codeChallenge: codeChallengeS256(codeVerifier),
    authorizeBase: deps.xApp.authorizeUrl,
  });
  const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
  await deps.db.query(
    oauthStates.insert({
      state,
      codeVerifier: deps.box.seal(codeVerifier, stateAad(state)),
      apiKeyId: options.apiKeyId,
      redirectTo: options.redirectTo,
      createdAt: now,
      expiresAt,
    }),
  );
  return { authorizeUrl: url.href, state, expiresAt };
}

/** Stable codes the callback reports (`?status=error&error=<code>`, or on its page). */
export type ConnectErrorCode =
  | 'invalid_state'
  | 'access_denied'
  | 'authorization_failed'
  | 'missing_code'
  | 'invalid_code'
  | 'client_rejected'
  | 'x_unavailable'
  | 'user_lookup_failed'
  | 'server_error';

const MESSAGES: Record<ConnectErrorCode, string> = {
  invalid_state:
    'This sign-in is unknown, was already used, or has expired (they last 10 minutes). Start connecting the account again.',
  access_denied:
    'Access was not granted on X. To connect the account, start again and choose "Authorize app".',
  authorization_failed: 'X did not authorise the app. Start connecting the account again.',
  missing_code: 'X sent the browser back without an authorization code. Start connecting the account again.',
  invalid_code:
    'X refused the authorization code (codes expire after 30 seconds and work once). Start connecting the account again.',
  client_rejected:
    "X did not accept this service's app credentials (XPOST_CLIENT_ID, XPOST_CLIENT_SECRET). Ask the operator to check them.",
  x_unavailable: 'X could not be reached or had a problem. Try connecting the account again in a moment.',
  user_lookup_failed: 'X gave the tokens but would not say which account they belong to. Try again.',
  server_error: 'Something went wrong on our side; it has been logged. Try connecting the account again.',
};

/** What X sends to the callback: `code` and `state`, or `error` (and `state`). */
export interface CallbackQuery {
  state?: string | undefined;
  code?: string | undefined;
  error?: string | undefined;
  error_description?: string | undefined;
}

export type ConnectOutcome =
  | { ok: true; account: AccountRow; redirectTo: string | undefined }
  | {
      ok: false;
      error: ConnectErrorCode;
      message: string;
      redirectTo: string | undefined;
      /** For the log (never shown): the SDK error or X's words. */
      cause?: unknown;
    };

export async function finishConnect(deps: RouteDeps, query: CallbackQuery): Promise<ConnectOutcome> {
  const now = deps.clock();
  const fallback = deps.config.connectRedirect;
  const fail = (
    error: ConnectErrorCode,
    redirectTo: string | undefined,
    cause?: unknown,
  ): ConnectOutcome => ({
    ok: false,
    error,
    message: MESSAGES[error],
    redirectTo,
    ...(cause === undefined ? {} : { cause }),
  });

  // Single use: the row is deleted whatever happens next, so a replayed callback finds nothing.
  const row = query.state
    ? (await deps.db.query<OAuthStateRow>(oauthStates.consume(query.state))).rows[0]
    : undefined;
  await deps.db.query(oauthStates.purgeExpired(now));
  if (!row) return fail('invalid_state', fallback);
  const redirectTo = row.redirect_to ?? fallback;
  if (row.expires_at.getTime() <= now.getTime()) return fail('invalid_state', redirectTo);

  if (query.error !== undefined) {
    const said = { error: query.error, description: query.error_description };
    return fail(query.error === 'access_denied' ? 'access_denied' : 'authorization_failed', redirectTo, said);
  }
  if (!query.code) return fail('missing_code', redirectTo);

  let codeVerifier: string;
  try {
    codeVerifier = deps.box.openText(Buffer.from(row.code_verifier), stateAad(row.state));
  } catch (error) {
    return fail('server_error', redirectTo, error);
  }

  const target = { apiBase: deps.xApp.apiBase, ...(deps.xApp.fetch ? { fetch: deps.xApp.fetch } : {}) };
  const app = {
    send: sendThrough(accountsXClient(deps.db, target)),
    clientId: deps.xApp.clientId,
    ...(deps.xApp.clientSecret ? { clientSecret: deps.xApp.clientSecret } : {}),
    clock: nowClock(deps.clock),
  };
  let tokens: TokenSet;
  try {
    tokens = await exchangeCode({
      ...app,
      code: query.code,
      codeVerifier,
      redirectUri: deps.config.oauthCallbackUrl,
    });
  } catch (error) {
    if (error instanceof XAuthError && error.code === TOKEN_ERROR_CODES.invalidAuthorizationCode)
      return fail('invalid_code', redirectTo, error);
    if (error instanceof XAuthError && error.code === TOKEN_ERROR_CODES.invalidClient)
      return fail('client_rejected', redirectTo, error);
    return fail(
      classifyXFailure(error) === 'unavailable' ? 'x_unavailable' : 'invalid_code',
      redirectTo,
      error,
    );
  }

  let user: ConnectedUser;
  try {
    const me = await accountsXClient(deps.db, target, staticBearer(tokens.accessToken)).users.me({
      fields: ['subscription_type'],
    });
    user = {
      id: me.id,
      username: me.username,
      ...(me.subscriptionType ? { subscription_type: me.subscriptionType } : {}),
    };
  } catch (error) {
    // Tokens nobody will hold: give them back rather than leave a live grant behind.
    await revokeQuietly(app, tokens);
    return fail(
      classifyXFailure(error) === 'unavailable' ? 'x_unavailable' : 'user_lookup_failed',
      redirectTo,
      error,
    );
  }

  try {
    const account = await saveOAuth2Account(deps.db, deps.box, { user, tokens, sandbox: deps.xApp.sandbox });
    return { ok: true, account, redirectTo };
  } catch (error) {
    await revokeQuietly(app, tokens);
    return fail('server_error', redirectTo, error);
  }
}

async function revokeQuietly(
  app: Omit<Parameters<typeof revokeToken>[0], 'token' | 'tokenTypeHint'>,
  tokens: TokenSet,
): Promise<void> {
  try {
    if (tokens.refreshToken)
      await revokeToken({ ...app, token: tokens.refreshToken, tokenTypeHint: 'refresh_token' });
    await revokeToken({ ...app, token: tokens.accessToken, tokenTypeHint: 'access_token' });
  } catch {
    // Best effort: the caller already reports the failure that matters.
  }
}
