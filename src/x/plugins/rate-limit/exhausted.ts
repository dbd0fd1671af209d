import type { RateLimitInfo, RateLimitKind } from './types.js';

export interface BlockingLimit {
  kind: RateLimitKind;
  /** Epoch ms when the blocking limit resets. */
  resetAt: number;
}

/**
 * Which limit stops the next request and until when. Every exhausted window must have reset before a
 * request can pass, so the answer is the latest reset among windows with `remaining` 0: a spent
 * 24-hour cap wins over a 15-minute window that resets sooner (REFERENCE §5.3). Windows whose reset
 * is already past (at `now`) no longer block.
 */
export function blockingLimit(info: RateLimitInfo | undefined, now: number): BlockingLimit | undefined {
  let blocking: BlockingLimit | undefined;
  for (const kind of ['window', 'user24h', 'app24h'] as const) {
    const window = info?.[kind];
    if (!window || window.remaining > 0 || window.resetAt <= now) continue;
    if (!blocking || window.resetAt > blocking.resetAt) blocking = { kind, resetAt: window.resetAt };
  }
  return blocking;
}

/**
 * The limit to name in a 429: the blocking one, else the endpoint window (X may answer 429 for a
 * limit it does not advertise, such as the 300 posts per 3 hours of REFERENCE §6.1).
 */
export function limitBehind429(info: RateLimitInfo | undefined, now: number): BlockingLimit | undefined {
  const blocking = blockingLimit(info, now);
  if (blocking) return blocking;
  if (info?.window && info.window.resetAt > now) return { kind: 'window', resetAt: info.window.resetAt };
  return undefined;
}
