import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { staticBearer } from '../../src/x/auth/static-bearer.js';
import { XClient } from '../../src/x/client.js';
import { XApiError, XNetworkError, XTimeoutError, XUnknownOutcomeError } from '../../src/x/errors/index.js';
import type { XClientOptions } from '../../src/x/options.js';
import type { XRequest } from '../../src/x/request/types.js';
import { useEmulator } from '../helpers/emulator.js';
import { failure, ME_REQUEST as me, postRequest as post } from '../helpers/x-requests.js';
import { recordingClock } from './plugins/recording-clock.js';

const emu = useEmulator();

function setup(options: XClientOptions = {}) {
  const clock = recordingClock(emu);
  const x = new XClient({
    apiBase: emu().url,
    auth: staticBearer(emu().user.accessToken),
    clock,
    random: () => 0.5,
    ...options,
  });
  return { x, clock };
}

const posts = () => [...emu().store.posts.values()].map((p) => p.text);

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('retries (injected clock: no real sleeping)', () => {
  it('an idempotent GET is retried through 5xx with backoff and succeeds', async () => {
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'status', status: 503, times: 2 });
    const { x, clock } = setup();
    const response = await x.request<{ data: { id: string } }>(me);
    expect(response.data.data.id).toBe(emu().user.id);
    expect(emu().requestCounts()['GET /2/users/me']).toBe(3);
    // Full jitter with random 0.5: half of 500·2^attempt.
    expect(clock.delays).toEqual([250, 500]);
  });

  it('an idempotent GET is retried after a connection reset', async () => {
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'reset', times: 1 });
    const { x, clock } = setup();
    await expect(x.request(me)).resolves.toMatchObject({ status: 200 });
    expect(clock.delays).toHaveLength(1);
  });

  it('gives up after maxRetries with the last error', async () => {
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'status', status: 500 });
    const { x, clock } = setup({ maxRetries: 2 });
    const error = await failure(x.request(me));
    expect(error).toBeInstanceOf(XApiError);
    expect(error).toMatchObject({ status: 500 });
    expect(clock.delays).toHaveLength(2);
    expect(emu().requestCounts()['GET /2/users/me']).toBe(3);
  });

  it('a 4xx is never retried', async () => {
    const { x, clock } = setup({ auth: staticBearer('wrong') });
    await expect(x.request(me)).rejects.toMatchObject({ status: 401 });
    expect(clock.delays).toEqual([]);
  });

  it('a reset on POST /2/tweets is not resent: XUnknownOutcomeError', async () => {
    emu().faults.add({ endpoint: 'POST /2/tweets', kind: 'reset', times: 1 });
    const { x, clock } = setup();
    const error = await failure(x.request(post('reset me')));
    expect(error).toBeInstanceOf(XUnknownOutcomeError);
    expect((error as XUnknownOutcomeError).cause).toBeInstanceOf(XNetworkError);
    expect(error).toMatchObject({ endpoint: 'POST /2/tweets', method: 'POST' });
    expect(clock.delays).toEqual([]);
    expect(emu().requestCounts()['POST /2/tweets']).toBe(1);
  });

  it('a commit_then_drop on POST /2/tweets is not resent, and the post exists once', async () => {
    emu().faults.add({ endpoint: 'POST /2/tweets', kind: 'commit_then_drop', times: 1 });
    const { x } = setup();
    await expect(x.request(post('dropped answer'))).rejects.toBeInstanceOf(XUnknownOutcomeError);
    expect(posts().filter((t) => t === 'dropped answer')).toHaveLength(1);
    expect(emu().requestCounts()['POST /2/tweets']).toBe(1);
  });

  it('a 503 on POST /2/tweets is an unknown outcome (X may have created the post), not resent', async () => {
    emu().faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 503, times: 1 });
    const { x } = setup();
    const error = (await failure(x.request(post('maybe')))) as XUnknownOutcomeError;
    expect(error).toBeInstanceOf(XUnknownOutcomeError);
    expect(error.cause).toBeInstanceOf(XApiError);
    expect(error).toMatchObject({ status: 503 });
    expect(emu().requestCounts()['POST /2/tweets']).toBe(1);
  });

  it('a refused connection on POST /2/tweets is retried: it never reached X', async () => {
    const refusedPort = await closedPort();
    let calls = 0;
    // The first attempt dials a closed port (a real ECONNREFUSED from undici), later ones the emulator.
    const flakyFetch: typeof fetch = (input, init) => {
      calls++;
      const url = new URL(String(input));
      if (calls === 1) url.port = String(refusedPort);
      return fetch(url, init);
    };
    const { x, clock } = setup({ fetch: flakyFetch });
    const response = await x.request<{ data: { text: string } }>(post('refused first'));
    expect(response.status).toBe(201);
    expect(calls).toBe(2);
    expect(clock.delays).toHaveLength(1);
    expect(posts()).toEqual(['refused first']);
  });

  it('a refused connection that never recovers is an XNetworkError (known: nothing was sent)', async () => {
    const { x, clock } = setup({ apiBase: `http://127.0.0.1:${await closedPort()}`, maxRetries: 2 });
    const error = await failure(x.request(post('never')));
    expect(error).toBeInstanceOf(XNetworkError);
    expect(error).toMatchObject({ neverSent: true, code: 'ECONNREFUSED' });
    expect(clock.delays).toHaveLength(2);
  });

  it('an attempt slower than timeoutMs is an XTimeoutError, retried for GETs', async () => {
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'latency', latencyMs: 2_000, times: 1 });
    const { x, clock } = setup({ timeoutMs: 100 });
    await expect(x.request(me)).resolves.toMatchObject({ status: 200 });
    expect(clock.delays).toHaveLength(1);
  });

  it('a timeout on POST /2/tweets is an unknown outcome', async () => {
    emu().faults.add({ endpoint: 'POST /2/tweets', kind: 'latency', latencyMs: 2_000, times: 1 });
    const { x } = setup({ timeoutMs: 100 });
    const error = (await failure(x.request(post('slow')))) as XUnknownOutcomeError;
    expect(error).toBeInstanceOf(XUnknownOutcomeError);
    expect(error.cause).toBeInstanceOf(XTimeoutError);
  });

  it('a per-request timeoutMs overrides the client’s', async () => {
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'latency', latencyMs: 2_000 });
    const { x } = setup({ maxRetries: 0 });
    await expect(x.request({ ...me, timeoutMs: 50 })).rejects.toBeInstanceOf(XTimeoutError);
  });

  it('a stream body is not resent, even when marked idempotent (the first attempt consumed it)', async () => {
    emu().faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 503, times: 1 });
    const { x, clock } = setup();
    const bytes = new TextEncoder().encode(JSON.stringify({ text: 'streamed' }));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const request: XRequest = { ...post('x'), json: undefined, body, idempotent: true };
    request.headers = { 'content-type': 'application/json' };
    const error = await failure(x.request(request));
    expect(error).toMatchObject({ status: 503 });
    expect(clock.delays).toEqual([]);
  });

  it('the caller’s abort during a backoff wait rejects with the abort reason', async () => {
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'status', status: 503 });
    const controller = new AbortController();
    const reason = new Error('cancelled');
    const x = new XClient({
      apiBase: emu().url,
      auth: staticBearer(emu().user.accessToken),
      retryBaseDelayMs: 60_000,
      retryMaxDelayMs: 60_000,
      random: () => 0.99,
    });
    setTimeout(() => controller.abort(reason), 50);
    await expect(x.request({ ...me, signal: controller.signal })).rejects.toBe(reason);
  });
});
