import type { Clock } from '../../clock.js';
import { XRateLimitError } from '../../errors/x-rate-limit-error.js';
import type { RequestPlugin, XRequest } from '../../request/types.js';
import { type BlockingLimit, blockingLimit, limitBehind429 } from './exhausted.js';
import { parseRateLimitHeaders, parseRetryAfter } from './parse-headers.js';
import type { RateLimitState } from './state.js';

export type OnRateLimit = 'wait' | 'throw';

/** X's reset is whole epoch seconds on X's clock; waiting a second longer avoids a 429 on the edge. */
export const RESET_MARGIN_MS = 1_000;
/** A window spent again by someone else while we waited: give up after this many waits. */
export const MAX_RATE_LIMIT_WAITS = 3;

export interface RateLimitWaitOptions {
  state: RateLimitState;
  clock: Clock;
  subjectOf: (request: XRequest) => string;
  onRateLimit: OnRateLimit;
  maxWaitMs: number;
  /** Check the recorded state before sending: a spent limit is waited for (or thrown) without a request. */
  preflight: boolean;
}

/**
 * The outermost plugin: it owns 429s. With `wait` it sleeps on the injected clock until the limit
 * that stopped the request resets (the 24-hour cap when that is what is spent, REFERENCE §5.3), then
 * sends again; a 429 means X did not act, so this is safe for `POST /2/tweets` too. Waits longer than
 * `maxWaitMs`, or `throw`, hand the 429 back at once (the client turns it into `XRateLimitError`).
 * Waits end early when the request's signal aborts.
 */
export function rateLimitWaitPlugin(options: RateLimitWaitOptions): RequestPlugin {
  return (next) => async (request) => {
    const mode = request.onRateLimit ?? options.onRateLimit;
    const maxWaitMs = request.maxRateLimitWaitMs ?? options.maxWaitMs;
    const { clock } = options;

    if (options.preflight) {
      const info = options.state.get(request.endpoint, options.subjectOf(request));
      const blocking = blockingLimit(info, clock.now());
      if (blocking) {
        const waitMs = blocking.resetAt - clock.now() + RESET_MARGIN_MS;
        if (mode === 'throw' || waitMs > maxWaitMs)
          throw spentBeforeSending(request, blocking, info, maxWaitMs);
        await clock.sleep(waitMs, request.signal);
      }
    }

    for (let waits = 0; ; waits++) {
      const response = await next(request);
      if (response.status !== 429 || mode === 'throw' || waits >= MAX_RATE_LIMIT_WAITS) return response;
      const now = clock.now();
      const blocking = limitBehind429(parseRateLimitHeaders(response.headers), now);
      // A reset already past (read late, or the window's last second) waits the margin only.
      const waitMs = blocking
        ? Math.max(blocking.resetAt - now, 0) + RESET_MARGIN_MS
        : parseRetryAfter(response.headers, now);
      if (waitMs === undefined || waitMs > maxWaitMs) return response;
      await clock.sleep(waitMs, request.signal);
    }
  };
}

function spentBeforeSending(
  request: XRequest,
  blocking: BlockingLimit,
  info: Parameters<typeof blockingLimit>[0],
  maxWaitMs: number,
): XRateLimitError {
  const resets = new Date(blocking.resetAt).toISOString();
  return new XRateLimitError(
    `${request.endpoint} not sent: its ${blocking.kind} rate limit is spent until ${resets} (max wait ${maxWaitMs} ms); wait until then, or pass onRateLimit: 'wait' with a larger maxRateLimitWaitMs`,
    { request, rateLimit: info, resetAt: blocking.resetAt, limit: blocking.kind },
  );
}
