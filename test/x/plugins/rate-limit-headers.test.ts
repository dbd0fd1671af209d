import { describe, expect, it } from 'vitest';
import { blockingLimit, limitBehind429 } from '../../../src/x/plugins/rate-limit/exhausted.js';
import { parseRateLimitHeaders, parseRetryAfter } from '../../../src/x/plugins/rate-limit/parse-headers.js';
import { RateLimitState } from '../../../src/x/plugins/rate-limit/state.js';

const h = (entries: Record<string, string>) => new Headers(entries);

describe('parseRateLimitHeaders', () => {
  it.each([
    ['no headers', {}, undefined],
    [
      'the endpoint window',
      { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '99', 'x-rate-limit-reset': '1767225600' },
      { window: { limit: 100, remaining: 99, resetAt: 1_767_225_600_000 } },
    ],
    [
      'all three families',
      {
        'x-rate-limit-limit': '100',
        'x-rate-limit-remaining': '0',
        'x-rate-limit-reset': '1000',
        'x-user-limit-24hour-limit': '17',
        'x-user-limit-24hour-remaining': '3',
        'x-user-limit-24hour-reset': '2000',
        'x-app-limit-24hour-limit': '10000',
        'x-app-limit-24hour-remaining': '9999',
        'x-app-limit-24hour-reset': '3000',
      },
      {
        window: { limit: 100, remaining: 0, resetAt: 1_000_000 },
        user24h: { limit: 17, remaining: 3, resetAt: 2_000_000 },
        app24h: { limit: 10_000, remaining: 9_999, resetAt: 3_000_000 },
      },
    ],
    [
      'only a 24-hour family',
      {
        'x-app-limit-24hour-limit': '5',
        'x-app-limit-24hour-remaining': '1',
        'x-app-limit-24hour-reset': '7',
      },
      { app24h: { limit: 5, remaining: 1, resetAt: 7_000 } },
    ],
    [
      'an incomplete window is ignored',
      { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '9' },
      undefined,
    ],
    [
      'a non-numeric value is ignored',
      { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': 'lots', 'x-rate-limit-reset': '1' },
      undefined,
    ],
  ])('%s', (_name, headers, expected) => {
    expect(parseRateLimitHeaders(h(headers))).toEqual(expected);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    [{}, undefined],
    [{ 'retry-after': '120' }, 120_000],
    [{ 'retry-after': 'Thu, 01 Jan 1970 00:00:10 GMT' }, 5_000],
    [{ 'retry-after': 'soon' }, undefined],
  ])('%j → %s', (headers, expected) => {
    expect(parseRetryAfter(h(headers as Record<string, string>), 5_000)).toBe(expected);
  });
});

describe('blockingLimit', () => {
  const now = 1_000;
  const w = (remaining: number, resetAt: number) => ({ limit: 10, remaining, resetAt });
  it.each([
    ['nothing known', undefined, undefined],
    ['remaining left everywhere', { window: w(1, 5_000), user24h: w(3, 90_000) }, undefined],
    ['the window spent', { window: w(0, 5_000), user24h: w(3, 90_000) }, { kind: 'window', resetAt: 5_000 }],
    [
      'the 24-hour cap spent wins over a sooner window reset',
      { window: w(0, 5_000), user24h: w(0, 90_000) },
      { kind: 'user24h', resetAt: 90_000 },
    ],
    ['the app cap spent', { window: w(4, 5_000), app24h: w(0, 80_000) }, { kind: 'app24h', resetAt: 80_000 }],
    ['a spent window already reset', { window: w(0, 900) }, undefined],
  ])('%s', (_name, info, expected) => {
    expect(blockingLimit(info, now)).toEqual(expected);
  });

  it('a 429 read after its reset names the spent limit, not nothing: the wait is (nearly) none', () => {
    expect(limitBehind429({ window: w(0, 900) }, now)).toEqual({ kind: 'window', resetAt: 900 });
    expect(limitBehind429({ window: w(0, 900), user24h: w(0, 950) }, now)).toEqual({
      kind: 'user24h',
      resetAt: 950,
    });
    // A limit still blocking wins over one that has passed.
    expect(limitBehind429({ window: w(0, 900), app24h: w(0, 80_000) }, now)).toEqual({
      kind: 'app24h',
      resetAt: 80_000,
    });
  });

  it('a 429 with remaining left still names the endpoint window', () => {
    expect(limitBehind429({ window: w(5, 4_000) }, now)).toEqual({ kind: 'window', resetAt: 4_000 });
    expect(limitBehind429(undefined, now)).toBeUndefined();
  });
});

describe('RateLimitState', () => {
  it('keeps the newest limits per subject and endpoint', () => {
    const state = new RateLimitState(() => 'alice');
    const info = (remaining: number) => ({ window: { limit: 10, remaining, resetAt: 9 } });
    state.record('alice', 'POST /2/tweets', info(5), 100);
    state.record('alice', 'POST /2/tweets', info(6), 50); // older response arriving late
    state.record('bob', 'POST /2/tweets', info(1), 100);
    expect(state.get('POST /2/tweets')?.window?.remaining).toBe(5);
    expect(state.get('POST /2/tweets', 'bob')?.window?.remaining).toBe(1);
    expect(state.get('GET /2/users/me')).toBeUndefined();
    expect(state.all().map((e) => `${e.subject} ${e.endpoint}`)).toEqual([
      'alice POST /2/tweets',
      'bob POST /2/tweets',
    ]);
  });
});
