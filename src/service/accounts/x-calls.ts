import {
  type AuthProvider,
  type NowClock,
  type OAuthClientOptions,
  XAuthError,
  XClient,
  XError,
  XForbiddenError,
  XNetworkError,
  XRateLimitError,
  XTimeoutError,
} from '../../x/index.js';
import type { Db } from '../db/types.js';
import { addCounter, COUNTERS } from '../metrics/counters.js';
import { endpointPath } from '../worker/account-client.js';

/**
 * XClients for the accounts routes' own calls to X (token exchange, users/me, revoke), made before an
 * account exists or after it is gone, so not through `clientForAccount`. Each call is counted for
 * `/metrics` like the workers' calls. Retries stay short: a person is waiting on the other end.
 */
export interface XCallTarget {
  apiBase: string;
  fetch?: typeof fetch;
}

export function accountsXClient(db: Db, target: XCallTarget, auth?: AuthProvider): XClient {
  const inner = target.fetch ?? globalThis.fetch;
  const counted: typeof fetch = async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const url = new URL(input instanceof Request ? input.url : String(input));
    const endpoint = `${method} ${endpointPath(url.pathname)}`;
    try {
      const response = await inner(input, init);
      await addCounter(db, COUNTERS.xApiCalls, { endpoint, status: response.status }).catch(() => {});
      return response;
    } catch (error) {
      await addCounter(db, COUNTERS.xApiCalls, { endpoint, status: 'network_error' }).catch(() => {});
      throw error;
    }
  };
  return new XClient({
    apiBase: target.apiBase,
    fetch: counted,
    maxRetries: 2,
    retryBaseDelayMs: 200,
    retryMaxDelayMs: 1_000,
    // A spent rate limit answers at once: the caller says so instead of holding the request.
    onRateLimit: 'throw',
    ...(auth ? { auth } : {}),
  });
}

/** What the SDK's token client needs to send through an XClient's pipeline. */
export function sendThrough(client: XClient): OAuthClientOptions['send'] {
  return (request) => client.send(request);
}

/** The SDK's clocks read epoch milliseconds; the service's clock gives a Date. */
export function nowClock(clock: () => Date): NowClock {
  return { now: () => clock().getTime() };
}

/**
 * What an X failure means to the person waiting: `refused` (401: these credentials are not good),
 * `forbidden` (403: X will not let this app or user do it), `unavailable` (X did not answer, failed,
 * or asked us to slow down: try again later), `other` (anything else X refused).
 */
export type XFailure = 'refused' | 'forbidden' | 'unavailable' | 'other';

export function classifyXFailure(error: unknown): XFailure {
  if (error instanceof XAuthError) return 'refused';
  if (error instanceof XForbiddenError) return 'forbidden';
  if (error instanceof XNetworkError || error instanceof XTimeoutError || error instanceof XRateLimitError)
    return 'unavailable';
  if (error instanceof XError && (error.status === undefined || error.status >= 500)) return 'unavailable';
  return 'other';
}

/** X's own words about a failure, for a message: never a body (it may hold a token), only its detail. */
export function xSays(error: unknown): string {
  if (error instanceof XError) {
    const words = error.detail ?? error.title ?? (error.status ? `HTTP ${error.status}` : error.message);
    return words.length > 300 ? `${words.slice(0, 300)}…` : words;
  }
  return error instanceof Error ? error.message : String(error);
}
