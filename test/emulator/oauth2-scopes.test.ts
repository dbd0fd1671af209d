import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';
import { authorizationCode, exchangeCode } from '../helpers/oauth2-flow.js';

const FORBIDDEN = { title: 'Forbidden', type: 'about:blank', status: 403, detail: 'Forbidden' };

describe('OAuth 2.0 scopes are enforced by user routes', () => {
  const emu = useEmulator();

  it('a token without tweet.write gets the generic 403 on POST /2/tweets', async () => {
    const { access_token } = emu().issueToken({ scopes: ['tweet.read', 'users.read'] });
    const res = await api(emu(), 'POST', '/2/tweets', { token: access_token, json: { text: 'hello' } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(FORBIDDEN);
  });

  it('the same token reads /2/users/me, which needs only tweet.read and users.read', async () => {
    const { access_token } = emu().issueToken({ scopes: ['tweet.read', 'users.read'] });
    expect((await api(emu(), 'GET', '/2/users/me', { token: access_token })).status).toBe(200);
  });

  it('a token granted through the consent page carries exactly the scopes approved', async () => {
    const { code, verifier } = await authorizationCode(emu(), { scopes: ['users.read', 'tweet.read'] });
    const { access_token, scope } = (await exchangeCode(emu(), code, verifier)).body;
    expect(scope).toBe('users.read tweet.read');
    const res = await api(emu(), 'POST', '/2/tweets', { token: access_token, json: { text: 'hi' } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(FORBIDDEN);
  });

  it('a token with tweet.write, tweet.read and users.read may post', async () => {
    const { access_token } = emu().issueToken({ scopes: ['tweet.read', 'tweet.write', 'users.read'] });
    const res = await api(emu(), 'POST', '/2/tweets', { token: access_token, json: { text: 'scoped post' } });
    expect(res.status).toBe(201);
  });
});
