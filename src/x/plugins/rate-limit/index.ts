export { type BlockingLimit, blockingLimit, limitBehind429 } from './exhausted.js';
export { parseRateLimitHeaders, parseRetryAfter } from './parse-headers.js';
export { type RecordOptions, recordRateLimitsPlugin } from './record.js';
export { type RateLimitEntry, type RateLimitReader, RateLimitState } from './state.js';
export type { RateLimitInfo, RateLimitKind, RateLimitWindow } from './types.js';
export {
  MAX_RATE_LIMIT_WAITS,
  type OnRateLimit,
  type RateLimitWaitOptions,
  RESET_MARGIN_MS,
  rateLimitWaitPlugin,
} from './wait.js';
