import { describe, expect, it } from 'vitest';
import { oauth1UserAuth } from '../../../src/x/auth/oauth1-user-auth.js';
import { XClient } from '../../../src/x/client.js';
import { parseOAuthHeader } from '../../../src/x/oauth/oauth1-signature.js';
import { buildUrl } from '../../../src/x/request/build-url.js';
import type { XRequest } from '../../../src/x/request/types.js';
import { useEmulator } from '../../helpers/emulator.js';

const emu = useEmulator();

function provider(overrides: { nonce?: () => string } = {}) {
  const e = emu();
  return oauth1UserAuth({
    consumerKey: e.app.consumerKey!,
    consumerSecret: e.app.consumerSecret!,
    token: e.user.oauth1.token,
    tokenSecret: e.user.oauth1.tokenSecret,
    clock: e.clock,
    ...overrides,
  });
}

function client(auth = provider()) {
  return new XClient({ auth, apiBase: emu().url, maxRetries: 0 });
}

const me = (query?: XRequest['query']): XRequest => ({
  method: 'GET',
  path: '/2/users/me',
  endpoint: 'GET /2/users/me',
  ...(query ? { query } : {}),
  auth: { kind: 'user' },
  idempotent: true,
});

describe('oauth1UserAuth', () => {
  it('signs GET /2/users/me, query parameters included', async () => {
    const response = await client().request<{ data: { id: string } }>(
      me({ 'user.fields': ['created_at', 'description'] }),
    );
    expect(response.data.data.id).toBe(emu().user.id);
  });

  it('signs POST /2/tweets without signing its JSON body', async () => {
    const response = await client().request<{ data: { id: string } }>({
      method: 'POST',
      path: '/2/tweets',
      endpoint: 'POST /2/tweets',
      json: { text: 'signed with OAuth 1.0a: a b+c & d' },
      auth: { kind: 'user' },
      idempotent: false,
    });
    expect(response.status).toBe(201);
  });

  it('signs form parameters: X authenticates the request, then refuses the form for its content type', async () => {
    const raw = await client().send({
      method: 'POST',
      path: '/2/tweets',
      endpoint: 'POST /2/tweets',
      form: { text: 'a form + spaces & symbols' },
      auth: { kind: 'user' },
      idempotent: false,
    });
    // 401 would mean the signature did not cover the form; 400 is the content-type check after auth.
    expect(raw.status).toBe(400);
  });

  it('uses a fresh random nonce and the injected clock for every request', async () => {
    const auth = provider();
    const request = me();
    const url = buildUrl(emu().url, request);
    const first = parseOAuthHeader((await auth.authorize(request, url)).authorization!)!;
    const second = parseOAuthHeader((await auth.authorize(request, url)).authorization!)!;
    expect(first.get('oauth_nonce')).not.toBe(second.get('oauth_nonce'));
    expect(first.get('oauth_nonce')).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(first.get('oauth_timestamp'))).toBe(Math.floor(emu().clock.now() / 1000));
  });

  it('a replayed nonce is refused by X: the nonce option is for tests only', async () => {
    const c = client(provider({ nonce: () => 'fixed-nonce' }));
    emu().clock.setScale(0);
    expect((await c.send(me())).status).toBe(200);
    expect((await c.send(me())).status).toBe(401);
  });

  it('names its subject after the user id at the start of the token', () => {
    expect(provider().subject()).toBe(emu().user.oauth1.token.split('-')[0]);
  });

  it('tells the fix when a credential is missing', () => {
    expect(() =>
      oauth1UserAuth({ consumerKey: 'k', consumerSecret: '', token: 't', tokenSecret: 's' }),
    ).toThrow(/consumerSecret/);
  });
});
