import { systemClock } from '../clock.js';
import { XApiError } from '../errors/x-api-error.js';
import type { RequestHandler, XRequest } from '../request/types.js';
import { applyClientAuth } from './client-auth.js';
import { type TokenGrant, tokenEndpointError } from './token-errors.js';
import { type NowClock, parseTokenResponse, type TokenSet } from './token-set.js';

/**
 * The token and revoke endpoints (REFERENCE §1.3, §1.4, §1.6) for confidential apps (Basic auth) and
 * public apps (`client_id` in the form). Everything goes through the `send` it is given: the SDK's
 * transport, or a client's pipeline. Grants are `idempotent: false`: a refresh that may have reached X
 * has spent the old refresh token, so resending it blindly would only fail (or worse, race).
 */

export const TOKEN_PATH = '/2/oauth2/token';
export const REVOKE_PATH = '/2/oauth2/revoke';

export interface OAuthClientOptions {
  /** Sends one request and answers every status (a transport or a client's `send`). */
  send: RequestHandler;
  clientId: string;
  /** Confidential apps only; public apps (native, single-page) have none. */
  clientSecret?: string;
  /** Where `expiresAt` is read from; default the system clock. */
  clock?: NowClock;
  signal?: AbortSignal;
}

export interface ExchangeCodeOptions extends OAuthClientOptions {
  code: string;
  codeVerifier: string;
  /** The same redirect URI the authorize URL carried (RFC 6749 §4.1.3). */
  redirectUri: string;
}

/** Trade an authorization code for tokens (grant `authorization_code` with PKCE). */
export function exchangeCode(options: ExchangeCodeOptions): Promise<TokenSet> {
  return grant(options, 'authorization_code', {
    grant_type: 'authorization_code',
    code: options.code,
    redirect_uri: options.redirectUri,
    code_verifier: options.codeVerifier,
  });
}

export interface RefreshTokenOptions extends OAuthClientOptions {
  refreshToken: string;
}

/**
 * Trade a refresh token for a new pair. The presented token is spent the moment X reads it: store the
 * returned pair before anything else (REFERENCE §1.4). `oauth2UserAuth()` does that for you.
 */
export function refreshToken(options: RefreshTokenOptions): Promise<TokenSet> {
  return grant(options, 'refresh_token', {
    grant_type: 'refresh_token',
    refresh_token: options.refreshToken,
  });
}

export interface RevokeTokenOptions extends OAuthClientOptions {
  token: string;
  tokenTypeHint?: 'access_token' | 'refresh_token';
}

/**
 * Revoke an access or refresh token (RFC 7009). Revoking is safe to repeat, so it may be retried.
 * X answers 200 for unknown tokens too.
 */
export async function revokeToken(options: RevokeTokenOptions): Promise<void> {
  const form: Record<string, string> = { token: options.token };
  if (options.tokenTypeHint) form.token_type_hint = options.tokenTypeHint;
  const response = await options.send(tokenRequest(options, REVOKE_PATH, form, true));
  if (response.status < 200 || response.status >= 300) throw tokenEndpointError(response, 'revoke');
}

async function grant(
  options: OAuthClientOptions,
  kind: TokenGrant,
  form: Record<string, string>,
): Promise<TokenSet> {
  const response = await options.send(tokenRequest(options, TOKEN_PATH, form, false));
  if (response.status < 200 || response.status >= 300) throw tokenEndpointError(response, kind);
  const tokens = parseTokenResponse(response.body, options.clock ?? systemClock);
  if (!tokens) {
    // The body is left out on purpose: whatever it is, it may hold a token.
    throw new XApiError(`X's token endpoint answered ${response.status} without an access token.`, {
      request: response.request,
      status: response.status,
    });
  }
  return tokens;
}

function tokenRequest(
  options: OAuthClientOptions,
  path: string,
  form: Record<string, string>,
  idempotent: boolean,
): XRequest {
  if (!options.clientId) {
    throw new TypeError("pass clientId (the app's OAuth 2.0 Client ID from the X developer console)");
  }
  const request: XRequest = {
    method: 'POST',
    path,
    endpoint: `POST ${path}`,
    form,
    auth: {
      kind: 'client',
      clientId: options.clientId,
      ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
    },
    idempotent,
  };
  if (options.signal) request.signal = options.signal;
  return applyClientAuth(request);
}
