/**
 * X's rate limits: per user and per app, per 15-minute window and per 24 hours (REFERENCE §4.4, §6).
 * Windows are fixed: the first request opens one and `reset` is when it closes, in epoch seconds,
 * which is how X's `x-rate-limit-reset` behaves.
 */

export type LimitScope = 'user' | 'app';

export interface LimitSpec {
  scope: LimitScope;
  windowSecs: number;
  limit: number;
}

/** Endpoint key (`METHOD /route`) → the limits that apply to it. */
export type RateLimitTable = Record<string, LimitSpec[]>;

export type RateLimitPreset = 'pay-per-use' | 'free' | 'basic' | 'pro';

const MIN15 = 900;
const DAY = 86_400;
const u = (windowSecs: number, limit: number): LimitSpec => ({ scope: 'user', windowSecs, limit });
const a = (windowSecs: number, limit: number): LimitSpec => ({ scope: 'app', windowSecs, limit });

const MEDIA_STEP = [u(MIN15, 1875), a(DAY, 180_000)];

/** Today's docs (pay-per-use, 2026). GET lookups follow X's long-standing v2 read limits. */
const PAY_PER_USE: RateLimitTable = {
  'POST /2/tweets': [u(MIN15, 100), a(DAY, 10_000)],
  'DELETE /2/tweets/:id': [u(MIN15, 50)],
  'GET /2/tweets/:id': [u(MIN15, 900), a(MIN15, 450)],
  'GET /2/users/me': [u(MIN15, 75)],
  'GET /2/users/:id/tweets': [u(MIN15, 900), a(MIN15, 1500)],
  'POST /2/media/upload': [u(MIN15, 500), a(DAY, 50_000)],
  'GET /2/media/upload': [u(MIN15, 1000), a(DAY, 100_000)],
  'POST /2/media/upload/initialize': MEDIA_STEP,
  'POST /2/media/upload/:id/append': MEDIA_STEP,
  'POST /2/media/upload/:id/finalize': MEDIA_STEP,
  'POST /2/media/metadata': [u(MIN15, 500), a(DAY, 50_000)],
};

/** The legacy tiers (docs of 2025-12-01, REFERENCE §6.2), for testing clients against tight caps. */
const LEGACY: Record<Exclude<RateLimitPreset, 'pay-per-use'>, RateLimitTable> = {
  free: {
    'POST /2/tweets': [u(DAY, 17), a(DAY, 17)],
    'DELETE /2/tweets/:id': [u(DAY, 17), a(DAY, 17)],
    'GET /2/users/me': [u(DAY, 25)],
  },
  basic: {
    'POST /2/tweets': [u(DAY, 100), a(DAY, 1667)],
    'DELETE /2/tweets/:id': [u(MIN15, 5)],
    'GET /2/users/me': [u(DAY, 250)],
  },
  pro: {
    'POST /2/tweets': [u(MIN15, 100), a(DAY, 10_000)],
    'DELETE /2/tweets/:id': [u(MIN15, 50)],
    'GET /2/users/me': [u(MIN15, 75)],
  },
};

export function rateLimitTable(preset: RateLimitPreset = 'pay-per-use'): RateLimitTable {
  const table = { ...PAY_PER_USE, ...(preset === 'pay-per-use' ? {} : LEGACY[preset]) };
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [k, v.map((s) => ({ ...s }))]));
}

export const RATE_LIMIT_PRESETS: readonly RateLimitPreset[] = ['pay-per-use', 'free', 'basic', 'pro'];

interface Bucket {
  count: number;
  resetAt: number; // epoch ms
}

export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export interface RateLimitSubject {
  userId?: string;
  appId: string;
}

export class RateLimiter {
  #table: RateLimitTable;
  readonly #buckets = new Map<string, Bucket>();

  constructor(preset: RateLimitPreset = 'pay-per-use', overrides: RateLimitTable = {}) {
    this.#table = { ...rateLimitTable(preset), ...cloneTable(overrides) };
  }

  get table(): RateLimitTable {
    return cloneTable(this.#table);
  }

  usePreset(preset: RateLimitPreset, overrides: RateLimitTable = {}): void {
    this.#table = { ...rateLimitTable(preset), ...cloneTable(overrides) };
    this.#buckets.clear();
  }

  /** Replace one endpoint's limits (an empty list removes them); its open windows start over. */
  set(endpoint: string, limits: LimitSpec[]): void {
    for (const spec of limits) validateSpec(endpoint, spec);
    if (limits.length === 0) delete this.#table[endpoint];
    else this.#table[endpoint] = limits.map((s) => ({ ...s }));
    for (const key of this.#buckets.keys()) if (key.includes(`|${endpoint}|`)) this.#buckets.delete(key);
  }

  /** Close every open window, as if a day had passed for every counter. */
  resetWindows(): void {
    this.#buckets.clear();
  }

  /**
   * Count one request against every limit of the endpoint. When any limit is spent, nothing is
   * counted and the decision says no; the headers describe the limit that said no.
   */
  consume(endpoint: string, subject: RateLimitSubject, nowMs: number): RateLimitDecision | null {
    const limits = this.#table[endpoint];
    if (!limits || limits.length === 0) return null;
    const states = limits
      .filter((spec) => spec.scope === 'app' || subject.userId !== undefined)
      .map((spec) => ({ spec, bucket: this.#bucket(endpoint, spec, subject, nowMs) }));
    const exhausted = states.find(({ spec, bucket }) => bucket.count >= spec.limit);
    if (!exhausted) for (const { bucket } of states) bucket.count += 1;
    const headers: Record<string, string> = {};
    const primary = pickPrimary(states.map((s) => s.spec));
    for (const { spec, bucket } of states) {
      const remaining = String(Math.max(0, spec.limit - bucket.count));
      const reset = String(Math.ceil(bucket.resetAt / 1000));
      const names: string[] = [];
      if (spec === primary) names.push('x-rate-limit');
      if (spec.windowSecs === DAY)
        names.push(spec.scope === 'user' ? 'x-user-limit-24hour' : 'x-app-limit-24hour');
      for (const name of names) {
        headers[`${name}-limit`] = String(spec.limit);
        headers[`${name}-remaining`] = remaining;
        headers[`${name}-reset`] = reset;
      }
    }
    return { allowed: !exhausted, headers };
  }

  #bucket(endpoint: string, spec: LimitSpec, subject: RateLimitSubject, nowMs: number): Bucket {
    const who = spec.scope === 'user' ? `u:${subject.userId}` : `a:${subject.appId}`;
    const key = `${who}|${endpoint}|${spec.windowSecs}`;
    let bucket = this.#buckets.get(key);
    if (!bucket || nowMs >= bucket.resetAt) {
      bucket = { count: 0, resetAt: nowMs + spec.windowSecs * 1000 };
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }
}

/** `x-rate-limit-*` describe the shortest window, the user's when both scopes share it. */
function pickPrimary(specs: LimitSpec[]): LimitSpec | undefined {
  return [...specs].sort((x, y) => x.windowSecs - y.windowSecs || (x.scope === 'user' ? -1 : 1))[0];
}

function validateSpec(endpoint: string, spec: LimitSpec): void {
  const ok =
    (spec.scope === 'user' || spec.scope === 'app') &&
    Number.isInteger(spec.windowSecs) &&
    spec.windowSecs > 0 &&
    Number.isInteger(spec.limit) &&
    spec.limit >= 0;
  if (!ok) {
    throw new RangeError(
      `rate limit for ${endpoint} must be { scope: "user" | "app", windowSecs: positive integer, limit: integer >= 0 }, got ${JSON.stringify(spec)}`,
    );
  }
}

function cloneTable(table: RateLimitTable): RateLimitTable {
  const out: RateLimitTable = {};
  for (const [endpoint, specs] of Object.entries(table)) {
    for (const spec of specs) validateSpec(endpoint, spec);
    out[endpoint] = specs.map((s) => ({ ...s }));
  }
  return out;
}
