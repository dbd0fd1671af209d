import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';
import { authorizationCode, basic, exchangeCode, tokenRequest } from '../helpers/oauth2-flow.js';

const INVALID_TOKEN = {
  error: 'invalid_request',
  error_description: 'Value passed for the token was invalid.',
};
const UNAUTHORIZED = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };

describe('POST /2/oauth2/token, grant_type=refresh_token', () => {
  const emu = useEmulator();

  function refresh(refreshToken: string, authorization?: string | null, extra: Record<string, string> = {}) {
    return tokenRequest(
      emu(),
      '/2/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra },
      authorization,
    );
  }

  it('rotates: a new pair, the old refresh token spent at once, the new one working', async () => {
    const { code, verifier } = await authorizationCode(emu());
    const first = (await exchangeCode(emu(), code, verifier)).body;

    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ token_type: 'bearer', expires_in: 7200, scope: first.scope });
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(second.body.access_token).not.toBe(first.access_token);
    expect(emu().store.refreshTokens.get(first.refresh_token)).toMatchObject({ status: 'used' });

    const reused = await refresh(first.refresh_token);
    expect(reused.status).toBe(400);
    expect(reused.body).toEqual(INVALID_TOKEN);

    const third = await refresh(second.body.refresh_token);
    expect(third.status).toBe(200);
    const me = await api(emu(), 'GET', '/2/users/me', { token: third.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.data.id).toBe(emu().user.id);
  });

  it('the fixture user refresh token rotates too', async () => {
    const res = await refresh(emu().user.refreshToken);
    expect(res.status).toBe(200);
    expect((await refresh(emu().user.refreshToken)).body).toEqual(INVALID_TOKEN);
  });

  it('public client refreshes with client_id in the body', async () => {
    const { code, verifier } = await authorizationCode(emu(), { clientId: emu().publicApp.clientId });
    const clientId = { client_id: emu().publicApp.clientId };
    const first = (await exchangeCode(emu(), code, verifier, clientId, null)).body;
    const res = await refresh(first.refresh_token, null, clientId);
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toEqual(expect.any(String));
  });

  it('keeps the old access token alive until it expires', async () => {
    const old = emu().user.accessToken;
    expect((await refresh(emu().user.refreshToken)).status).toBe(200);
    expect((await api(emu(), 'GET', '/2/users/me', { token: old })).status).toBe(200);
  });

  it('a refresh token belongs to the client it was issued to', async () => {
    const res = await refresh(emu().user.refreshToken, null, { client_id: emu().publicApp.clientId });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(INVALID_TOKEN);
    expect(emu().store.refreshTokens.get(emu().user.refreshToken)!.status).toBe('active');
  });

  it.each([
    ['unknown', () => 'not-a-token'],
    ['an access token', () => emu().user.accessToken],
  ])('an %s refresh token: 400 invalid token', async (_, token) => {
    const res = await refresh(token());
    expect(res.status).toBe(400);
    expect(res.body).toEqual(INVALID_TOKEN);
  });

  it('a revoked refresh token: 400 invalid token', async () => {
    await tokenRequest(emu(), '/2/oauth2/revoke', { token: emu().user.refreshToken });
    expect((await refresh(emu().user.refreshToken)).body).toEqual(INVALID_TOKEN);
  });

  it('a missing refresh_token is named', async () => {
    const res = await tokenRequest(emu(), '/2/oauth2/token', { grant_type: 'refresh_token' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'Missing required parameter [refresh_token].',
    });
  });

  it('without offline.access there is no refresh token to rotate', async () => {
    const { code, verifier } = await authorizationCode(emu(), { scopes: ['tweet.read', 'users.read'] });
    const res = await exchangeCode(emu(), code, verifier);
    expect(res.body.refresh_token).toBeUndefined();
    expect(emu().store.refreshTokens.size).toBe(2); // the two fixture users' tokens only
  });

  it('a confidential client refreshing without its secret: 401 unauthorized_client', async () => {
    const res = await refresh(emu().user.refreshToken, basic(emu().app.clientId, 'nope'));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: 'unauthorized_client',
      error_description: 'Missing valid authorization header',
    });
    expect(emu().store.refreshTokens.get(emu().user.refreshToken)!.status).toBe('active');
  });
});

describe('access token lifetime', () => {
  const emu = useEmulator();

  it('an access token stops working after 7200 seconds with X 401 body', async () => {
    const { code, verifier } = await authorizationCode(emu());
    const { access_token } = (await exchangeCode(emu(), code, verifier)).body;
    emu().clock.advance(7_199_000);
    expect((await api(emu(), 'GET', '/2/users/me', { token: access_token })).status).toBe(200);
    emu().clock.advance(1_000);
    const res = await api(emu(), 'GET', '/2/users/me', { token: access_token });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
  });

  it('the refresh token outlives the access token', async () => {
    const issued = emu().issueToken();
    emu().clock.advance(7_200_000);
    expect((await api(emu(), 'GET', '/2/users/me', { token: issued.access_token })).status).toBe(401);
    const res = await tokenRequest(emu(), '/2/oauth2/token', {
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token!,
    });
    expect(res.status).toBe(200);
    expect((await api(emu(), 'GET', '/2/users/me', { token: res.body.access_token })).status).toBe(200);
  });
});
