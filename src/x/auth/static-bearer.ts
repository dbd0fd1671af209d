import type { AuthProvider } from './types.js';

/**
 * A fixed OAuth 2.0 user access token, for scripts and tests that manage tokens themselves. It cannot
 * refresh: a 401 becomes an `XAuthError`. Use `oauth2UserAuth()` for tokens that should live on.
 */
export function staticBearer(accessToken: string, options: { subject?: string } = {}): AuthProvider {
  if (typeof accessToken !== 'string' || accessToken.trim() === '') {
    throw new TypeError(
      'staticBearer(accessToken): pass the OAuth 2.0 user access token as a non-empty string',
    );
  }
  const subject = options.subject ?? 'default';
  return {
    kind: 'oauth2',
    authorize: async () => ({ authorization: `Bearer ${accessToken}` }),
    subject: () => subject,
  };
}
