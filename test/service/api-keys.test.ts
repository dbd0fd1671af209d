import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_LENGTH,
  ApiKeyError,
  apiKeyPrefix,
  createApiKey,
  hashApiKey,
  isApiKeyFormat,
  parseBearer,
  verifyApiKey,
} from '../../src/service/auth/api-keys.js';

function bearerError(header: string | string[] | undefined): ApiKeyError {
  try {
    parseBearer(header);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiKeyError);
    return error as ApiKeyError;
  }
  throw new Error('expected parseBearer to throw');
}

describe('createApiKey', () => {
  it('makes xpk_live_ and 43 base62 characters, a listing prefix and the SHA-256', () => {
    const { key, prefix, hash } = createApiKey();
    expect(key).toMatch(/^xpk_live_[0-9A-Za-z]{43}$/);
    expect(key.length).toBe(API_KEY_LENGTH);
    expect(prefix).toBe(key.slice(0, 17));
    expect(apiKeyPrefix(key)).toBe(prefix);
    expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hashApiKey(key)).toBe(hash);
    expect(isApiKeyFormat(key)).toBe(true);
  });

  it('encodes all 32 random bytes: the extremes map to distinct fixed-length keys', () => {
    const zero = createApiKey(() => Buffer.alloc(32, 0)).key;
    const max = createApiKey(() => Buffer.alloc(32, 0xff)).key;
    expect(zero).toBe(`xpk_live_${'0'.repeat(43)}`);
    expect(max.length).toBe(API_KEY_LENGTH);
    expect(BigInt(`0x${'ff'.repeat(32)}`)).toBe(fromBase62(max.slice(9)));
    const one = Buffer.alloc(32);
    one[31] = 1;
    expect(createApiKey(() => one).key).toBe(`xpk_live_${'0'.repeat(42)}1`);
  });

  it('draws from the CSPRNG: 2000 keys are distinct and their characters look uniform', () => {
    const keys = Array.from({ length: 2000 }, () => createApiKey().key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(keys.map(apiKeyPrefix)).size).toBe(keys.length);
    // The first body character is biased by the padding (62^43 > 2^256); look at the rest.
    const counts = new Map<string, number>();
    for (const key of keys) for (const c of key.slice(10)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (keys.length * 42) / 62;
    const chiSquare = [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    // 61 degrees of freedom: mean 61, p < 1e-6 above about 130 (so this does not flake).
    expect(chiSquare).toBeLessThan(130);
  });
});

describe('verifyApiKey', () => {
  it('accepts the key its hash came from and nothing else', () => {
    const { key, hash } = createApiKey();
    expect(verifyApiKey(key, hash)).toBe(true);
    expect(verifyApiKey(createApiKey().key, hash)).toBe(false);
    expect(verifyApiKey(`${key.slice(0, -1)}x`, hash)).toBe(false);
    expect(verifyApiKey(key, hash.toUpperCase())).toBe(false);
    expect(verifyApiKey(key, 'not-a-hash')).toBe(false);
    expect(verifyApiKey(key, '')).toBe(false);
  });
});

describe('parseBearer', () => {
  const { key } = createApiKey();

  it('returns the key from a Bearer header, the scheme in any case', () => {
    expect(parseBearer(`Bearer ${key}`)).toBe(key);
    expect(parseBearer(`bearer  ${key}`)).toBe(key);
    expect(parseBearer(`BEARER ${key} `)).toBe(key);
  });

  it.each([[undefined], [''], [[]]])('says a missing header (%j) is missing', (header) => {
    const error = bearerError(header as string | undefined);
    expect(error.code).toBe('missing_authorization');
    expect(error.statusCode).toBe(401);
    expect(error.message).toContain('Authorization: Bearer <api key>');
    expect(error.message).toContain('xpost keys create');
  });

  it.each([
    ['Basic', `Basic ${Buffer.from(`u:${key}`).toString('base64')}`, 'a Basic credential'],
    ['no scheme', key, 'no Bearer credential'],
    ['an empty token', 'Bearer ', 'no Bearer credential'],
    ['two tokens', `Bearer ${key} ${key}`, 'no Bearer credential'],
  ])('refuses %s without echoing the header', (_, header, words) => {
    const error = bearerError(header);
    expect(error.code).toBe('malformed_authorization');
    expect(error.message).toContain(words);
    expect(error.message).not.toContain(key);
    if (header.length > 20) expect(error.message).not.toContain(header.slice(6, 20));
  });

  it('refuses several Authorization headers', () => {
    expect(bearerError([`Bearer ${key}`, `Bearer ${key}`]).code).toBe('malformed_authorization');
  });

  it.each([
    ['a token of another service', 'ghp_0123456789abcdefghijABCDEFGHIJ0123456789'],
    ['a truncated key', key.slice(0, -1)],
    ['a test-mode key', key.replace('xpk_live_', 'xpk_test_')],
    ['a key with a bad character', `${key.slice(0, -1)}-`],
  ])('refuses %s before any lookup, without echoing it', (_, token) => {
    const error = bearerError(`Bearer ${token}`);
    expect(error.code).toBe('malformed_api_key');
    expect(error.message).toContain('xpk_live_');
    expect(error.message).not.toContain(token);
  });
});

function fromBase62(text: string): bigint {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let n = 0n;
  for (const c of text) n = n * 62n + BigInt(alphabet.indexOf(c));
  return n;
}
