import type { Clock } from '../../clock.js';
import type { RequestPlugin, XRequest } from '../../request/types.js';
import { parseRateLimitHeaders } from './parse-headers.js';
import type { RateLimitState } from './state.js';

export interface RecordOptions {
  state: RateLimitState;
  clock: Clock;
  subjectOf: (request: XRequest) => string;
}

/**
 * Keeps the limits of every response, the ones retries and the 401 resend consume included: it sits
 * right above the transport, so the state sees each answer X gave.
 */
export function recordRateLimitsPlugin(options: RecordOptions): RequestPlugin {
  return (next) => async (request) => {
    const response = await next(request);
    const info = parseRateLimitHeaders(response.headers);
    if (info) options.state.record(options.subjectOf(request), request.endpoint, info, options.clock.now());
    return response;
  };
}
