import type { Clock } from '../../clock.js';
import { errorFromResponse } from '../../errors/error-from-response.js';
import { XUnknownOutcomeError } from '../../errors/x-unknown-outcome-error.js';
import { isReplayable } from '../../request/replayable.js';
import type { RequestPlugin, XRawResponse } from '../../request/types.js';
import { parseRetryAfter } from '../rate-limit/parse-headers.js';
import { isXError, outcomeIsUnknown, retryDelay, shouldRetry } from './policy.js';

export type { DelayState, RetryState } from './policy.js';
export { isRetryableStatus, outcomeIsUnknown, retryDelay, shouldRetry } from './policy.js';

export interface RetryOptions {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  clock: Clock;
  random: () => number;
  /** Called before each wait; for logs and tests. */
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  endpoint: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  error?: unknown;
  status?: number;
}

/**
 * Resends failed attempts as `policy.ts` decides, waiting on the injected clock (abortable by the
 * request's signal). A non-idempotent request whose result became unknown is turned into
 * `XUnknownOutcomeError` here, the one place that knows it will not be sent again.
 */
export function retryPlugin(options: RetryOptions): RequestPlugin {
  return (next) => async (request) => {
    const idempotent = request.idempotent;
    const maxRetries = isReplayable(request) ? options.maxRetries : 0;
    for (let attempt = 0; ; attempt++) {
      let response: XRawResponse | undefined;
      let error: unknown;
      try {
        response = await next(request);
      } catch (thrown) {
        if (!isXError(thrown)) throw thrown;
        error = thrown;
      }
      const status = response?.status;
      const state = { attempt, maxRetries, idempotent, error, status };
      if (!shouldRetry(state)) {
        if (error !== undefined) {
          if (outcomeIsUnknown(state) && isXError(error)) throw XUnknownOutcomeError.from(error);
          throw error;
        }
        if (response && outcomeIsUnknown(state)) {
          throw XUnknownOutcomeError.from(errorFromResponse(response, undefined, options.clock.now()));
        }
        return response!;
      }
      const retryAfterMs = response ? parseRetryAfter(response.headers, options.clock.now()) : undefined;
      const delayMs = retryDelay({
        attempt,
        baseDelayMs: options.baseDelayMs,
        maxDelayMs: options.maxDelayMs,
        random: options.random,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
      options.onRetry?.({ endpoint: request.endpoint, retry: attempt + 1, delayMs, error, status });
      await options.clock.sleep(delayMs, request.signal);
    }
  };
}
