import type { RateLimitInfo, RateLimitWindow } from './types.js';

/** Header prefixes X uses (REFERENCE §5.3), each with `-limit`, `-remaining` and `-reset`. */
const PREFIXES = {
  window: 'x-rate-limit',
  user24h: 'x-user-limit-24hour',
  app24h: 'x-app-limit-24hour',
} as const satisfies Record<keyof RateLimitInfo, string>;

/**
 * Every rate limit a response states, or undefined when it states none. A window is kept only when
 * all three headers are present and numeric: half a window would make the client wait on a guess.
 */
export function parseRateLimitHeaders(headers: Headers): RateLimitInfo | undefined {
  const info: RateLimitInfo = {};
  for (const [key, prefix] of Object.entries(PREFIXES) as Array<[keyof RateLimitInfo, string]>) {
    const window = parseWindow(headers, prefix);
    if (window) info[key] = window;
  }
  return Object.keys(info).length > 0 ? info : undefined;
}

function parseWindow(headers: Headers, prefix: string): RateLimitWindow | undefined {
  const limit = integer(headers.get(`${prefix}-limit`));
  const remaining = integer(headers.get(`${prefix}-remaining`));
  const reset = integer(headers.get(`${prefix}-reset`));
  if (limit === undefined || remaining === undefined || reset === undefined) return undefined;
  // X sends epoch seconds; state and clocks use milliseconds.
  return { limit, remaining, resetAt: reset * 1000 };
}

function integer(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number.parseInt(value, 10);
}

/**
 * `retry-after` in milliseconds (delta seconds or an HTTP date), relative to `now`. X rarely sends it;
 * proxies in front of it do.
 */
export function parseRetryAfter(headers: Headers, now: number): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number.parseInt(value, 10) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
