import { describe, expect, it } from 'vitest';
import { XAuthError } from '../../../src/x/errors/index.js';
import { parseCallback } from '../../../src/x/oauth/authorization-callback.js';
import { startAuthorization } from '../../../src/x/oauth/pkce.js';
import { exchangeCode, refreshToken, revokeToken } from '../../../src/x/oauth/token-client.js';
import type { RequestHandler, XRequest } from '../../../src/x/request/types.js';
import { api, useEmulator } from '../../helpers/emulator.js';
import { REDIRECT_URI } from '../../helpers/oauth2-flow.js';
import { authorizeBase, browserLogin, emulatorTransport } from './browser-login.js';

const emu = useEmulator();

/** Records what was sent, then sends it. */
function recording(): { send: RequestHandler; sent: XRequest[] } {
  const sent: XRequest[] = [];
  const transport = emulatorTransport(emu());
  return {
    sent,
    send: (request) => {
      sent.push(request);
      return transport(request);
    },
  };
}

async function login(app: 'confidential' | 'public') {
  const e = emu();
  const client = app === 'confidential' ? e.app : e.publicApp;
  const pending = startAuthorization({
    clientId: client.clientId,
    redirectUri: REDIRECT_URI,
    authorizeBase: authorizeBase(e),
  });
  const code = parseCallback(await browserLogin(e, pending.url), pending.state);
  const { send, sent } = recording();
  const tokens = await exchangeCode({
    send,
    clientId: client.clientId,
    ...(app === 'confidential' ? { clientSecret: e.app.clientSecret! } : {}),
    code,
    codeVerifier: pending.codeVerifier,
    redirectUri: REDIRECT_URI,
    clock: e.clock,
  });
  return { tokens, sent, client };
}

async function caught(promise: Promise<unknown>): Promise<XAuthError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(XAuthError);
  return error as XAuthError;
}

describe('full PKCE login through the consent page', () => {
  it('confidential app: Basic auth, a working token pair that expires on the injected clock', async () => {
    emu().clock.setScale(0); // frozen: expiresAt must be exactly the emulator's
    const { tokens, sent } = await login('confidential');
    expect(tokens.tokenType).toBe('bearer');
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.scopes).toEqual(expect.arrayContaining(['tweet.write', 'offline.access', 'media.write']));
    expect(tokens.expiresAt).toBe(emu().store.accessTokens.get(tokens.accessToken)!.expiresAt);
    expect(sent[0]).toMatchObject({ endpoint: 'POST /2/oauth2/token', idempotent: false });
    expect(sent[0]!.headers?.authorization).toMatch(/^Basic /);
    expect(sent[0]!.form).not.toHaveProperty('client_id');
    const me = await api(emu(), 'GET', '/2/users/me', { token: tokens.accessToken });
    expect(me.status).toBe(200);
  });

  it('public app: client_id in the form, no Authorization header', async () => {
    const { tokens, sent, client } = await login('public');
    expect(sent[0]!.headers?.authorization).toBeUndefined();
    expect(sent[0]!.form).toMatchObject({ client_id: client.clientId, grant_type: 'authorization_code' });
    expect((await api(emu(), 'GET', '/2/users/me', { token: tokens.accessToken })).status).toBe(200);
  });

  it('a code works once: the second exchange is invalid_authorization_code', async () => {
    const e = emu();
    const pending = startAuthorization({
      clientId: e.app.clientId,
      redirectUri: REDIRECT_URI,
      authorizeBase: authorizeBase(e),
    });
    const code = parseCallback(await browserLogin(e, pending.url), pending.state);
    const options = {
      send: emulatorTransport(e),
      clientId: e.app.clientId,
      clientSecret: e.app.clientSecret!,
      code,
      codeVerifier: pending.codeVerifier,
      redirectUri: REDIRECT_URI,
    };
    await exchangeCode(options);
    const error = await caught(exchangeCode(options));
    expect(error.code).toBe('invalid_authorization_code');
    expect(error.status).toBe(400);
    expect(error.title).toBe('invalid_request');
  });

  it('Deny on the consent page becomes access_denied', async () => {
    const e = emu();
    const pending = startAuthorization({
      clientId: e.app.clientId,
      redirectUri: REDIRECT_URI,
      authorizeBase: authorizeBase(e),
    });
    const callback = await browserLogin(e, pending.url, 'deny');
    expect(() => parseCallback(callback, pending.state)).toThrow(
      expect.objectContaining({ code: 'access_denied' }),
    );
  });

  it('a callback from another login is refused as a state mismatch', async () => {
    const e = emu();
    const first = startAuthorization({
      clientId: e.app.clientId,
      redirectUri: REDIRECT_URI,
      authorizeBase: authorizeBase(e),
    });
    const second = startAuthorization({
      clientId: e.app.clientId,
      redirectUri: REDIRECT_URI,
      authorizeBase: authorizeBase(e),
    });
    const callback = await browserLogin(e, first.url);
    expect(() => parseCallback(callback, second.state)).toThrow(
      expect.objectContaining({ code: 'state_mismatch' }),
    );
  });
});

describe('refresh', () => {
  it('rotates: the new pair works, the old refresh token is refused as invalid_refresh_token', async () => {
    const { tokens } = await login('confidential');
    const e = emu();
    const { send, sent } = recording();
    const options = { send, clientId: e.app.clientId, clientSecret: e.app.clientSecret!, clock: e.clock };
    const fresh = await refreshToken({ ...options, refreshToken: tokens.refreshToken! });
    expect(fresh.refreshToken).not.toBe(tokens.refreshToken);
    expect(sent[0]).toMatchObject({ idempotent: false, form: { grant_type: 'refresh_token' } });
    expect((await api(e, 'GET', '/2/users/me', { token: fresh.accessToken })).status).toBe(200);

    const error = await caught(refreshToken({ ...options, refreshToken: tokens.refreshToken! }));
    expect(error.code).toBe('invalid_refresh_token');
    expect(error.detail).toBe('Value passed for the token was invalid.');
    expect(error.message).toMatch(/xpost login/);
    // No token in what the error carries.
    expect(JSON.stringify(error)).not.toContain(tokens.refreshToken!);
    expect(JSON.stringify(error.request)).not.toContain(tokens.refreshToken!);
  });

  it('public app refreshes with client_id in the form', async () => {
    const { tokens, client } = await login('public');
    const { send, sent } = recording();
    const fresh = await refreshToken({ send, clientId: client.clientId, refreshToken: tokens.refreshToken! });
    expect(fresh.accessToken).toBeTruthy();
    expect(sent[0]!.form).toMatchObject({ client_id: client.clientId });
  });

  it('a wrong client secret is invalid_client, not a bad token', async () => {
    const e = emu();
    const error = await caught(
      refreshToken({
        send: emulatorTransport(e),
        clientId: e.app.clientId,
        clientSecret: 'wrong',
        refreshToken: e.user.refreshToken,
      }),
    );
    expect(error.code).toBe('invalid_client');
    expect(error.status).toBe(401);
    expect(e.store.refreshTokens.get(e.user.refreshToken)!.status).toBe('active');
  });

  it('a 5xx from the token endpoint is an XApiError, not an auth error', async () => {
    const e = emu();
    e.faults.add({ endpoint: 'POST /2/oauth2/token', kind: 'status', status: 503, times: 1 });
    const error = await refreshToken({
      send: emulatorTransport(e),
      clientId: e.app.clientId,
      clientSecret: e.app.clientSecret!,
      refreshToken: e.user.refreshToken,
    }).catch((x: unknown) => x);
    expect(error).not.toBeInstanceOf(XAuthError);
    expect(error).toMatchObject({ name: 'XApiError', status: 503 });
  });
});

describe('revoke', () => {
  it('revokes an access token (then 401) and a refresh token (then refused)', async () => {
    const { tokens } = await login('confidential');
    const e = emu();
    const options = {
      send: emulatorTransport(e),
      clientId: e.app.clientId,
      clientSecret: e.app.clientSecret!,
    };
    await revokeToken({ ...options, token: tokens.accessToken, tokenTypeHint: 'access_token' });
    expect((await api(e, 'GET', '/2/users/me', { token: tokens.accessToken })).status).toBe(401);
    await revokeToken({ ...options, token: tokens.refreshToken!, tokenTypeHint: 'refresh_token' });
    expect(e.store.refreshTokens.get(tokens.refreshToken!)!.status).toBe('revoked');
    const error = await caught(refreshToken({ ...options, refreshToken: tokens.refreshToken! }));
    expect(error.code).toBe('invalid_refresh_token');
  });

  it('public app revokes with client_id in the form', async () => {
    const { tokens, client } = await login('public');
    await revokeToken({
      send: emulatorTransport(emu()),
      clientId: client.clientId,
      token: tokens.accessToken,
    });
    expect((await api(emu(), 'GET', '/2/users/me', { token: tokens.accessToken })).status).toBe(401);
  });
});
