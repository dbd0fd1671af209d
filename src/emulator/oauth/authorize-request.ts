import type { EmulatorStore } from '../state/store.js';
import type { EmulatorApp } from '../state/types.js';
import { type ChallengeMethod, isChallengeMethod, isPkceValue } from './pkce.js';
import { isKnownScope, parseScopes } from './scopes.js';

/** X takes a `state` of up to 500 characters (REFERENCE §1.2). */
export const STATE_MAX_LENGTH = 500;

/** The fields of an authorize request: the query of GET and the hidden fields of the consent form. */
export const AUTHORIZE_FIELDS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
] as const;

export interface AuthorizeRequest {
  app: EmulatorApp;
  redirectUri: string;
  scopes: string[];
  state: string;
  codeChallenge: string;
  codeChallengeMethod: ChallengeMethod;
  /** The request's fields as received, to carry through the consent form. */
  fields: Record<(typeof AUTHORIZE_FIELDS)[number], string>;
}

export type AuthorizeCheck =
  | { ok: true; request: AuthorizeRequest }
  /** The client or its redirect_uri cannot be trusted: tell the user, never redirect (RFC 6749 §4.1.2.1). */
  | { ok: false; kind: 'page'; message: string }
  /** Anything else goes back to the client as `error=` on its redirect_uri (RFC 6749 §4.1.2.1). */
  | { ok: false; kind: 'redirect'; redirectUri: string; error: string; description: string; state?: string };

/** Validate an authorize request in the order RFC 6749 §4.1.2.1 needs: client and redirect_uri first. */
export function checkAuthorizeRequest(params: unknown, store: EmulatorStore): AuthorizeCheck {
  const raw = (params && typeof params === 'object' ? params : {}) as Record<string, unknown>;
  const one = (key: string): string | undefined | null => {
    const value = raw[key];
    if (value === undefined || value === '') return undefined;
    // A parameter sent twice is malformed (RFC 6749 §3.1).
    return typeof value === 'string' ? value : null;
  };

  const clientId = one('client_id');
  if (clientId === undefined) return page('The request has no client_id.');
  const app = clientId === null ? undefined : store.appByClientId(clientId);
  if (!app) return page('Something went wrong: this app is not known (client_id is invalid).');
  const redirectUri = one('redirect_uri');
  if (redirectUri === undefined) return page('The request has no redirect_uri.');
  // Exact string match against a registered callback URL (REFERENCE §1.2).
  if (redirectUri === null || !app.redirectUris.includes(redirectUri)) {
    return page('Something went wrong: the redirect_uri is not registered for this app.');
  }

  const state = one('state');
  const fail = (error: string, description: string): AuthorizeCheck => ({
    ok: false,
    kind: 'redirect',
    redirectUri,
    error,
    description,
    ...(typeof state === 'string' ? { state } : {}),
  });

  const responseType = one('response_type');
  if (responseType === undefined || responseType === null) {
    return fail('invalid_request', 'Missing required parameter [response_type].');
  }
  if (responseType !== 'code') {
    return fail('unsupported_response_type', 'Only response_type=code is supported.');
  }
  if (state === undefined || state === null)
    return fail('invalid_request', 'Missing required parameter [state].');
  if (state.length > STATE_MAX_LENGTH) {
    return fail('invalid_request', `state must be at most ${STATE_MAX_LENGTH} characters.`);
  }
  const scope = one('scope');
  if (scope === undefined || scope === null)
    return fail('invalid_request', 'Missing required parameter [scope].');
  const scopes = parseScopes(scope);
  const unknown = scopes.filter((s) => !isKnownScope(s));
  if (scopes.length === 0 || unknown.length > 0) {
    return fail('invalid_scope', `Unknown scope: ${unknown.join(' ') || '(empty)'}.`);
  }
  const codeChallenge = one('code_challenge');
  if (codeChallenge === undefined || codeChallenge === null) {
    return fail('invalid_request', 'Missing required parameter [code_challenge].');
  }
  const method = one('code_challenge_method');
  if (method === undefined || method === null) {
    return fail('invalid_request', 'Missing required parameter [code_challenge_method].');
  }
  if (!isChallengeMethod(method)) {
    return fail('invalid_request', 'code_challenge_method must be S256 or plain.');
  }
  if (!isPkceValue(codeChallenge)) {
    return fail('invalid_request', 'code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~].');
  }

  return {
    ok: true,
    request: {
      app,
      redirectUri,
      scopes,
      state,
      codeChallenge,
      codeChallengeMethod: method,
      fields: {
        response_type: responseType,
        client_id: clientId as string,
        redirect_uri: redirectUri,
        scope,
        state,
        code_challenge: codeChallenge,
        code_challenge_method: method,
      },
    },
  };
}

/** `redirect_uri` with parameters added, keeping any query it already has (RFC 6749 §3.1.2). */
export function redirectWith(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.append(key, value);
  return url.toString();
}

function page(message: string): AuthorizeCheck {
  return { ok: false, kind: 'page', message };
}
