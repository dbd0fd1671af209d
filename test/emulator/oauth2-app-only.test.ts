import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';
import { basic, tokenRequest } from '../helpers/oauth2-flow.js';

describe('POST /oauth2/token, grant_type=client_credentials (app-only)', () => {
  const emu = useEmulator();

  it('gives the app-only bearer token for the consumer key and secret', async () => {
    const res = await tokenRequest(
      emu(),
      '/oauth2/token',
      { grant_type: 'client_credentials' },
      basic(emu().app.consumerKey, emu().app.consumerSecret),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token_type: 'bearer', access_token: emu().app.bearerToken });
  });

  it('the app-only token is refused on user-context routes with 403 Unsupported Authentication', async () => {
    const res = await api(emu(), 'GET', '/2/users/me', { token: emu().app.bearerToken });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      title: 'Unsupported Authentication',
      detail:
        'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].',
      type: 'https://api.twitter.com/2/problems/unsupported-authentication',
      status: 403,
    });
  });

  it.each([
    ['a wrong consumer secret', () => basic(emu().app.consumerKey, 'nope')],
    ['the OAuth 2.0 client id and secret instead', () => basic(emu().app.clientId, emu().app.clientSecret!)],
    ['no Authorization header', () => null],
  ])('answers %s with the v1.1 403 code 99', async (_, authorization) => {
    const res = await tokenRequest(
      emu(),
      '/oauth2/token',
      { grant_type: 'client_credentials' },
      authorization(),
    );
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      errors: [{ code: 99, message: 'Unable to verify your credentials', label: 'authenticity_token_error' }],
    });
  });

  it('answers a missing grant_type with the v1.1 403 code 170', async () => {
    const res = await tokenRequest(
      emu(),
      '/oauth2/token',
      {},
      basic(emu().app.consumerKey, emu().app.consumerSecret),
    );
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      errors: [
        {
          code: 170,
          message: 'Missing required parameter: grant_type',
          label: 'forbidden_missing_parameter',
        },
      ],
    });
  });
});
