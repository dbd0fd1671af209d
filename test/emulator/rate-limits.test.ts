import { describe, expect, it } from 'vitest';
import { RateLimiter, rateLimitTable } from '../../src/emulator/rate-limits.js';

const MIN15 = 900_000;
const DAY = 86_400_000;
const subject = { userId: 'u1', appId: 'a1' };

describe('rate-limit table', () => {
  it('carries the documented pay-per-use limits (REFERENCE §4.4, §6.1)', () => {
    const table = rateLimitTable();
    expect(table['POST /2/tweets']).toEqual([
      { scope: 'user', windowSecs: 900, limit: 100 },
      { scope: 'app', windowSecs: 86_400, limit: 10_000 },
    ]);
    expect(table['DELETE /2/tweets/:id']).toEqual([{ scope: 'user', windowSecs: 900, limit: 50 }]);
    expect(table['GET /2/users/me']).toEqual([{ scope: 'user', windowSecs: 900, limit: 75 }]);
    expect(table['POST /2/media/upload/:id/append']).toEqual([
      { scope: 'user', windowSecs: 900, limit: 1875 },
      { scope: 'app', windowSecs: 86_400, limit: 180_000 },
    ]);
  });

  it('has the legacy free tier with its daily caps', () => {
    expect(rateLimitTable('free')['POST /2/tweets']).toEqual([
      { scope: 'user', windowSecs: 86_400, limit: 17 },
      { scope: 'app', windowSecs: 86_400, limit: 17 },
    ]);
  });
});

describe('RateLimiter', () => {
  it('counts down x-rate-limit-remaining and sends the 24-hour app headers where a daily cap applies', () => {
    const limiter = new RateLimiter();
    const first = limiter.consume('POST /2/tweets', subject, 0)!;
    expect(first.allowed).toBe(true);
    expect(first.headers).toEqual({
      'x-rate-limit-limit': '100',
      'x-rate-limit-remaining': '99',
      'x-rate-limit-reset': '900',
      'x-app-limit-24hour-limit': '10000',
      'x-app-limit-24hour-remaining': '9999',
      'x-app-limit-24hour-reset': '86400',
    });
    const second = limiter.consume('POST /2/tweets', subject, 1_000)!;
    expect(second.headers['x-rate-limit-remaining']).toBe('98');
    expect(second.headers['x-rate-limit-reset']).toBe('900');
  });

  it('says no once a window is spent, without counting the refused request, and opens a new window at reset', () => {
    const limiter = new RateLimiter('pay-per-use', {
      'GET /2/users/me': [{ scope: 'user', windowSecs: 900, limit: 2 }],
    });
    expect(limiter.consume('GET /2/users/me', subject, 0)!.allowed).toBe(true);
    expect(limiter.consume('GET /2/users/me', subject, 10)!.allowed).toBe(true);
    const refused = limiter.consume('GET /2/users/me', subject, 20)!;
    expect(refused.allowed).toBe(false);
    expect(refused.headers['x-rate-limit-remaining']).toBe('0');
    expect(limiter.consume('GET /2/users/me', subject, MIN15 - 1)!.allowed).toBe(false);
    const fresh = limiter.consume('GET /2/users/me', subject, MIN15)!;
    expect(fresh.allowed).toBe(true);
    expect(fresh.headers['x-rate-limit-remaining']).toBe('1');
  });

  it('keeps users apart but shares the app-wide budget', () => {
    const limiter = new RateLimiter('pay-per-use', {
      'POST /2/tweets': [
        { scope: 'user', windowSecs: 900, limit: 1 },
        { scope: 'app', windowSecs: 86_400, limit: 2 },
      ],
    });
    expect(limiter.consume('POST /2/tweets', { userId: 'u1', appId: 'a' }, 0)!.allowed).toBe(true);
    expect(limiter.consume('POST /2/tweets', { userId: 'u1', appId: 'a' }, 0)!.allowed).toBe(false);
    expect(limiter.consume('POST /2/tweets', { userId: 'u2', appId: 'a' }, 0)!.allowed).toBe(true);
    const third = limiter.consume('POST /2/tweets', { userId: 'u3', appId: 'a' }, 0)!;
    expect(third.allowed).toBe(false);
    expect(third.headers['x-app-limit-24hour-remaining']).toBe('0');
    // Another app has its own budget.
    expect(limiter.consume('POST /2/tweets', { userId: 'u3', appId: 'b' }, 0)!.allowed).toBe(true);
    // The daily window outlives the 15-minute one.
    expect(limiter.consume('POST /2/tweets', { userId: 'u4', appId: 'a' }, MIN15)!.allowed).toBe(false);
    expect(limiter.consume('POST /2/tweets', { userId: 'u4', appId: 'a' }, DAY)!.allowed).toBe(true);
  });

  it('sends x-user-limit-24hour-* for a per-user daily cap (free tier)', () => {
    const limiter = new RateLimiter('free');
    const decision = limiter.consume('POST /2/tweets', subject, 0)!;
    expect(decision.headers).toMatchObject({
      'x-rate-limit-limit': '17',
      'x-user-limit-24hour-limit': '17',
      'x-user-limit-24hour-remaining': '16',
      'x-app-limit-24hour-limit': '17',
    });
  });

  it('has nothing to say about endpoints without limits', () => {
    expect(new RateLimiter().consume('POST /2/oauth2/token', subject, 0)).toBeNull();
  });

  it('rejects a malformed override with a message that says the expected shape', () => {
    const limiter = new RateLimiter();
    expect(() => limiter.set('POST /2/tweets', [{ scope: 'user', windowSecs: 0, limit: 1 }])).toThrow(
      /windowSecs: positive integer/,
    );
  });
});
