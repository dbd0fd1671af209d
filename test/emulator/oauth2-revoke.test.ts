import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';
import { authorizationCode, basic, exchangeCode, tokenRequest } from '../helpers/oauth2-flow.js';

describe('POST /2/oauth2/revoke', () => {
  const emu = useEmulator();

  it('revokes an access token: 200 {"revoked":true}, then the token gets 401', async () => {
    const res = await tokenRequest(emu(), '/2/oauth2/revoke', {
      token: emu().user.accessToken,
      token_type_hint: 'access_token',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revoked: true });
    expect(emu().store.accessTokens.get(emu().user.accessToken)!.revoked).toBe(true);
    const me = await api(emu(), 'GET', '/2/users/me');
    expect(me.status).toBe(401);
    expect(me.body).toEqual({
      title: 'Unauthorized',
      type: 'about:blank',
      status: 401,
      detail: 'Unauthorized',
    });
  });

  it('revokes a refresh token and the access tokens of its grant (RFC 7009 §2.1)', async () => {
    const { code, verifier } = await authorizationCode(emu());
    const tokens = (await exchangeCode(emu(), code, verifier)).body;
    const res = await tokenRequest(emu(), '/2/oauth2/revoke', { token: tokens.refresh_token });
    expect(res.body).toEqual({ revoked: true });
    expect(emu().store.refreshTokens.get(tokens.refresh_token)!.status).toBe('revoked');
    expect(emu().store.accessTokens.get(tokens.access_token)!.revoked).toBe(true);
    const refreshed = await tokenRequest(emu(), '/2/oauth2/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.body).toEqual({
      error: 'invalid_request',
      error_description: 'Value passed for the token was invalid.',
    });
  });

  it('a public client revokes with client_id in the body', async () => {
    const { code, verifier } = await authorizationCode(emu(), { clientId: emu().publicApp.clientId });
    const clientId = { client_id: emu().publicApp.clientId };
    const tokens = (await exchangeCode(emu(), code, verifier, clientId, null)).body;
    const res = await tokenRequest(
      emu(),
      '/2/oauth2/revoke',
      { token: tokens.access_token, ...clientId },
      null,
    );
    expect(res.body).toEqual({ revoked: true });
    expect(emu().store.accessTokens.get(tokens.access_token)!.revoked).toBe(true);
  });

  it('answers an unknown token with 200 {"revoked":true} too (RFC 7009 §2.2)', async () => {
    const res = await tokenRequest(emu(), '/2/oauth2/revoke', { token: 'never-issued' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revoked: true });
  });

  it('does not revoke another client token, and does not say so', async () => {
    const res = await tokenRequest(
      emu(),
      '/2/oauth2/revoke',
      { token: emu().user.accessToken, client_id: emu().publicApp.clientId },
      null,
    );
    expect(res.body).toEqual({ revoked: true });
    expect(emu().store.accessTokens.get(emu().user.accessToken)!.revoked).toBe(false);
  });

  it('needs client authentication like the token endpoint', async () => {
    const res = await tokenRequest(
      emu(),
      '/2/oauth2/revoke',
      { token: emu().user.accessToken },
      basic(emu().app.clientId, 'wrong'),
    );
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: 'unauthorized_client',
      error_description: 'Missing valid authorization header',
    });
    expect(emu().store.accessTokens.get(emu().user.accessToken)!.revoked).toBe(false);
  });

  it('names a missing token', async () => {
    const res = await tokenRequest(emu(), '/2/oauth2/revoke', {});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'Missing required parameter [token].',
    });
  });
});
