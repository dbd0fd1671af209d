import type { RateLimitInfo, RateLimitKind } from './types.js';

export interface BlockingLimit {
  kind: RateLimitKind;
  /** Epoch ms when the blocking limit resets. */
  resetAt: number;
}

/** The spent window (`remaining` 0) that resets last, whether or not that reset has passed. */
function latestSpent(info: RateLimitInfo | undefined): BlockingLimit | undefined {
  let latest: BlockingLimit | undefined;
  for (const kind of ['window', 'user24h', 'app24h'] as const) {
    const window = info?.[kind];
    if (!window || window.remaining > 0) continue;
    if (!latest || window.resetAt > latest.resetAt) latest = { kind, resetAt: window.resetAt };
  }
  return latest;
}

/**
 * Which limit stops the next request and until when. Every exhausted window must have reset before a
 * request can pass, so the answer is the latest reset among windows with `remaining` 0: a spent
 * 24-hour cap wins over a 15-minute window that resets sooner (REFERENCE §5.3). Windows whose reset
 * is already past (at `now`) no longer block.
 */
export function blockingLimit(info: RateLimitInfo | undefined, now: number): BlockingLimit | undefined {
  const latest = latestSpent(info);
  return latest && latest.resetAt > now ? latest : undefined;
}

/**
 * The limit to name in a 429: the spent one that resets last, even when that reset has already
 * passed; else the endpoint window (X may answer 429 for a limit it does not advertise, such as the
 * 300 posts per 3 hours of REFERENCE §6.1).
 *
 * A reset already past is still X's answer: its resets are whole seconds, so a 429 in the last moment
 * of a window, or one read late by a busy process, names a second that has gone by. The wait is then
 * (nearly) none. Dropping it would leave callers to assume the worst, a whole 15-minute window.
 */
export function limitBehind429(info: RateLimitInfo | undefined, now: number): BlockingLimit | undefined {
  const spent = latestSpent(info);
  if (spent) return spent;
  if (info?.window && info.window.resetAt > now) return { kind: 'window', resetAt: info.window.resetAt };
  return undefined;
}
