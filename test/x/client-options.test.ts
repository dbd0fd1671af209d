import { describe, expect, it } from 'vitest';
import { XClient } from '../../src/x/client.js';
import { systemClock } from '../../src/x/clock.js';
import { normalizeOptions } from '../../src/x/options.js';

describe('client options', () => {
  it('fills every default', () => {
    const settings = normalizeOptions();
    expect(settings).toMatchObject({
      auth: undefined,
      apiBase: 'https://api.x.com',
      timeoutMs: 30_000,
      maxRetries: 3,
      retryBaseDelayMs: 500,
      retryMaxDelayMs: 10_000,
      onRateLimit: 'wait',
      maxRateLimitWaitMs: 16 * 60_000,
      rateLimitPreflight: true,
      clock: systemClock,
    });
    expect(settings.userAgent).toMatch(/^xpost\/\d+\.\d+\.\d+/);
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('drops a trailing slash from apiBase', () => {
    expect(normalizeOptions({ apiBase: 'http://127.0.0.1:8787/' }).apiBase).toBe('http://127.0.0.1:8787');
  });

  it.each([
    [{ apiBase: 'api.x.com' }, /apiBase must be an absolute http\(s\) URL, e\.g\. https:\/\/api\.x\.com/],
    [{ apiBase: 'ftp://api.x.com' }, /apiBase must be an absolute http\(s\) URL/],
    [{ timeoutMs: 0 }, /timeoutMs must be a finite number ≥ 1/],
    [{ maxRetries: -1 }, /maxRetries must be a finite number ≥ 0/],
    [{ maxRetries: Number.NaN }, /maxRetries/],
    [{ onRateLimit: 'sleep' }, /onRateLimit must be 'wait' or 'throw'/],
    [{ clock: { now: () => 0 } }, /clock must have now\(\): number and sleep/],
    [{ auth: 'token' }, /auth must be an auth provider such as staticBearer/],
    [{ userAgent: 'a\nb' }, /userAgent must be a non-empty single-line string/],
    [
      { retryBaseDelayMs: 5_000, retryMaxDelayMs: 1_000 },
      /retryMaxDelayMs \(1000\) must be at least retryBaseDelayMs/,
    ],
    [{ rateLimitPreflight: 'yes' }, /rateLimitPreflight must be true or false/],
    [{ timeout: 5 }, /unknown option "timeout"; known options: auth, apiBase/],
  ])('%j is refused with the fix', (options, message) => {
    expect(() => new XClient(options as never)).toThrow(message);
  });

  it('exposes the normalised options to endpoint classes', () => {
    const x = new XClient({ apiBase: 'http://localhost:1234', maxRetries: 0 });
    expect(x.options.apiBase).toBe('http://localhost:1234');
    expect(x.options.maxRetries).toBe(0);
  });

  it('refuses a request with two bodies', async () => {
    const x = new XClient({ apiBase: 'http://localhost:1' });
    await expect(
      x.send({
        method: 'POST',
        path: '/2/tweets',
        endpoint: 'POST /2/tweets',
        auth: { kind: 'none' },
        idempotent: false,
        json: {},
        form: {},
      }),
    ).rejects.toThrow(/set one of json, form or body/);
  });
});
