import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  formatOAuthHeader,
  hmacSha1Signature,
  signatureBaseString,
} from '../../src/x/oauth/oauth1-signature.js';
import { useEmulator } from '../helpers/emulator.js';

/** A GET with a chosen Host header (fetch will not let us set Host). */
function getWithHost(url: string, path: string, host: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(`${url}${path}`, { headers: { ...headers, host } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => {
        text += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('any Host header', () => {
  const emu = useEmulator();

  it('serves a client configured for api.x.com', async () => {
    const res = await getWithHost(emu().url, '/2/users/me', 'api.x.com', {
      authorization: `Bearer ${emu().user.accessToken}`,
    });
    expect(res.status).toBe(200);
    expect(res.body.data.username).toBe(emu().user.username);
  });

  it('verifies an OAuth 1.0a signature made for https://api.x.com behind a TLS-terminating proxy', async () => {
    const { app, user } = emu();
    const oauth: Array<[string, string]> = [
      ['oauth_consumer_key', app.consumerKey],
      ['oauth_nonce', 'host-header-test-nonce'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', String(emu().clock.nowSeconds())],
      ['oauth_token', user.oauth1.token],
      ['oauth_version', '1.0'],
    ];
    const base = signatureBaseString('GET', 'https://api.x.com/2/users/me?user.fields=created_at', [
      ...oauth,
      ['user.fields', 'created_at'],
    ]);
    const signature = hmacSha1Signature(base, app.consumerSecret, user.oauth1.tokenSecret);
    const authorization = formatOAuthHeader([...oauth, ['oauth_signature', signature]]);
    const res = await getWithHost(emu().url, '/2/users/me?user.fields=created_at', 'api.x.com', {
      authorization,
      'x-forwarded-proto': 'https',
    });
    expect(res.status).toBe(200);
    expect(res.body.data.created_at).toBeDefined();
    // Signed for another host: rejected, because the host is part of what is signed.
    const wrongHost = await getWithHost(emu().url, '/2/users/me?user.fields=created_at', 'api.twitter.com', {
      authorization: formatOAuthHeader([
        ...oauth.map(([k, v]) => [k, k === 'oauth_nonce' ? 'other' : v] as [string, string]),
        ['oauth_signature', signature],
      ]),
      'x-forwarded-proto': 'https',
    });
    expect(wrongHost.status).toBe(401);
  });
});
