import { XError } from '../../errors/x-error.js';
import { XNetworkError } from '../../errors/x-network-error.js';
import { XTimeoutError } from '../../errors/x-timeout-error.js';

/**
 * When to send a request again, as pure functions (stripe-node's `_shouldRetry`, octokit's
 * plugin-retry), so the whole table is tested without HTTP. See docs/errors.md for the table.
 *
 * - Provably never sent (connection refused, DNS, connect timeout): retried, idempotent or not.
 * - Idempotent requests: also network errors after sending, timeouts, 408 and 5xx.
 * - Non-idempotent requests (`POST /2/tweets`): nothing else. A reset after sending, a timeout or a
 *   5xx may come after X created the post (X has answered 503 for posts that exist), so the outcome
 *   is unknown and the caller must reconcile (`outcomeIsUnknown`).
 * - 429 is not retried here: the rate-limit plugin knows when the window resets and waits for that
 *   (or throws, as the caller chose); exponential backoff would only spend the window again.
 */
export interface RetryState {
  /** Retries already made (0 after the first attempt failed). */
  attempt: number;
  maxRetries: number;
  idempotent: boolean;
  /** The error the attempt threw, if it threw. */
  error?: unknown;
  /** The status it answered, if it answered. */
  status?: number;
  /** Overrides what `error` says about whether the request left this machine. */
  neverSent?: boolean;
}

/** Statuses an idempotent request may be resent after (REFERENCE §5: 5xx bodies are transient). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

function neverSent(state: Pick<RetryState, 'error' | 'neverSent'>): boolean {
  return state.neverSent ?? (state.error instanceof XNetworkError && state.error.neverSent);
}

function isTransportFailure(error: unknown): boolean {
  return error instanceof XNetworkError || error instanceof XTimeoutError;
}

export function shouldRetry(state: RetryState): boolean {
  if (state.attempt >= state.maxRetries) return false;
  if (state.error !== undefined) {
    if (!isTransportFailure(state.error)) return false;
    return neverSent(state) || state.idempotent;
  }
  if (state.status === undefined) return false;
  return state.idempotent && isRetryableStatus(state.status);
}

/**
 * Whether a failure that will not be retried leaves the request's effect unknown: a non-idempotent
 * request that may have reached X and got no clear answer (or a 5xx).
 */
export function outcomeIsUnknown(state: Omit<RetryState, 'attempt' | 'maxRetries'>): boolean {
  if (state.idempotent) return false;
  if (state.error !== undefined) {
    return isTransportFailure(state.error) && !neverSent(state);
  }
  return state.status !== undefined && state.status >= 500;
}

export interface DelayState {
  /** Retries already made: the first retry waits with `attempt` 0. */
  attempt: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A number in [0, 1): `Math.random` or an injected one. */
  random: () => number;
  /** What the server asked for (`retry-after`); honoured up to `maxDelayMs`. */
  retryAfterMs?: number;
}

/**
 * Capped exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And
 * Jitter"): uniform in [0, min(max, base·2^attempt)), so many clients that failed together do not
 * retry together. A `retry-after` is a floor.
 */
export function retryDelay(state: DelayState): number {
  const ceiling = Math.min(state.maxDelayMs, state.baseDelayMs * 2 ** state.attempt);
  const jittered = Math.floor(state.random() * ceiling);
  return Math.min(state.maxDelayMs, Math.max(jittered, state.retryAfterMs ?? 0));
}

/** Whether `error` is one of ours (an abort reason or a bug is rethrown as it is). */
export function isXError(error: unknown): error is XError {
  return error instanceof XError;
}
