import { describe, expect, it } from 'vitest';
import type { AuthProvider } from '../../../src/x/auth/types.js';
import { XClient } from '../../../src/x/client.js';
import { XAuthError, XForbiddenError, XNetworkError } from '../../../src/x/errors/index.js';
import type { XRequest } from '../../../src/x/request/types.js';
import { useEmulator } from '../../helpers/emulator.js';
import { recordingClock } from './recording-clock.js';

const emu = useEmulator();

const me: XRequest = {
  method: 'GET',
  path: '/2/users/me',
  endpoint: 'GET /2/users/me',
  auth: { kind: 'user' },
  idempotent: true,
};

/** A provider that starts with `first` and switches to `second` when told about a 401. */
function swappingProvider(first: string, second: string | undefined) {
  let token = first;
  const calls = { authorize: [] as string[], onUnauthorized: 0 };
  const provider: AuthProvider = {
    kind: 'oauth2',
    async authorize(_request, url) {
      calls.authorize.push(url.href);
      return { authorization: `Bearer ${token}` };
    },
    async onUnauthorized() {
      calls.onUnauthorized++;
      if (second === undefined) return false;
      token = second;
      return true;
    },
    subject: () => 'swapper',
  };
  return { provider, calls };
}

const client = (auth?: AuthProvider) => new XClient({ apiBase: emu().url, auth, clock: recordingClock(emu) });

describe('auth plugin', () => {
  it('gives the provider the full URL, query included', async () => {
    const { provider, calls } = swappingProvider(emu().user.accessToken, undefined);
    await client(provider).request({ ...me, query: { 'user.fields': ['created_at', 'verified'] } });
    expect(calls.authorize).toEqual([`${emu().url}/2/users/me?user.fields=created_at%2Cverified`]);
  });

  it('on 401 asks the provider once and resends with the new credentials', async () => {
    const { provider, calls } = swappingProvider('stale-token', emu().user.accessToken);
    await expect(client(provider).request(me)).resolves.toMatchObject({ status: 200 });
    expect(calls.onUnauthorized).toBe(1);
    expect(calls.authorize).toHaveLength(2);
  });

  it('a second 401 is not retried again: XAuthError', async () => {
    const { provider, calls } = swappingProvider('stale-token', 'still-bad');
    await expect(client(provider).request(me)).rejects.toBeInstanceOf(XAuthError);
    expect(calls.onUnauthorized).toBe(1);
    expect(emu().requestCounts()['GET /2/users/me']).toBe(2);
  });

  it('when the provider says nothing changed, the 401 becomes XAuthError without a resend', async () => {
    const { provider } = swappingProvider('stale-token', undefined);
    await expect(client(provider).request(me)).rejects.toBeInstanceOf(XAuthError);
    expect(emu().requestCounts()['GET /2/users/me']).toBe(1);
  });

  it('never asks the provider on 403', async () => {
    const limited = emu().issueToken({ scopes: ['tweet.read', 'users.read'] });
    const { provider, calls } = swappingProvider(limited.access_token, emu().user.accessToken);
    const error = await client(provider)
      .request({
        method: 'POST',
        path: '/2/tweets',
        endpoint: 'POST /2/tweets',
        auth: { kind: 'user' },
        idempotent: false,
        json: { text: 'hi' },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XForbiddenError);
    expect(calls.onUnauthorized).toBe(0);
  });

  it('a user request without a provider says how to fix it', async () => {
    await expect(client().request(me)).rejects.toThrow(/pass auth to new XClient/);
    expect(emu().requestCounts()['GET /2/users/me']).toBeUndefined();
  });

  it('client auth with a secret sends Basic, and the token endpoint accepts it', async () => {
    const { clientId, clientSecret } = emu().app;
    const response = await client().send({
      method: 'POST',
      path: '/2/oauth2/token',
      endpoint: 'POST /2/oauth2/token',
      auth: { kind: 'client', clientId, clientSecret: clientSecret ?? undefined },
      idempotent: false,
      form: { grant_type: 'refresh_token', refresh_token: emu().user.refreshToken },
    });
    expect(response.status).toBe(200);
    expect(response.request.headers?.authorization).toBe(
      `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    );
    expect(response.body).toMatchObject({ token_type: 'bearer' });
  });

  it('a public client puts client_id in the form', async () => {
    const { clientId } = emu().publicApp;
    const response = await client().send({
      method: 'POST',
      path: '/2/oauth2/token',
      endpoint: 'POST /2/oauth2/token',
      auth: { kind: 'client', clientId },
      idempotent: false,
      form: { grant_type: 'refresh_token', refresh_token: 'spent' },
    });
    expect(response.request.form).toMatchObject({ client_id: clientId });
    expect(response.request.headers?.authorization).toBeUndefined();
    // Reaches the grant check (not "Missing required parameter [client_id]").
    expect(response.body).toMatchObject({
      error: 'invalid_request',
      error_description: 'Value passed for the token was invalid.',
    });
  });
});

describe('auth plugin and retries', () => {
  it('a provider that cannot reach the token endpoint leaves a post "not sent", so it is retried, not unknown', async () => {
    let calls = 0;
    const provider: AuthProvider = {
      kind: 'oauth2',
      async authorize() {
        calls++;
        if (calls === 1)
          throw new XNetworkError('token endpoint unreachable', { neverSent: false, code: 'ECONNRESET' });
        return { authorization: `Bearer ${emu().user.accessToken}` };
      },
      subject: () => 'flaky',
    };
    const x = client(provider);
    const response = await x.request({
      method: 'POST',
      path: '/2/tweets',
      endpoint: 'POST /2/tweets',
      auth: { kind: 'user' },
      idempotent: false,
      json: { text: 'after a refresh hiccup' },
    });
    expect(response.status).toBe(201);
    expect(calls).toBe(2);
  });
});
