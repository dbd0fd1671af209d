import type { XRawResponse, XRequest } from '../request/types.js';

/**
 * How the client authenticates user-context requests. The request core's auth plugin calls it for
 * every request with `auth: { kind: 'user' }`; implementations: a static bearer token
 * (`static-bearer.ts`), OAuth 2.0 with refresh (`oauth2-user-auth.ts`), OAuth 1.0a (`oauth1-user-auth.ts`).
 */
export interface AuthProvider {
  /** `oauth2` or `oauth1`: errors and docs say which kind of credential failed. */
  readonly kind: 'oauth2' | 'oauth1';
  /**
   * Headers to add (normally `authorization`) for this request, sent to `url` (the full URL, query
   * included: OAuth 1.0a signs it). May refresh an expiring token first.
   */
  authorize(request: XRequest, url: URL): Promise<Record<string, string>>;
  /**
   * Called once when X answered 401 to a request authorized by this provider. Resolve true when the
   * credentials changed (refreshed or re-read from the store) and the request should be sent again;
   * false to let the 401 become an `XAuthError`. Never called for 403.
   */
  onUnauthorized?(request: XRequest, response: XRawResponse): Promise<boolean>;
  /**
   * A stable, non-secret name for whose limits these are (the user id when known, else an account
   * label): the key of the client's rate-limit state.
   */
  subject(): string;
}
