import { describe, expect, it } from 'vitest';
import { staticBearer } from '../../src/x/auth/static-bearer.js';
import { XClient } from '../../src/x/client.js';
import { systemClock } from '../../src/x/clock.js';
import { XRateLimitError } from '../../src/x/errors/index.js';
import type { XClientOptions } from '../../src/x/options.js';
import { RESET_MARGIN_MS } from '../../src/x/plugins/rate-limit/wait.js';
import { useEmulator } from '../helpers/emulator.js';
import { failure, ME_REQUEST as me, postRequest as post } from '../helpers/x-requests.js';
import { recordingClock } from './plugins/recording-clock.js';

const emu = useEmulator();

function setup(options: XClientOptions = {}) {
  const clock = recordingClock(emu);
  const x = new XClient({
    apiBase: emu().url,
    auth: staticBearer(emu().user.accessToken, { subject: emu().user.id }),
    clock,
    ...options,
  });
  return { x, clock };
}

const statuses = (endpoint: string) =>
  emu()
    .requests(endpoint)
    .map((r) => r.status);

describe('rate limits', () => {
  it('the state holds the latest headers per endpoint after each call', async () => {
    const { x } = setup();
    const response = await x.request(me);
    expect(response.rateLimit?.window).toMatchObject({ limit: 75, remaining: 74 });
    expect(x.rateLimits.get('GET /2/users/me')).toEqual(response.rateLimit);
    expect(x.rateLimits.get('GET /2/users/me', emu().user.id)).toEqual(response.rateLimit);
    await x.request(post('counted'));
    expect(x.rateLimits.get('POST /2/tweets')?.window).toMatchObject({ limit: 100, remaining: 99 });
    expect(x.rateLimits.get('POST /2/tweets')?.app24h).toMatchObject({ limit: 10_000, remaining: 9_999 });
    expect(x.rateLimits.all().map((e) => [e.subject, e.endpoint])).toEqual([
      [emu().user.id, 'GET /2/users/me'],
      [emu().user.id, 'POST /2/tweets'],
    ]);
  });

  it('on 429 it waits until the reset the headers gave, then succeeds (injected clock)', async () => {
    emu().rateLimits.set('POST /2/tweets', [{ scope: 'user', windowSecs: 900, limit: 1 }]);
    const { x, clock } = setup({ rateLimitPreflight: false });
    await x.request(post('first'));
    const before = emu().clock.now();
    const resetAt = x.rateLimits.get('POST /2/tweets')!.window!.resetAt;
    const response = await x.request(post('second'));
    expect(response.status).toBe(201);
    // The emulator's clock runs in real time, so allow the few milliseconds the calls took.
    expect(clock.delays).toHaveLength(1);
    expect(Math.abs(clock.delays[0]! - (resetAt - before + RESET_MARGIN_MS))).toBeLessThan(1_000);
    expect(statuses('POST /2/tweets')).toEqual([201, 429, 201]);
  });

  it('a rate_limit fault is waited out the same way', async () => {
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'rate_limit', resetAfterSecs: 60, times: 1 });
    const { x, clock } = setup();
    await expect(x.request(me)).resolves.toMatchObject({ status: 200 });
    expect(clock.delays).toHaveLength(1);
    expect(clock.delays[0]).toBeGreaterThan(59_000);
    expect(clock.delays[0]).toBeLessThanOrEqual(61_000);
  });

  it('a 429 whose reset has already passed is waited out by the margin alone, then sent again', async () => {
    // Reset at the current whole second: by the time the answer is read, it is in the past.
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'rate_limit', resetAfterSecs: 0, times: 1 });
    const { x, clock } = setup();
    await expect(x.request(me)).resolves.toMatchObject({ status: 200 });
    expect(clock.delays).toHaveLength(1);
    expect(clock.delays[0]).toBeGreaterThanOrEqual(RESET_MARGIN_MS);
    expect(clock.delays[0]).toBeLessThanOrEqual(RESET_MARGIN_MS + 1_000);
    expect(statuses('GET /2/users/me')).toEqual([429, 200]);
  });

  it('with a spent limit recorded, it waits before sending instead of collecting a 429', async () => {
    emu().rateLimits.set('POST /2/tweets', [{ scope: 'user', windowSecs: 900, limit: 1 }]);
    const { x, clock } = setup();
    await x.request(post('first'));
    await x.request(post('second'));
    expect(clock.delays).toHaveLength(1);
    expect(statuses('POST /2/tweets')).toEqual([201, 201]);
  });

  it("onRateLimit 'throw' throws XRateLimitError at once", async () => {
    emu().rateLimits.set('GET /2/users/me', [{ scope: 'user', windowSecs: 900, limit: 1 }]);
    const { x, clock } = setup({ onRateLimit: 'throw', rateLimitPreflight: false });
    await x.request(me);
    const error = await failure(x.request(me));
    expect(error).toBeInstanceOf(XRateLimitError);
    expect(clock.delays).toEqual([]);
  });

  it("onRateLimit 'throw': a 429 whose reset has passed still carries that reset", async () => {
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'rate_limit', resetAfterSecs: 0, times: 1 });
    const { x } = setup({ onRateLimit: 'throw' });
    const error = (await failure(x.request(me))) as XRateLimitError;
    expect(error).toBeInstanceOf(XRateLimitError);
    expect(error.resetAt).toBeLessThanOrEqual(Date.now());
    expect(error.resetAt).toBeGreaterThan(Date.now() - 5_000);
    expect(error.message).toMatch(/window resets at/);
  });

  it('a per-request onRateLimit overrides the client’s', async () => {
    emu().rateLimits.set('GET /2/users/me', [{ scope: 'user', windowSecs: 900, limit: 1 }]);
    const { x, clock } = setup({ rateLimitPreflight: false });
    await x.request(me);
    await expect(x.request({ ...me, onRateLimit: 'throw' })).rejects.toBeInstanceOf(XRateLimitError);
    expect(clock.delays).toEqual([]);
  });

  it('throws at once when the wait would exceed maxRateLimitWaitMs', async () => {
    emu().rateLimits.set('GET /2/users/me', [{ scope: 'user', windowSecs: 900, limit: 1 }]);
    const { x, clock } = setup({ maxRateLimitWaitMs: 60_000, rateLimitPreflight: false });
    await x.request(me);
    const error = (await failure(x.request(me))) as XRateLimitError;
    expect(error).toBeInstanceOf(XRateLimitError);
    expect(error.status).toBe(429);
    expect(clock.delays).toEqual([]);
  });

  it('with preflight, a spent limit beyond the maximum throws without sending', async () => {
    emu().rateLimits.set('GET /2/users/me', [{ scope: 'user', windowSecs: 900, limit: 1 }]);
    const { x } = setup({ maxRateLimitWaitMs: 60_000 });
    await x.request(me);
    const error = (await failure(x.request(me))) as XRateLimitError;
    expect(error).toBeInstanceOf(XRateLimitError);
    expect(error.message).toMatch(/not sent/);
    expect(emu().requestCounts()['GET /2/users/me']).toBe(1);
  });

  it('a spent 24-hour cap is waited for, not the sooner 15-minute reset', async () => {
    emu().rateLimits.set('POST /2/tweets', [
      { scope: 'user', windowSecs: 900, limit: 10 },
      { scope: 'user', windowSecs: 86_400, limit: 1 },
    ]);
    const { x, clock } = setup({ rateLimitPreflight: false });
    await x.request(post('daily one'));
    const error = (await failure(x.request(post('daily two')))) as XRateLimitError;
    expect(error).toBeInstanceOf(XRateLimitError);
    expect(error.limit).toBe('user24h');
    expect(error.resetAt! - emu().clock.now()).toBeGreaterThan(15 * 60_000);
    expect(clock.delays).toEqual([]);

    // A day passes while waiting: this client's token must outlive it.
    const token = emu().issueToken({ ttlSecs: 3 * 86_400 }).access_token;
    const patient = setup({
      auth: staticBearer(token, { subject: emu().user.id }),
      rateLimitPreflight: false,
      maxRateLimitWaitMs: 25 * 3_600_000,
    });
    await expect(patient.x.request(post('daily two'))).resolves.toMatchObject({ status: 201 });
    expect(patient.clock.delays[0]).toBeGreaterThan(15 * 60_000);
  });

  it('a rate-limit wait ends when the signal aborts', async () => {
    emu().rateLimits.set('GET /2/users/me', [{ scope: 'user', windowSecs: 900, limit: 1 }]);
    // The real sleep (15 minutes) on the emulator's time: only the abort can end it.
    const x = new XClient({
      apiBase: emu().url,
      auth: staticBearer(emu().user.accessToken),
      clock: { now: () => emu().clock.now(), sleep: systemClock.sleep },
      rateLimitPreflight: false,
    });
    await x.request(me);
    const controller = new AbortController();
    const reason = new Error('user pressed ctrl-c');
    setTimeout(() => controller.abort(reason), 50);
    await expect(x.request({ ...me, signal: controller.signal })).rejects.toBe(reason);
  });
});
