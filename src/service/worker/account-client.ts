import {
  oauth1UserAuth,
  oauth2UserAuth,
  parseRateLimitHeaders,
  XClient,
  type XClientOptions,
} from '../../x/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/types.js';
import { addCounter, COUNTERS } from '../metrics/counters.js';
import { type AccountRow, rateLimits } from '../store/sql.js';
import { DbTokenStore, tokenAad } from './db-token-store.js';

/** How to reach X for an account: the OAuth app and the client's options. */
export interface XAccess {
  clientId: string;
  clientSecret?: string;
  client?: Omit<XClientOptions, 'auth'>;
}

export interface AccountClientDeps {
  db: Db;
  box: SecretBox;
  clock: { now(): Date };
  x: (account: AccountRow) => XAccess;
}

/**
 * Options for the client of a worker holding a target under a lease of `leaseMs`: rate limits are
 * thrown (the worker requeues at the reset instead of sleeping on a lease), and one request can
 * never outlive the claim it was sent under. A `POST /2/tweets` still in flight when the lease ran
 * out would let another worker reconcile, find nothing yet, and send the post a second time; with
 * the timeout under a third of the lease (extended before each request), that cannot happen.
 */
export function workerClientOptions(leaseMs: number): Pick<XClientOptions, 'onRateLimit' | 'timeoutMs'> {
  return { onRateLimit: 'throw', timeoutMs: Math.max(1_000, Math.min(30_000, Math.floor(leaseMs / 3))) };
}

/** The rate-limit row subject of the app's daily cap (`x-app-limit-24hour-*`), shared by every account. */
export const APP_SUBJECT = 'app';

/**
 * An XClient that acts as this account, for workers and routes alike:
 * - OAuth 2.0 accounts refresh through `DbTokenStore` (row lock, sealed columns); OAuth 1.0a ones
 *   sign with their sealed consumer key and token.
 * - Every response's rate-limit headers are stored (`xpost.rate_limits`, per account, and the app's
 *   daily cap under `app`), so pacing across workers uses what X said last, 2xx included.
 * - Every call is counted for `/metrics` by endpoint and status.
 * `overrides` go to the client as given (the worker passes `onRateLimit: 'throw'`).
 */
export function clientForAccount(
  deps: AccountClientDeps,
  account: AccountRow,
  overrides: Omit<XClientOptions, 'auth'> = {},
): XClient {
  const access = deps.x(account);
  const base = { ...access.client, ...overrides };
  const innerFetch = base.fetch ?? globalThis.fetch;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const url = new URL(input instanceof Request ? input.url : String(input));
    const endpoint = `${method} ${endpointPath(url.pathname)}`;
    let response: Response;
    try {
      response = await innerFetch(input, init);
    } catch (error) {
      await addCounter(deps.db, COUNTERS.xApiCalls, { endpoint, status: 'network_error' }).catch(() => {});
      throw error;
    }
    // Bookkeeping must not turn X's answer into an error: a failed write loses one observation.
    await observe(deps, account, endpoint, response).catch(() => {});
    return response;
  };
  // The auth providers read token expiry and OAuth 1.0a timestamps from the service's clock.
  const clock = { now: () => deps.clock.now().getTime() };
  if (account.auth_kind === 'oauth1') {
    const open = (column: 'access_token' | 'token_secret' | 'consumer_key' | 'consumer_secret') => {
      const sealed = account[column];
      if (!sealed || sealed.length === 0) throw new Error(`account ${account.id} has no ${column}`);
      return deps.box.openText(Buffer.from(sealed), tokenAad(account.id, column));
    };
    return new XClient({
      ...base,
      fetch,
      auth: oauth1UserAuth({
        consumerKey: open('consumer_key'),
        consumerSecret: open('consumer_secret'),
        token: open('access_token'),
        tokenSecret: open('token_secret'),
        subject: account.x_user_id,
        clock,
      }),
    });
  }
  // Token requests go through the client's own pipeline (retries, counting, rate limits).
  let client: XClient | undefined;
  const auth = oauth2UserAuth({
    store: new DbTokenStore(deps.db, deps.box),
    key: account.id,
    clientId: access.clientId,
    ...(access.clientSecret === undefined ? {} : { clientSecret: access.clientSecret }),
    client: { send: (request) => client!.send(request) },
    clock,
  });
  client = new XClient({ ...base, fetch, auth });
  return client;
}

/**
 * `/2/tweets/1234567890` → `/2/tweets/:id`: ids (X's are long numbers) become one label value instead
 * of one per post; the API version `/2` stays. Keys match the SDK's rate-limit endpoints.
 */
export function endpointPath(path: string): string {
  return path.replace(/\/\d{4,}(?=\/|$)/g, '/:id');
}

async function observe(
  deps: AccountClientDeps,
  account: AccountRow,
  endpoint: string,
  response: Response,
): Promise<void> {
  await addCounter(deps.db, COUNTERS.xApiCalls, { endpoint, status: response.status });
  const info = parseRateLimitHeaders(response.headers);
  if (!info) return;
  const observedAt = deps.clock.now();
  const at = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));
  if (info.window || info.user24h) {
    await deps.db.query(
      rateLimits.upsert({
        subject: account.id,
        endpoint,
        limit: info.window?.limit ?? null,
        remaining: info.window?.remaining ?? null,
        resetAt: at(info.window?.resetAt),
        dailyLimit: info.user24h?.limit ?? null,
        dailyRemaining: info.user24h?.remaining ?? null,
        dailyResetAt: at(info.user24h?.resetAt),
        observedAt,
      }),
    );
  }
  if (info.app24h) {
    await deps.db.query(
      rateLimits.upsert({
        subject: APP_SUBJECT,
        endpoint,
        dailyLimit: info.app24h.limit,
        dailyRemaining: info.app24h.remaining,
        dailyResetAt: at(info.app24h.resetAt),
        observedAt,
      }),
    );
  }
}
