import { describe, expect, it } from 'vitest';
import {
  baseStringUri,
  formatOAuthHeader,
  hmacSha1Signature,
  normalizeParameters,
  type OAuthParam,
  parseOAuthHeader,
  percentEncode,
  queryParameters,
  signatureBaseString,
} from '../../../src/x/oauth/oauth1-signature.js';

/** The docs' worked example (REFERENCE §2, https://docs.x.com/fundamentals/authentication/oauth-1-0a/creating-a-signature). */
const VECTOR = {
  consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
  consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
  token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
  tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
  nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
  timestamp: '1318622958',
  status: 'Hello Ladies + Gentlemen, a signed OAuth request!',
};

function vectorParams(url: string): OAuthParam[] {
  return [
    ...queryParameters(url),
    ['status', VECTOR.status],
    ['oauth_consumer_key', VECTOR.consumerKey],
    ['oauth_nonce', VECTOR.nonce],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', VECTOR.timestamp],
    ['oauth_token', VECTOR.token],
    ['oauth_version', '1.0'],
  ];
}

function signVector(host: string): string {
  const url = `https://${host}/1.1/statuses/update.json?include_entities=true`;
  const base = signatureBaseString('post', url, vectorParams(url));
  return hmacSha1Signature(base, VECTOR.consumerSecret, VECTOR.tokenSecret);
}

describe('OAuth 1.0a HMAC-SHA1 signature (RFC 5849 §3.4)', () => {
  it('reproduces the docs test vector on api.x.com', () => {
    expect(signVector('api.x.com')).toBe('Ls93hJiZbQ3akF3HF3x1Bz8/zU4=');
  });

  it('gives the well-known signature on api.twitter.com: the host is signed', () => {
    expect(signVector('api.twitter.com')).toBe('hCtSmYh+iHYCEqBWrE7C7hYmtUk=');
  });

  it('builds the docs base string, parameters sorted and encoded twice', () => {
    const url = 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true';
    expect(signatureBaseString('POST', url, vectorParams(url))).toBe(
      'POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521',
    );
  });

  it('signs with an empty token secret as `consumer_secret&` (RFC 5849 §3.4.2)', () => {
    expect(hmacSha1Signature('base', 'secret')).toBe(hmacSha1Signature('base', 'secret', ''));
    expect(hmacSha1Signature('base', 'secret')).not.toBe(hmacSha1Signature('base', 'secret', 'x'));
  });
});

describe('percentEncode (RFC 3986 unreserved set)', () => {
  it.each([
    ['a space as %20, never +', 'a b', 'a%20b'],
    ['a plus sign', '+', '%2B'],
    ['the characters encodeURIComponent leaves alone', "!*'()", '%21%2A%27%28%29'],
    ['unreserved characters unchanged', 'AZaz09-._~', 'AZaz09-._~'],
    ['reserved characters', ':/?#[]@&=,;$', '%3A%2F%3F%23%5B%5D%40%26%3D%2C%3B%24'],
    ['a percent sign', '100%', '100%25'],
    ['non-ASCII as UTF-8 bytes in upper-case hex', 'é', '%C3%A9'],
    ['CJK text', '日本', '%E6%97%A5%E6%9C%AC'],
    ['an emoji outside the BMP', '😀', '%F0%9F%98%80'],
    ['an empty string', '', ''],
  ])('encodes %s', (_, input, expected) => {
    expect(percentEncode(input)).toBe(expected);
  });
});

describe('parameter normalisation and URLs', () => {
  it('sorts by encoded key, then by encoded value, keeping duplicates', () => {
    const params: OAuthParam[] = [
      ['b', '2'],
      ['a', 'z'],
      ['a', 'y'],
      ['a b', '1'],
      ['c', ''],
    ];
    expect(normalizeParameters(params)).toBe('a=y&a=z&a%20b=1&b=2&c=');
  });

  it('drops default ports, keeps others, lower-cases scheme and host, leaves out the query', () => {
    expect(baseStringUri('HTTPS://API.X.com:443/2/users/me?x=1#f')).toBe('https://api.x.com/2/users/me');
    expect(baseStringUri('http://127.0.0.1:80/2/tweets')).toBe('http://127.0.0.1/2/tweets');
    expect(baseStringUri('http://127.0.0.1:8080/2/tweets')).toBe('http://127.0.0.1:8080/2/tweets');
  });

  it('reads query parameters decoded, so they are encoded once by the signer', () => {
    expect(
      queryParameters('https://api.x.com/2/users/me?user.fields=created_at%2Cdescription&q=a+b'),
    ).toEqual([
      ['user.fields', 'created_at,description'],
      ['q', 'a b'],
    ]);
  });

  it('formats and parses the Authorization header symmetrically', () => {
    const header = formatOAuthHeader([
      ['oauth_token', 'a b'],
      ['oauth_consumer_key', 'key'],
      ['oauth_signature', 'abc+/='],
    ]);
    expect(header).toBe(
      'OAuth oauth_consumer_key="key", oauth_signature="abc%2B%2F%3D", oauth_token="a%20b"',
    );
    expect(Object.fromEntries(parseOAuthHeader(header)!)).toEqual({
      oauth_consumer_key: 'key',
      oauth_signature: 'abc+/=',
      oauth_token: 'a b',
    });
  });

  it('rejects a header with a repeated key and one that is not OAuth', () => {
    expect(parseOAuthHeader('OAuth a="1", a="2"')).toBeNull();
    expect(parseOAuthHeader('Bearer abc')).toBeNull();
  });
});
