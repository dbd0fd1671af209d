import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { XNetworkError } from '../../../src/x/errors/x-network-error.js';
import { XTimeoutError } from '../../../src/x/errors/x-timeout-error.js';
import { buildUrl } from '../../../src/x/request/build-url.js';
import { createTransport } from '../../../src/x/request/transport.js';
import type { XRequest } from '../../../src/x/request/types.js';
import { useEmulator } from '../../helpers/emulator.js';

const emu = useEmulator();

function me(overrides: Partial<XRequest> = {}): XRequest {
  return {
    method: 'GET',
    path: '/2/users/me',
    endpoint: 'GET /2/users/me',
    auth: { kind: 'user' },
    idempotent: true,
    headers: { authorization: `Bearer ${emu().user.accessToken}` },
    ...overrides,
  };
}

/** A port that was free a moment ago: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('buildUrl', () => {
  it('joins the base, the path and the query; arrays comma-joined, undefined dropped', () => {
    const url = buildUrl('https://api.x.com/', {
      path: '/2/tweets/1',
      query: { 'tweet.fields': ['created_at', 'author_id'], max_results: 5, exclude: undefined, x: true },
    });
    expect(url.href).toBe(
      'https://api.x.com/2/tweets/1?tweet.fields=created_at%2Cauthor_id&max_results=5&x=true',
    );
  });

  it('keeps a path prefix of the base', () => {
    expect(buildUrl('http://proxy.local/x-api', { path: '/2/users/me' }).href).toBe(
      'http://proxy.local/x-api/2/users/me',
    );
  });
});

describe('createTransport', () => {
  it('returns a parsed JSON body for a 200', async () => {
    const transport = createTransport({ apiBase: emu().url, userAgent: 'xpost/test' });
    const response = await transport(me());
    expect(response.status).toBe(200);
    expect((response.body as { data: { id: string } }).data.id).toBe(emu().user.id);
    expect(response.headers.get('x-rate-limit-limit')).toBe('75');
  });

  it('returns 4xx answers instead of throwing', async () => {
    const transport = createTransport({ apiBase: emu().url });
    const response = await transport(me({ headers: { authorization: 'Bearer nope' } }));
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ title: 'Unauthorized', status: 401 });
  });

  it('sends a JSON body with its content type', async () => {
    const transport = createTransport({ apiBase: emu().url });
    const response = await transport(
      me({
        method: 'POST',
        path: '/2/tweets',
        endpoint: 'POST /2/tweets',
        json: { text: 'hello transport' },
      }),
    );
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ data: { text: 'hello transport' } });
  });

  it('sends a form body url-encoded', async () => {
    const transport = createTransport({ apiBase: emu().url });
    const response = await transport({
      method: 'POST',
      path: '/2/oauth2/token',
      endpoint: 'POST /2/oauth2/token',
      auth: { kind: 'none' },
      idempotent: false,
      form: { grant_type: 'refresh_token', refresh_token: 'spent', client_id: emu().publicApp.clientId },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_request' });
  });

  it('a refused connection is an XNetworkError that was never sent', async () => {
    const transport = createTransport({ apiBase: `http://127.0.0.1:${await closedPort()}` });
    const error = await transport(me()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XNetworkError);
    expect(error).toMatchObject({ neverSent: true, code: 'ECONNREFUSED', endpoint: 'GET /2/users/me' });
  });

  it('a reset connection is an XNetworkError whose outcome is unknown', async () => {
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'reset' });
    const transport = createTransport({ apiBase: emu().url });
    const error = await transport(me()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XNetworkError);
    expect((error as XNetworkError).neverSent).toBe(false);
  });

  it('a slow answer beyond timeoutMs is an XTimeoutError', async () => {
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'latency', latencyMs: 1_000 });
    const transport = createTransport({ apiBase: emu().url, timeoutMs: 50 });
    const error = await transport(me()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 50 });
  });

  it('request.timeoutMs overrides the transport default', async () => {
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'latency', latencyMs: 1_000 });
    const transport = createTransport({ apiBase: emu().url, timeoutMs: 60_000 });
    await expect(transport(me({ timeoutMs: 30 }))).rejects.toBeInstanceOf(XTimeoutError);
  });

  it("the caller's abort rethrows the abort reason", async () => {
    emu().faults.add({ endpoint: 'GET /2/users/me', kind: 'latency', latencyMs: 1_000 });
    const transport = createTransport({ apiBase: emu().url });
    const controller = new AbortController();
    const reason = new Error('stop');
    setTimeout(() => controller.abort(reason), 20);
    await expect(transport(me({ signal: controller.signal }))).rejects.toBe(reason);
  });

  it('an abort without a reason is an AbortError', async () => {
    const transport = createTransport({ apiBase: emu().url });
    const controller = new AbortController();
    controller.abort();
    const error = await transport(me({ signal: controller.signal })).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
  });

  it('uses the injected fetch', async () => {
    const seen: string[] = [];
    const transport = createTransport({
      apiBase: 'https://api.x.com',
      fetch: async (input, init) => {
        seen.push(`${init?.method} ${String(input)} ${new Headers(init?.headers).get('user-agent')}`);
        return new Response(null, { status: 204 });
      },
      userAgent: 'xpost/9',
    });
    const response = await transport(me({ method: 'DELETE', path: '/2/tweets/1' }));
    expect(response).toMatchObject({ status: 204, body: null });
    expect(seen).toEqual(['DELETE https://api.x.com/2/tweets/1 xpost/9']);
  });

  it('a non-JSON body comes back as text', async () => {
    const transport = createTransport({
      apiBase: 'https://api.x.com',
      fetch: async () => new Response('<html>bad gateway</html>', { status: 502 }),
    });
    expect((await transport(me())).body).toBe('<html>bad gateway</html>');
  });
});
