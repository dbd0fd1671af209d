import { errorFromResponse } from '../errors/error-from-response.js';
import { XAuthError } from '../errors/x-auth-error.js';
import type { XError } from '../errors/x-error.js';
import type { XRawResponse } from '../request/types.js';

/**
 * Token-endpoint failures as errors. X answers with RFC 6749 §5.2 bodies (`error`,
 * `error_description`), undocumented but observed (REFERENCE §1.5): a spent or revoked refresh token
 * is `400 invalid_request`, some sources show `invalid_grant` for the same, so both mean "the grant is
 * no good". X's words go to `title`/`detail`; `code` says what it means for the caller.
 */
export const TOKEN_ERROR_CODES = {
  /** The refresh token is spent, revoked or unknown: log in again (after re-reading the store). */
  invalidRefreshToken: 'invalid_refresh_token',
  /** The code expired (30 s), was used, or the verifier or redirect URI do not match. */
  invalidAuthorizationCode: 'invalid_authorization_code',
  /** The client id or secret is wrong, or a secret was sent for a public app or left out for a confidential one. */
  invalidClient: 'invalid_client',
  /** The store holds no usable token for the account. */
  loginRequired: 'login_required',
} as const;

export type TokenGrant = 'authorization_code' | 'refresh_token' | 'revoke';

interface OAuthErrorBody {
  error?: string;
  error_description?: string;
}

export function tokenEndpointError(response: XRawResponse, grant: TokenGrant): XError {
  const body = readErrorBody(response.body);
  const init = {
    request: response.request,
    status: response.status,
    ...(body.error ? { title: body.error } : {}),
    ...(body.error_description ? { detail: body.error_description } : {}),
    body: body.error ? body : undefined,
  };
  const says = body.error_description ?? body.error ?? `HTTP ${response.status}`;

  if (response.status === 401 || body.error === 'unauthorized_client' || body.error === 'invalid_client') {
    return new XAuthError(
      `X did not accept the app's client credentials (${says}). Check clientId, and clientSecret: confidential apps need it, public apps must not send one.`,
      { ...init, code: TOKEN_ERROR_CODES.invalidClient },
    );
  }
  const badGrant =
    (body.error === 'invalid_request' || body.error === 'invalid_grant') &&
    !/missing required parameter/i.test(body.error_description ?? '');
  if (response.status === 400 && badGrant && grant === 'refresh_token') {
    return new XAuthError(
      `X refused the refresh token (${says}): it was already used, revoked, or belongs to another app. Log in again (xpost login).`,
      { ...init, code: TOKEN_ERROR_CODES.invalidRefreshToken },
    );
  }
  if (response.status === 400 && badGrant && grant === 'authorization_code') {
    return new XAuthError(
      `X refused the authorization code (${says}): codes live 30 seconds, work once, and need the same code verifier and redirect URI. Start the login again.`,
      { ...init, code: TOKEN_ERROR_CODES.invalidAuthorizationCode },
    );
  }
  // Anything else (other OAuth errors, 429, 5xx) is classified like any answer from X.
  return errorFromResponse(response);
}

function readErrorBody(body: unknown): OAuthErrorBody {
  if (typeof body !== 'object' || body === null) return {};
  const raw = body as Record<string, unknown>;
  const out: OAuthErrorBody = {};
  if (typeof raw.error === 'string') out.error = raw.error;
  if (typeof raw.error_description === 'string') out.error_description = raw.error_description;
  return out;
}
