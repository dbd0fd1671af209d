import { describe, expect, it } from 'vitest';
import { XApiError } from '../../../src/x/errors/x-api-error.js';
import { XNetworkError } from '../../../src/x/errors/x-network-error.js';
import { XTimeoutError } from '../../../src/x/errors/x-timeout-error.js';
import { outcomeIsUnknown, retryDelay, shouldRetry } from '../../../src/x/plugins/retry/policy.js';

const refused = new XNetworkError('refused', { neverSent: true, code: 'ECONNREFUSED' });
const reset = new XNetworkError('reset', { neverSent: false, code: 'ECONNRESET' });
const timeout = new XTimeoutError('slow', { timeoutMs: 10 });
const apiError = new XApiError('bad', { status: 400 });
const abort = new DOMException('aborted', 'AbortError');

type Row = [string, { error?: unknown; status?: number }, boolean, boolean, boolean];

// what happened · idempotent retries? · non-idempotent retries? · non-idempotent outcome unknown?
const table: Row[] = [
  ['connection refused', { error: refused }, true, true, false],
  ['reset after sending', { error: reset }, true, false, true],
  ['timeout', { error: timeout }, true, false, true],
  ['408', { status: 408 }, true, false, false],
  ['429 (the rate-limit plugin waits instead)', { status: 429 }, false, false, false],
  ['500', { status: 500 }, true, false, true],
  ['502', { status: 502 }, true, false, true],
  ['503', { status: 503 }, true, false, true],
  ['504', { status: 504 }, true, false, true],
  ['501 not implemented', { status: 501 }, false, false, true],
  ['400', { status: 400 }, false, false, false],
  ['401', { status: 401 }, false, false, false],
  ['403', { status: 403 }, false, false, false],
  ['404', { status: 404 }, false, false, false],
  ['an XApiError thrown', { error: apiError }, false, false, false],
  ["the caller's abort", { error: abort }, false, false, false],
  ['200', { status: 200 }, false, false, false],
];

describe('shouldRetry and outcomeIsUnknown', () => {
  it.each(table)('%s', (_name, what, idempotentRetries, writeRetries, writeUnknown) => {
    expect(shouldRetry({ attempt: 0, maxRetries: 3, idempotent: true, ...what })).toBe(idempotentRetries);
    expect(shouldRetry({ attempt: 0, maxRetries: 3, idempotent: false, ...what })).toBe(writeRetries);
    expect(outcomeIsUnknown({ idempotent: false, ...what })).toBe(writeUnknown);
    expect(outcomeIsUnknown({ idempotent: true, ...what })).toBe(false);
  });

  it('stops after maxRetries', () => {
    expect(shouldRetry({ attempt: 2, maxRetries: 3, idempotent: true, status: 503 })).toBe(true);
    expect(shouldRetry({ attempt: 3, maxRetries: 3, idempotent: true, status: 503 })).toBe(false);
    expect(shouldRetry({ attempt: 0, maxRetries: 0, idempotent: false, error: refused })).toBe(false);
  });

  it('an explicit neverSent overrides what the error says', () => {
    expect(shouldRetry({ attempt: 0, maxRetries: 3, idempotent: false, error: reset, neverSent: true })).toBe(
      true,
    );
    expect(outcomeIsUnknown({ idempotent: false, error: refused, neverSent: false })).toBe(true);
  });
});

describe('retryDelay', () => {
  const base = { baseDelayMs: 500, maxDelayMs: 10_000 };
  it.each([
    // attempt, random, expected
    [0, 0.999, 499],
    [1, 0.5, 500],
    [2, 0.999, 1_998],
    [3, 0.25, 1_000],
    [10, 0.5, 5_000], // 500·2^10 capped at 10 s, then jittered
    [10, 0, 0], // full jitter may retry at once
  ])('attempt %d with random %d waits %d ms', (attempt, random, expected) => {
    expect(retryDelay({ ...base, attempt, random: () => random })).toBe(expected);
  });

  it('honours retry-after as a floor, capped at maxDelayMs', () => {
    expect(retryDelay({ ...base, attempt: 0, random: () => 0, retryAfterMs: 3_000 })).toBe(3_000);
    expect(retryDelay({ ...base, attempt: 0, random: () => 0, retryAfterMs: 60_000 })).toBe(10_000);
  });

  it('never exceeds maxDelayMs for any random value', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const delay = retryDelay({ ...base, attempt, random: () => 0.9999999 });
      expect(delay).toBeLessThanOrEqual(10_000);
      expect(delay).toBeGreaterThanOrEqual(0);
    }
  });
});
