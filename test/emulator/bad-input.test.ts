import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';

// Every X route the emulator serves, with placeholders for ids.
const ROUTES: Array<[method: string, path: string]> = [
  ['GET', '/i/oauth2/authorize'],
  ['POST', '/i/oauth2/authorize'],
  ['POST', '/2/oauth2/token'],
  ['POST', '/2/oauth2/revoke'],
  ['POST', '/oauth2/token'],
  ['GET', '/2/users/me'],
  ['GET', '/2/users/1580000000000000001/tweets'],
  ['GET', '/2/users/abc/tweets'],
  ['POST', '/2/tweets'],
  ['GET', '/2/tweets/1234567890123456789'],
  ['GET', '/2/tweets/not-a-number'],
  ['DELETE', '/2/tweets/1234567890123456789'],
  ['DELETE', '/2/tweets/x'],
  ['POST', '/2/media/upload'],
  ['GET', '/2/media/upload'],
  ['POST', '/2/media/upload/initialize'],
  ['POST', '/2/media/upload/1234567890123456789/append'],
  ['POST', '/2/media/upload/nope/append'],
  ['POST', '/2/media/upload/1234567890123456789/finalize'],
  ['POST', '/2/media/metadata'],
];

const BODIES: Array<[contentType: string | undefined, body: string | Uint8Array | undefined]> = [
  [undefined, undefined],
  ['application/json', ''],
  ['application/json', '{'],
  ['application/json', 'null'],
  ['application/json', '[]'],
  ['application/json', '"text"'],
  ['application/json', '{"text": 5, "media": "x", "poll": {"options": 3}}'],
  ['application/json', JSON.stringify({ __proto__: { admin: true }, constructor: { prototype: {} } })],
  ['application/json', JSON.stringify({ id: {}, media_type: [], total_bytes: '1e999', metadata: null })],
  ['text/plain', 'hello'],
  ['application/x-www-form-urlencoded', 'a=1&a=2&grant_type[]=x&%zz'],
  ['multipart/form-data', '--x\r\nnot really multipart'],
  ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="media"\r\n\r\nabc\r\n'],
  ['application/octet-stream', new Uint8Array(1024)],
];

const AUTH_HEADERS = [
  undefined,
  'Bearer',
  'Bearer   ',
  'Basic !!!',
  'OAuth',
  'OAuth oauth_consumer_key="x", oauth_consumer_key="y"',
  'OAuth oauth_signature="%E0%A4%A"',
  `Bearer ${'a'.repeat(10_000)}`,
];

describe('bad input never breaks the emulator', () => {
  const emu = useEmulator();

  it('answers every route × body with an error below 500 (or success), never a crash', async () => {
    const failures: string[] = [];
    for (const [method, path] of ROUTES) {
      for (const [contentType, body] of BODIES) {
        if (method === 'GET' && body !== undefined) continue;
        const headers: Record<string, string> = {};
        if (contentType) headers['content-type'] = contentType;
        const res = await api(emu(), method, path, { body, headers });
        if (res.status >= 500)
          failures.push(`${method} ${path} [${contentType}] → ${res.status} ${res.text}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers malformed Authorization headers with 401 and X body', async () => {
    for (const authorization of AUTH_HEADERS) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      const res = await api(emu(), 'GET', '/2/users/me', { token: null, headers });
      expect(res.status, String(authorization).slice(0, 40)).toBe(401);
      expect(res.body).toEqual({
        title: 'Unauthorized',
        type: 'about:blank',
        status: 401,
        detail: 'Unauthorized',
      });
    }
  });

  it('authenticates before validating: a bad body without a token is a 401, as at X', async () => {
    const plain = await api(emu(), 'POST', '/2/tweets', {
      token: null,
      body: 'hi',
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.status).toBe(401);
    const invalid = await api(emu(), 'POST', '/2/tweets', {
      token: null,
      json: { media: { media_ids: [] } },
    });
    expect(invalid.status).toBe(401);
  });

  it('answers odd query strings without failing', async () => {
    for (const query of [
      '?command=STATUS',
      '?media_id=',
      '?media_id=abc&media_id=def',
      '?max_results=-1',
      '?%E0%A4%A=1',
      '?tweet.fields=nonsense',
    ]) {
      for (const path of [
        '/2/media/upload',
        '/2/users/me',
        '/2/tweets/1234567890123456789',
        '/2/users/1580000000000000001/tweets',
      ]) {
        const res = await api(emu(), 'GET', `${path}${query}`);
        expect(res.status, `${path}${query}`).toBeLessThan(500);
      }
    }
  });

  it('is still healthy afterwards', async () => {
    const res = await api(emu(), 'GET', '/2/users/me');
    expect(res.status).toBe(200);
  });
});
