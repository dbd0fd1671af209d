import { packageVersion } from '../package-version.js';
import type { AuthProvider } from './auth/types.js';
import { type Clock, systemClock } from './clock.js';
import { DEFAULT_MAX_WEIGHTED_LENGTH } from './endpoints/validate-post.js';
import type { OnRateLimit } from './plugins/rate-limit/wait.js';
import { DEFAULT_TIMEOUT_MS } from './request/transport.js';

export const DEFAULT_API_BASE = 'https://api.x.com';
export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_RETRY_BASE_DELAY_MS = 500;
export const DEFAULT_RETRY_MAX_DELAY_MS = 10_000;
/**
 * 'wait' by default: scripts and the CLI want the post to go out, and most windows are 15 minutes
 * (REFERENCE §6.1), so a bounded wait is what a person would do. Services that schedule their own
 * retries pass 'throw'.
 */
export const DEFAULT_ON_RATE_LIMIT: OnRateLimit = 'wait';
/** One full 15-minute window plus a minute of slack; a spent 24-hour cap throws instead. */
export const DEFAULT_MAX_RATE_LIMIT_WAIT_MS = 16 * 60_000;

/** What `new XClient(options)` accepts. Every option is documented in README and docs/. */
export interface XClientOptions {
  /** Credentials for user-context requests (`staticBearer`, OAuth 2.0 or OAuth 1.0a providers). */
  auth?: AuthProvider;
  /** Default `https://api.x.com`; point it at the emulator in tests. */
  apiBase?: string;
  fetch?: typeof fetch;
  /** Per-attempt timeout, default 30 s. */
  timeoutMs?: number;
  /** Resends after the first attempt, default 3. */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** On 429: wait for the reset (default) or throw `XRateLimitError`. */
  onRateLimit?: OnRateLimit;
  /** Longest rate-limit wait before throwing instead, default 16 minutes. */
  maxRateLimitWaitMs?: number;
  /** Wait (or throw) before sending when the recorded limit is already spent; default true. */
  rateLimitPreflight?: boolean;
  clock?: Clock;
  /** A number in [0, 1) for retry jitter; default `Math.random`. */
  random?: () => number;
  /** Default `xpost/<version>`. */
  userAgent?: string;
  /**
   * The account's weighted-length limit, checked before a post is sent: 280 (default), or 25,000
   * for an X Premium account (REFERENCE §7).
   */
  maxWeightedLength?: number;
}

/** The options after `normalizeOptions`: every field set and checked. */
export interface XClientSettings {
  readonly auth: AuthProvider | undefined;
  readonly apiBase: string;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly onRateLimit: OnRateLimit;
  readonly maxRateLimitWaitMs: number;
  readonly rateLimitPreflight: boolean;
  readonly clock: Clock;
  readonly random: () => number;
  readonly userAgent: string;
  readonly maxWeightedLength: number;
}

const KNOWN_KEYS: ReadonlySet<string> = new Set<keyof XClientOptions>([
  'auth',
  'apiBase',
  'fetch',
  'timeoutMs',
  'maxRetries',
  'retryBaseDelayMs',
  'retryMaxDelayMs',
  'onRateLimit',
  'maxRateLimitWaitMs',
  'rateLimitPreflight',
  'clock',
  'random',
  'userAgent',
  'maxWeightedLength',
]);

/** Defaults filled in and every value checked once, with errors that say the fix (ky, stripe-node). */
export function normalizeOptions(options: XClientOptions = {}): XClientSettings {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      'new XClient(options): options must be an object, e.g. { auth: staticBearer(token) }',
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new TypeError(
        `new XClient(options): unknown option "${key}"; known options: ${[...KNOWN_KEYS].join(', ')}`,
      );
    }
  }
  const o = options;
  if (o.auth !== undefined) {
    const a = o.auth as Partial<AuthProvider>;
    if (
      typeof a !== 'object' ||
      a === null ||
      typeof a.authorize !== 'function' ||
      typeof a.subject !== 'function'
    ) {
      throw new TypeError(
        'auth must be an auth provider such as staticBearer(token), oauth2UserAuth(…) or oauth1UserAuth(…)',
      );
    }
  }
  const settings: XClientSettings = {
    auth: o.auth,
    apiBase: apiBase(o.apiBase ?? DEFAULT_API_BASE),
    fetch: fn('fetch', o.fetch, globalThis.fetch, 'a fetch implementation such as globalThis.fetch'),
    timeoutMs: count('timeoutMs', o.timeoutMs, DEFAULT_TIMEOUT_MS, 1),
    maxRetries: count('maxRetries', o.maxRetries, DEFAULT_MAX_RETRIES, 0),
    retryBaseDelayMs: count('retryBaseDelayMs', o.retryBaseDelayMs, DEFAULT_RETRY_BASE_DELAY_MS, 0),
    retryMaxDelayMs: count('retryMaxDelayMs', o.retryMaxDelayMs, DEFAULT_RETRY_MAX_DELAY_MS, 0),
    onRateLimit: onRateLimit(o.onRateLimit ?? DEFAULT_ON_RATE_LIMIT),
    maxRateLimitWaitMs: count('maxRateLimitWaitMs', o.maxRateLimitWaitMs, DEFAULT_MAX_RATE_LIMIT_WAIT_MS, 0),
    rateLimitPreflight: bool('rateLimitPreflight', o.rateLimitPreflight, true),
    clock: clock(o.clock ?? systemClock),
    random: fn('random', o.random, Math.random, 'a function returning a number in [0, 1)'),
    userAgent: userAgent(o.userAgent ?? `xpost/${packageVersion()}`),
    maxWeightedLength: count('maxWeightedLength', o.maxWeightedLength, DEFAULT_MAX_WEIGHTED_LENGTH, 1),
  };
  if (settings.retryMaxDelayMs < settings.retryBaseDelayMs) {
    throw new TypeError(
      `retryMaxDelayMs (${settings.retryMaxDelayMs}) must be at least retryBaseDelayMs (${settings.retryBaseDelayMs})`,
    );
  }
  return Object.freeze(settings);
}

function apiBase(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new TypeError(
      `apiBase must be an absolute http(s) URL, e.g. https://api.x.com (got ${JSON.stringify(value)})`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

function count(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(
      `${name} must be a finite number ≥ ${min} (got ${String(value)}); omit it for ${fallback}`,
    );
  }
  return value;
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be true or false (got ${String(value)})`);
  return value;
}

function fn<F>(name: string, value: F | undefined, fallback: F, what: string): F {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw new TypeError(`${name} must be ${what}`);
  return value;
}

function onRateLimit(value: unknown): OnRateLimit {
  if (value !== 'wait' && value !== 'throw') {
    throw new TypeError(`onRateLimit must be 'wait' or 'throw' (got ${JSON.stringify(value)})`);
  }
  return value;
}

function clock(value: unknown): Clock {
  const c = value as Partial<Clock> | null;
  if (typeof c !== 'object' || c === null || typeof c.now !== 'function' || typeof c.sleep !== 'function') {
    throw new TypeError(
      'clock must have now(): number and sleep(ms, signal): Promise<void>, like systemClock',
    );
  }
  return c as Clock;
}

function userAgent(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || /[\r\n]/.test(value)) {
    throw new TypeError('userAgent must be a non-empty single-line string, e.g. "my-app/1.0 xpost"');
  }
  return value;
}
