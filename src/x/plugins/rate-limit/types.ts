/**
 * Rate-limit data as X sends it in headers (REFERENCE §5.3). Times are epoch milliseconds so they
 * compare with `Clock.now()` directly; X's headers carry epoch seconds.
 */
export interface RateLimitWindow {
  limit: number;
  remaining: number;
  /** When the window resets, epoch milliseconds. */
  resetAt: number;
}

/** Every limit one response told us about. Any part may be missing: X sends only what applies. */
export interface RateLimitInfo {
  /** `x-rate-limit-*`: the endpoint's shortest window (15 minutes on most endpoints). */
  window?: RateLimitWindow;
  /** `x-user-limit-24hour-*`: the user's daily cap, where one applies. */
  user24h?: RateLimitWindow;
  /** `x-app-limit-24hour-*`: the app's daily cap, where one applies. */
  app24h?: RateLimitWindow;
}

/** Which of the limits in `RateLimitInfo` stopped a request. */
export type RateLimitKind = keyof RateLimitInfo;
