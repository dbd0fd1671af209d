import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/emulator/faults.js';
import { api, useEmulator } from '../helpers/emulator.js';

// Faults apply to every X path, known or not; an unknown path needs no token, which keeps these
// tests about the fault machinery alone. Faults on real routes are tested with those routes.
const PATH = '/2/fault-target';
const ENDPOINT = `GET ${PATH}`;

describe('fault rules', () => {
  it('fire on a seeded share of requests, replayably', () => {
    const draws = (seed: number) => {
      const faults = new FaultInjector(seed);
      faults.add({ endpoint: '*', kind: 'reset', probability: 0.3 });
      return Array.from({ length: 50 }, () => faults.draw('GET /x').length);
    };
    const first = draws(42);
    expect(first).toEqual(draws(42));
    const fired = first.filter(Boolean).length;
    expect(fired).toBeGreaterThan(5);
    expect(fired).toBeLessThan(25);
  });

  it('honour skip and times', () => {
    const faults = new FaultInjector();
    faults.add({ endpoint: 'POST /2/tweets', kind: 'status', skip: 2, times: 1 });
    const fired = Array.from({ length: 5 }, () => faults.draw('POST /2/tweets').length);
    expect(fired).toEqual([0, 0, 1, 0, 0]);
    expect(faults.draw('GET /2/users/me')).toEqual([]);
  });

  it('refuse malformed rules with every problem named', () => {
    const faults = new FaultInjector();
    expect(() => faults.add({ endpoint: 'tweets', kind: 'latency' } as never)).toThrow(
      /endpoint must be .*latency faults need latencyMs/,
    );
    expect(() => faults.add({ endpoint: '*', kind: 'explode' } as never)).toThrow(/kind must be one of/);
    expect(() => faults.add({ endpoint: '*', kind: 'reset', probability: 2 })).toThrow(/probability/);
  });
});

describe('faults over HTTP', () => {
  const emu = useEmulator();

  it('latency delays the answer', async () => {
    emu().faults.add({ endpoint: ENDPOINT, kind: 'latency', latencyMs: 120 });
    const started = performance.now();
    const res = await api(emu(), 'GET', PATH);
    expect(res.status).toBe(404);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('reset cuts the connection before anything happens, and the request is still counted', async () => {
    emu().faults.add({ endpoint: ENDPOINT, kind: 'reset', times: 1 });
    const error = await api(emu(), 'GET', PATH).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error & { cause?: { code?: string } }).cause?.code ?? '')).toMatch(
      /ECONNRESET|UND_ERR_SOCKET/,
    );
    expect((await api(emu(), 'GET', PATH)).status).toBe(404);
    expect(emu().requestCounts()[ENDPOINT]).toBe(2);
    expect(
      emu()
        .requests(ENDPOINT)
        .map((e) => e.outcome),
    ).toEqual(['reset', 'ok']);
  });

  it('status answers with X 5xx body', async () => {
    emu().faults.add({ endpoint: '*', kind: 'status', status: 503, times: 2 });
    const res = await api(emu(), 'GET', PATH);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      title: 'Service Unavailable',
      detail: 'Service Unavailable',
      type: 'about:blank',
      status: 503,
    });
    expect((await api(emu(), 'GET', PATH)).status).toBe(503);
    expect((await api(emu(), 'GET', PATH)).status).toBe(404);
  });

  it('status 402 answers with the credits-depleted body', async () => {
    emu().faults.add({ endpoint: ENDPOINT, kind: 'status', status: 402, times: 1 });
    const res = await api(emu(), 'GET', PATH);
    expect(res.status).toBe(402);
    expect(res.body.title).toBe('CreditsDepleted');
  });

  it('rate_limit answers 429 with X body and a reset in the future', async () => {
    emu().faults.add({ endpoint: ENDPOINT, kind: 'rate_limit', resetAfterSecs: 60, times: 1 });
    const res = await api(emu(), 'GET', PATH);
    expect(res.status).toBe(429);
    expect(res.body).toEqual({
      title: 'Too Many Requests',
      detail: 'Too Many Requests',
      type: 'about:blank',
      status: 429,
    });
    expect(res.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(Number(res.headers.get('x-rate-limit-reset'))).toBe(emu().clock.nowSeconds() + 60);
  });

  it('bandwidth slows the request body to the link speed', async () => {
    // The token endpoint parses its (form) body without needing a token, so the link is all we measure.
    const body = `grant_type=none&pad=${'x'.repeat(256 * 1024)}`;
    emu().faults.add({ endpoint: 'POST /2/oauth2/token', kind: 'bandwidth', bytesPerSecond: 1024 * 1024 });
    const started = performance.now();
    const res = await api(emu(), 'POST', '/2/oauth2/token', {
      token: null,
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const elapsed = performance.now() - started;
    expect(res.status).toBeGreaterThanOrEqual(400);
    // 256 KiB at 1 MiB/s is 250 ms; allow for scheduling.
    expect(elapsed).toBeGreaterThanOrEqual(200);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('control paths are never faulted or counted', async () => {
    emu().faults.add({ endpoint: '*', kind: 'status', status: 500 });
    const res = await fetch(`${emu().url}/__emulator/faults`);
    expect(res.status).toBe(200);
    expect(Object.keys(emu().requestCounts())).toEqual([]);
  });
});
