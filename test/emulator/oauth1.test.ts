import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import {
  formatOAuthHeader,
  hmacSha1Signature,
  type OAuthParam,
  queryParameters,
  signatureBaseString,
} from '../../src/x/oauth/oauth1-signature.js';
import { api, useEmulator } from '../helpers/emulator.js';

const UNAUTHORIZED = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };

interface SignOptions {
  consumerKey?: string;
  consumerSecret?: string;
  token?: string;
  tokenSecret?: string;
  timestamp?: number;
  nonce?: string;
  /** Sign the request as if it were sent to this path (to prove what is covered by the signature). */
  signedPath?: string;
}

/** An `Authorization: OAuth …` header for the fixture user on the fixture app, per REFERENCE §2. */
function oauth1(emu: EmulatorHandle, method: string, path: string, options: SignOptions = {}): string {
  const url = `${emu.url}${options.signedPath ?? path}`;
  const oauth: OAuthParam[] = [
    ['oauth_consumer_key', options.consumerKey ?? emu.app.consumerKey],
    ['oauth_nonce', options.nonce ?? randomBytes(16).toString('hex')],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', String(options.timestamp ?? emu.clock.nowSeconds())],
    ['oauth_token', options.token ?? emu.user.oauth1.token],
    ['oauth_version', '1.0'],
  ];
  const base = signatureBaseString(method, url, [...queryParameters(url), ...oauth]);
  const signature = hmacSha1Signature(
    base,
    options.consumerSecret ?? emu.app.consumerSecret,
    options.tokenSecret ?? emu.user.oauth1.tokenSecret,
  );
  return formatOAuthHeader([...oauth, ['oauth_signature', signature]]);
}

function signed(
  emu: EmulatorHandle,
  method: string,
  path: string,
  options: SignOptions & { json?: unknown } = {},
) {
  return api(emu, method, path, {
    token: null,
    headers: { authorization: oauth1(emu, method, path, options) },
    ...(options.json === undefined ? {} : { json: options.json }),
  });
}

describe('OAuth 1.0a user context (REFERENCE §2)', () => {
  const emu = useEmulator();

  it('a request signed with the user token and the app consumer key reads /2/users/me', async () => {
    const res = await signed(emu(), 'GET', '/2/users/me');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: emu().user.id, username: emu().user.username });
  });

  it('query parameters are part of the signature', async () => {
    const path = '/2/users/me?user.fields=created_at%2Cdescription';
    expect((await signed(emu(), 'GET', path)).status).toBe(200);
    const unsignedQuery = await signed(emu(), 'GET', path, { signedPath: '/2/users/me' });
    expect(unsignedQuery.status).toBe(401);
    expect(unsignedQuery.body).toEqual(UNAUTHORIZED);
  });

  it.each<[string, (e: EmulatorHandle) => SignOptions]>([
    ['a wrong token secret', () => ({ tokenSecret: 'not-the-secret' })],
    ['a wrong consumer secret', () => ({ consumerSecret: 'not-the-secret' })],
    ['an unknown token', () => ({ token: '1-unknown' })],
    ['an unknown consumer key', () => ({ consumerKey: 'unknown-key' })],
    [
      'another app consumer key (the token was issued to the fixture app)',
      (e) => ({ consumerKey: e.publicApp.consumerKey, consumerSecret: e.publicApp.consumerSecret }),
    ],
    ['a timestamp 301 s in the past', (e) => ({ timestamp: e.clock.nowSeconds() - 301 })],
    ['a timestamp 301 s in the future', (e) => ({ timestamp: e.clock.nowSeconds() + 301 })],
  ])('answers %s with X 401', async (_, options) => {
    const res = await signed(emu(), 'GET', '/2/users/me', options(emu()));
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
  });

  it('a signature goes stale when the emulator clock moves more than 300 s past it', async () => {
    const header = oauth1(emu(), 'GET', '/2/users/me');
    emu().clock.advance(301_000);
    const res = await api(emu(), 'GET', '/2/users/me', { token: null, headers: { authorization: header } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
  });

  it('a nonce is accepted once: the replayed request gets 401', async () => {
    const header = oauth1(emu(), 'GET', '/2/users/me');
    const first = await api(emu(), 'GET', '/2/users/me', { token: null, headers: { authorization: header } });
    expect(first.status).toBe(200);
    const replay = await api(emu(), 'GET', '/2/users/me', {
      token: null,
      headers: { authorization: header },
    });
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual(UNAUTHORIZED);
  });

  it('a JSON body is not signed, so POST /2/tweets signs only method, URL and oauth_* (RFC 5849 §3.4.1.3)', async () => {
    const res = await signed(emu(), 'POST', '/2/tweets', { json: { text: 'signed with OAuth 1.0a' } });
    expect(res.status).toBe(201);
    expect(emu().store.posts.get(res.body.data.id)!.authorId).toBe(emu().user.id);
  });

  it('a read-only app gets the oauth1-permissions 403 on POST /2/tweets but may still read', async () => {
    const patched = await api(emu(), 'PATCH', `/__emulator/apps/${emu().app.clientId}`, {
      token: null,
      json: { oauth1_permissions: 'read' },
    });
    expect(patched.status).toBe(200);
    const post = await signed(emu(), 'POST', '/2/tweets', { json: { text: 'not allowed' } });
    expect(post.status).toBe(403);
    expect(post.body).toEqual({
      title: 'Forbidden',
      status: 403,
      detail:
        'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.',
      type: 'https://api.twitter.com/2/problems/oauth1-permissions',
    });
    expect(emu().store.posts.size).toBe(0);
    expect((await signed(emu(), 'GET', '/2/users/me')).status).toBe(200);
  });
});
