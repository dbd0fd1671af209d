import type { AuthProvider } from '../auth/types.js';
import { XAuthError } from '../errors/x-auth-error.js';
import { XNetworkError } from '../errors/x-network-error.js';
import { XTimeoutError } from '../errors/x-timeout-error.js';
import { applyClientAuth } from '../oauth/client-auth.js';
import { buildUrl } from '../request/build-url.js';
import { isReplayable } from '../request/replayable.js';
import type { RequestPlugin, XRequest } from '../request/types.js';

export interface AuthPluginOptions {
  apiBase: string;
  provider?: AuthProvider;
}

/**
 * Adds credentials to each attempt. It sits inside the retry plugin so every resend is authorized
 * afresh: OAuth 1.0a gets a new nonce and timestamp (X rejects a replayed nonce), OAuth 2.0 a token
 * refreshed meanwhile.
 *
 * - `user`: the provider's headers for the full URL (OAuth 1.0a signs it, REFERENCE §2). On 401 the
 *   provider's `onUnauthorized` runs once; when it says the credentials changed, the request is sent
 *   once more. Never on 403: a 403 is a refusal, not a stale token (REFERENCE §5.2).
 * - `client`: Basic for confidential clients, `client_id` in the form for public ones (§1.3).
 */
export function authPlugin(options: AuthPluginOptions): RequestPlugin {
  return (next) => async (request) => {
    if (request.auth.kind === 'client') return next(applyClientAuth(request));
    if (request.auth.kind !== 'user') return next(request);

    const provider = options.provider;
    if (!provider) {
      throw new XAuthError(
        `${request.endpoint} needs a user's credentials: pass auth to new XClient({ auth: staticBearer(token) }) or an OAuth provider`,
        { request },
      );
    }
    const authorized = await authorize(provider, options.apiBase, request);
    const response = await next(authorized);
    if (response.status !== 401 || !provider.onUnauthorized || !isReplayable(request)) return response;
    if (!(await provider.onUnauthorized(authorized, response))) return response;
    return next(await authorize(provider, options.apiBase, request));
  };
}

async function authorize(provider: AuthProvider, apiBase: string, request: XRequest): Promise<XRequest> {
  let headers: Record<string, string>;
  try {
    headers = await provider.authorize(request, buildUrl(apiBase, request));
  } catch (error) {
    // A provider that failed to reach the token endpoint (a refresh) never sent this request: say so,
    // or the retry plugin would take it for this request's failure and call a post's outcome unknown.
    if (error instanceof XNetworkError || error instanceof XTimeoutError) {
      throw new XNetworkError(`${request.endpoint} not sent: could not authorize it (${error.message})`, {
        request,
        neverSent: true,
        cause: error,
      });
    }
    throw error;
  }
  return { ...request, headers: { ...request.headers, ...headers } };
}
