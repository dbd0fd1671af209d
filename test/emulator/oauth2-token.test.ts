import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';
import {
  authorizationCode,
  basic,
  exchangeCode,
  POSTING_SCOPES,
  pkcePair,
  REDIRECT_URI,
  tokenRequest,
} from '../helpers/oauth2-flow.js';

const INVALID_CODE = {
  error: 'invalid_request',
  error_description: 'Value passed for the authorization code was invalid.',
};
const MISSING_AUTH_HEADER = {
  error: 'unauthorized_client',
  error_description: 'Missing valid authorization header',
};

describe('POST /2/oauth2/token, grant_type=authorization_code', () => {
  const emu = useEmulator();

  it('confidential client: consent page, Approve, Basic auth exchange, and the token works', async () => {
    const { code, verifier } = await authorizationCode(emu());
    const res = await exchangeCode(emu(), code, verifier);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(res.body)).toEqual([
      'token_type',
      'expires_in',
      'access_token',
      'scope',
      'refresh_token',
    ]);
    expect(res.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 7200,
      scope: POSTING_SCOPES.join(' '),
    });
    const me = await api(emu(), 'GET', '/2/users/me', { token: res.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ id: emu().user.id, username: emu().user.username });
  });

  it('public client: client_id in the body, no secret', async () => {
    const { code, verifier } = await authorizationCode(emu(), {
      clientId: emu().publicApp.clientId,
      userId: emu().otherUser.id,
    });
    const ok = await exchangeCode(emu(), code, verifier, { client_id: emu().publicApp.clientId }, null);
    expect(ok.status).toBe(200);
    expect(ok.body.refresh_token).toEqual(expect.any(String));
    const me = await api(emu(), 'GET', '/2/users/me', { token: ok.body.access_token });
    expect(me.body.data.id).toBe(emu().otherUser.id);
  });

  it('accepts code_challenge_method=plain', async () => {
    const { code, verifier } = await authorizationCode(emu(), { method: 'plain' });
    expect((await exchangeCode(emu(), code, verifier)).status).toBe(200);
  });

  it('leaves out refresh_token when offline.access was not granted', async () => {
    const { code, verifier } = await authorizationCode(emu(), { scopes: ['tweet.read', 'users.read'] });
    const res = await exchangeCode(emu(), code, verifier);
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('tweet.read users.read');
    expect(res.body).not.toHaveProperty('refresh_token');
  });

  it('a code expires after 30 seconds of emulator time', async () => {
    const { code, verifier } = await authorizationCode(emu());
    emu().clock.advance(31_000);
    const res = await exchangeCode(emu(), code, verifier);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(INVALID_CODE);
  });

  it('a code still works at 29 seconds', async () => {
    const { code, verifier } = await authorizationCode(emu());
    emu().clock.advance(29_000);
    expect((await exchangeCode(emu(), code, verifier)).status).toBe(200);
  });

  it('a code is single use, and its reuse revokes the tokens it bought (RFC 6749 §4.1.2)', async () => {
    const { code, verifier } = await authorizationCode(emu());
    const first = await exchangeCode(emu(), code, verifier);
    expect(first.status).toBe(200);
    const refreshed = await tokenRequest(emu(), '/2/oauth2/token', {
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token,
    });
    expect(refreshed.status).toBe(200);

    const again = await exchangeCode(emu(), code, verifier);
    expect(again.status).toBe(400);
    expect(again.body).toEqual(INVALID_CODE);
    for (const token of [first.body.access_token, refreshed.body.access_token]) {
      expect(emu().store.accessTokens.get(token)!.revoked).toBe(true);
      expect((await api(emu(), 'GET', '/2/users/me', { token })).status).toBe(401);
    }
    expect(emu().store.refreshTokens.get(refreshed.body.refresh_token)!.status).toBe('revoked');
  });

  it.each([
    ['an unknown code', { code: 'nope' }],
    ['a different redirect_uri', { redirect_uri: 'http://localhost:8976/callback' }],
    ['a wrong code_verifier', { code_verifier: pkcePair().verifier }],
    ['a code_verifier of 42 characters', { code_verifier: 'a'.repeat(42) }],
    ['a code_verifier with a character outside [A-Za-z0-9-._~]', { code_verifier: `${'a'.repeat(43)}+` }],
  ])('answers %s with the invalid-code 400', async (_, override) => {
    const { code, verifier } = await authorizationCode(emu());
    const res = await exchangeCode(emu(), code, verifier, override);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(INVALID_CODE);
  });

  it('a code belongs to the client it was issued to', async () => {
    const { code, verifier } = await authorizationCode(emu(), { clientId: emu().publicApp.clientId });
    const res = await exchangeCode(emu(), code, verifier);
    expect(res.body).toEqual(INVALID_CODE);
  });

  it.each(['code', 'redirect_uri', 'code_verifier', 'grant_type'])('names a missing %s', async (name) => {
    const { code, verifier } = await authorizationCode(emu());
    const form: Record<string, string> = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    };
    delete form[name];
    const res = await tokenRequest(emu(), '/2/oauth2/token', form);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: `Missing required parameter [${name}].`,
    });
  });

  it('answers an unsupported grant type with unsupported_grant_type', async () => {
    const res = await tokenRequest(emu(), '/2/oauth2/token', { grant_type: 'password' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unsupported_grant_type');
  });
});

describe('POST /2/oauth2/token, client authentication', () => {
  const emu = useEmulator();

  async function codeForm(clientId?: string) {
    const { code, verifier } = await authorizationCode(emu(), clientId ? { clientId } : {});
    return { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier };
  }

  it('confidential client without a Basic header: 401 unauthorized_client', async () => {
    const form = await codeForm();
    const res = await tokenRequest(
      emu(),
      '/2/oauth2/token',
      { ...form, client_id: emu().app.clientId },
      null,
    );
    expect(res.status).toBe(401);
    expect(res.body).toEqual(MISSING_AUTH_HEADER);
  });

  it('confidential client with a wrong secret: 401 unauthorized_client', async () => {
    const form = await codeForm();
    const res = await tokenRequest(emu(), '/2/oauth2/token', form, basic(emu().app.clientId, 'wrong'));
    expect(res.status).toBe(401);
    expect(res.body).toEqual(MISSING_AUTH_HEADER);
  });

  it('confidential client with an unreadable Basic header: 401 unauthorized_client', async () => {
    const form = await codeForm();
    const res = await tokenRequest(emu(), '/2/oauth2/token', form, 'Basic !!!');
    expect(res.status).toBe(401);
    expect(res.body).toEqual(MISSING_AUTH_HEADER);
  });

  it('a failed client authentication does not spend the code', async () => {
    const form = await codeForm();
    await tokenRequest(emu(), '/2/oauth2/token', form, basic(emu().app.clientId, 'wrong'));
    expect((await tokenRequest(emu(), '/2/oauth2/token', form)).status).toBe(200);
  });

  it('public client without client_id: 400 Missing required parameter [client_id].', async () => {
    const form = await codeForm(emu().publicApp.clientId);
    const res = await tokenRequest(emu(), '/2/oauth2/token', form, null);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'Missing required parameter [client_id].',
    });
  });

  it('unknown client, in the body or in Basic: 401 invalid_client', async () => {
    const form = await codeForm();
    const inBody = await tokenRequest(emu(), '/2/oauth2/token', { ...form, client_id: 'who' }, null);
    expect(inBody.status).toBe(401);
    expect(inBody.body.error).toBe('invalid_client');
    const inBasic = await tokenRequest(emu(), '/2/oauth2/token', form, basic('who', 'secret'));
    expect(inBasic.status).toBe(401);
    expect(inBasic.body.error).toBe('invalid_client');
  });

  it('a body client_id naming another client than Basic: 401 invalid_client', async () => {
    const form = await codeForm();
    const res = await tokenRequest(emu(), '/2/oauth2/token', {
      ...form,
      client_id: emu().publicApp.clientId,
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('Basic auth plus the same client_id in the body is fine', async () => {
    const form = await codeForm();
    const res = await tokenRequest(emu(), '/2/oauth2/token', { ...form, client_id: emu().app.clientId });
    expect(res.status).toBe(200);
  });

  it('a form body is required: JSON reads as no parameters', async () => {
    const res = await api(emu(), 'POST', '/2/oauth2/token', {
      token: null,
      headers: { authorization: basic(emu().app.clientId, emu().app.clientSecret!) },
      json: { grant_type: 'authorization_code' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'Missing required parameter [grant_type].',
    });
  });

  it('is not rate limited, though the request log counts it', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await tokenRequest(emu(), '/2/oauth2/token', { grant_type: 'password' });
      expect(res.headers.get('x-rate-limit-limit')).toBeNull();
    }
    expect(emu().requestCounts()['POST /2/oauth2/token']).toBe(3);
  });
});
