import type { FastifyRequest } from 'fastify';
import type { EmulatorStore } from '../state/store.js';
import { parseBasic } from './client-auth.js';

/**
 * `POST /oauth2/token` with `grant_type=client_credentials`: the app-only bearer token, for the
 * consumer key and secret sent as Basic auth (https://docs.x.com/fundamentals/authentication/oauth-2-0/application-only).
 * This is the older v1.1-era endpoint, so its errors have the v1.1 shape, as X still sends them.
 */
export type AppOnlyResult =
  | { status: 200; body: { token_type: 'bearer'; access_token: string } }
  | { status: 403; body: { errors: Array<{ code: number; message: string; label: string }> } };

export function appOnlyToken(request: FastifyRequest, store: EmulatorStore): AppOnlyResult {
  const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<
    string,
    unknown
  >;
  const grantType = body.grant_type ?? new URL(request.url, 'http://x').searchParams.get('grant_type');
  if (grantType !== 'client_credentials') {
    return v1Error(170, 'Missing required parameter: grant_type', 'forbidden_missing_parameter');
  }
  const basic = parseBasic(request.headers.authorization);
  const credentials = basic === 'malformed' ? null : basic;
  const app = credentials ? store.appByConsumerKey(credentials.id) : undefined;
  if (!app || app.consumerSecret !== credentials?.secret) {
    return v1Error(99, 'Unable to verify your credentials', 'authenticity_token_error');
  }
  return { status: 200, body: { token_type: 'bearer', access_token: app.bearerToken } };
}

function v1Error(code: number, message: string, label: string): AppOnlyResult {
  return { status: 403, body: { errors: [{ code, message, label }] } };
}
