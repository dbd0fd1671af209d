import { timingSafeEqual } from 'node:crypto';
import { XAuthError } from '../errors/x-auth-error.js';

/**
 * The second leg of a login: X redirects the browser to `redirect_uri?state=…&code=…`, or
 * `?error=access_denied&state=…` when the user cancels (REFERENCE §1.2, RFC 6749 §4.1.2).
 */

/** `XAuthError.code` values for a callback that cannot be used. */
export const CALLBACK_ERROR_CODES = {
  stateMismatch: 'state_mismatch',
  accessDenied: 'access_denied',
  missingCode: 'missing_code',
} as const;

/**
 * The authorization code from the callback URL (or its query string). Throws `XAuthError` when the
 * state does not match the one this login started with, when the user denied access, or when X
 * answered with another error.
 */
export function parseCallback(callbackUrl: string | URL, expectedState: string): string {
  const params = callbackParams(callbackUrl);
  // State first: a forged callback may carry an error as easily as a code (RFC 6749 §10.12).
  const state = params.get('state');
  if (state === null || !sameString(state, expectedState)) {
    throw new XAuthError(
      'The login callback does not belong to this login (its state does not match): possibly a cross-site request forgery. Start the login again.',
      { code: CALLBACK_ERROR_CODES.stateMismatch },
    );
  }
  const error = params.get('error');
  if (error === 'access_denied') {
    throw new XAuthError(
      'Access was denied on X\'s consent page, so xpost got no token. Run the login again and choose "Authorize app".',
      {
        code: CALLBACK_ERROR_CODES.accessDenied,
        title: error,
      },
    );
  }
  if (error !== null) {
    const description = params.get('error_description');
    throw new XAuthError(
      `X refused the authorization request: ${error}${description ? ` (${description})` : ''}. Check the client id, redirect URI and scopes, then start again.`,
      { code: error, title: error, ...(description ? { detail: description } : {}) },
    );
  }
  const code = params.get('code');
  if (!code) {
    throw new XAuthError('The login callback has no authorization code. Start the login again.', {
      code: CALLBACK_ERROR_CODES.missingCode,
    });
  }
  return code;
}

function callbackParams(callbackUrl: string | URL): URLSearchParams {
  if (callbackUrl instanceof URL) return callbackUrl.searchParams;
  const text = callbackUrl.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return new URL(text).searchParams;
  // A bare query string (`?code=…&state=…` or `code=…&state=…`), as a user might paste it.
  const query = text.includes('?') ? text.slice(text.indexOf('?') + 1) : text;
  return new URLSearchParams(query);
}

/** Constant-time comparison: the state is a secret the attacker is trying to guess. */
function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
