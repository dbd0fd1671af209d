import type { RequestPlugin, XRequest } from '../request/types.js';

/**
 * OAuth 2.0 client authentication at the token and revoke endpoints (REFERENCE §1.3, §1.6):
 * confidential clients send `Authorization: Basic base64(client_id:client_secret)`, public clients
 * send `client_id` in the form. Applying it twice gives the same request, so the token client applies
 * it itself (a bare transport works) and a client's auth plugin may apply it again harmlessly.
 */
export function applyClientAuth(request: XRequest): XRequest {
  if (request.auth.kind !== 'client') return request;
  const { clientId, clientSecret } = request.auth;
  if (clientSecret !== undefined && clientSecret !== '') {
    return {
      ...request,
      headers: { ...request.headers, authorization: basicCredentials(clientId, clientSecret) },
    };
  }
  return { ...request, form: { ...request.form, client_id: clientId } };
}

/** A plugin form of `applyClientAuth`, for a pipeline built by hand around a transport. */
export const clientAuthPlugin: RequestPlugin = (next) => (request) => next(applyClientAuth(request));

/** RFC 6749 §2.3.1: both halves are form-urlencoded, then joined with ':' and base64-encoded. */
export function basicCredentials(clientId: string, clientSecret: string): string {
  const pair = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}
