import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, SecretBoxError, secretKeyId } from '../../src/service/crypto/index.js';

const PLAINTEXT = 'refresh-token-Zm9vYmFyLXNlY3JldA';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function openError(box: SecretBox, sealed: Buffer, aad?: string): SecretBoxError {
  try {
    box.open(sealed, aad);
  } catch (error) {
    expect(error).toBeInstanceOf(SecretBoxError);
    return error as SecretBoxError;
  }
  throw new Error('expected open to throw');
}

/** A key whose id differs from (or, with `same`, equals) `other`'s. */
function keyWithId(other: Buffer, same: boolean): Buffer {
  for (;;) {
    const key = randomBytes(32);
    if ((secretKeyId(key) === secretKeyId(other)) === same && !key.equals(other)) return key;
  }
}

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  it('round-trips strings (UTF-8), buffers and empty values, with and without AAD', () => {
    expect(box.openText(box.seal(PLAINTEXT))).toBe(PLAINTEXT);
    expect(box.openText(box.seal('héllo 🐦', 'account:1'), 'account:1')).toBe('héllo 🐦');
    const bytes = randomBytes(1000);
    expect(box.open(box.seal(bytes, Buffer.from([0, 1])), Buffer.from([0, 1]))).toEqual(bytes);
    expect(box.open(box.seal(''))).toEqual(Buffer.alloc(0));
  });

  it('writes version 1, the key id, a 12-byte IV, the ciphertext and a 16-byte tag', () => {
    const sealed = box.seal(PLAINTEXT);
    expect(sealed[0]).toBe(1);
    expect(sealed[1]).toBe(secretKeyId(key));
    expect(sealed.length).toBe(2 + IV_BYTES + Buffer.byteLength(PLAINTEXT) + TAG_BYTES);
    expect(sealed.includes(Buffer.from(PLAINTEXT))).toBe(false);
  });

  it('uses a fresh IV each time', () => {
    const a = box.seal(PLAINTEXT);
    const b = box.seal(PLAINTEXT);
    expect(a.subarray(2, 2 + IV_BYTES)).not.toEqual(b.subarray(2, 2 + IV_BYTES));
    expect(a).not.toEqual(b);
  });

  it.each([
    ['the IV', 2],
    ['the ciphertext', 2 + IV_BYTES + 3],
    ['the tag', -1],
  ])('detects a flipped bit in %s', (_, at) => {
    const sealed = box.seal(PLAINTEXT, 'a');
    for (const bit of [0, 7]) {
      const tampered = Buffer.from(sealed);
      const index = at < 0 ? tampered.length + at : at;
      tampered[index]! ^= 1 << bit;
      const error = openError(box, tampered, 'a');
      expect(error.code).toBe('authentication_failed');
      expect(error.message).toMatch(/altered, sealed with another key, or sealed for another record/);
    }
  });

  it('detects a changed version byte and key id byte', () => {
    const sealed = box.seal(PLAINTEXT);
    const version = Buffer.from(sealed);
    version[0] = 2;
    expect(openError(box, version).code).toBe('unsupported_version');
    const keyId = Buffer.from(sealed);
    keyId[1]! ^= 1;
    expect(openError(box, keyId).code).toBe('unknown_key');
  });

  it('detects truncation', () => {
    const sealed = box.seal(PLAINTEXT);
    expect(openError(box, sealed.subarray(0, 20)).code).toBe('malformed');
    expect(openError(box, sealed.subarray(0, sealed.length - 1)).code).toBe('authentication_failed');
  });

  it('refuses a wrong AAD, a missing one and an unexpected one', () => {
    const sealed = box.seal(PLAINTEXT, 'account:1:refresh_token');
    expect(openError(box, sealed, 'account:2:refresh_token').code).toBe('authentication_failed');
    expect(openError(box, sealed).code).toBe('authentication_failed');
    expect(openError(box, box.seal(PLAINTEXT), 'account:1').code).toBe('authentication_failed');
  });

  it('refuses a value sealed with another key whose id it shares, and one whose id it lacks', () => {
    const sameId = new SecretBox(keyWithId(key, true));
    expect(openError(box, sameId.seal(PLAINTEXT)).code).toBe('authentication_failed');
    const otherId = new SecretBox(keyWithId(key, false));
    const error = openError(box, otherId.seal(PLAINTEXT));
    expect(error.code).toBe('unknown_key');
    expect(error.message).toContain('XPOST_SECRET_KEY_OLD');
  });

  it('never puts plaintext or key material in its errors', () => {
    const sealed = box.seal(PLAINTEXT, 'x');
    const texts = [
      openError(box, sealed, 'y'),
      openError(new SecretBox(keyWithId(key, false)), sealed, 'x'),
      openError(box, sealed.subarray(0, 5)),
    ].map((e) => `${e.message} ${e.stack} ${JSON.stringify(e)}`);
    for (const text of texts) {
      expect(text).not.toContain(PLAINTEXT);
      for (const encoding of ['hex', 'base64'] as const) {
        expect(text).not.toContain(key.toString(encoding));
        expect(text).not.toContain(sealed.toString(encoding));
      }
    }
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow('the current key must be 32 bytes');
    expect(() => new SecretBox(key, [randomBytes(31)])).toThrow('old key 1 must be 32 bytes');
  });
});

describe('SecretBox key rotation', () => {
  const oldKey = randomBytes(32);
  const newKey = keyWithId(oldKey, false);

  it('opens what an old key sealed, seals with the current one, and says what needs rotating', () => {
    const before = new SecretBox(oldKey).seal(PLAINTEXT, 'aad');
    const box = new SecretBox(newKey, [oldKey]);
    expect(box.openText(before, 'aad')).toBe(PLAINTEXT);
    expect(box.needsRotation(before)).toBe(true);
    const after = box.seal(box.open(before, 'aad'), 'aad');
    expect(after[1]).toBe(secretKeyId(newKey));
    expect(box.needsRotation(after)).toBe(false);
    // Once every value is resealed, the old key can go.
    expect(new SecretBox(newKey).openText(after, 'aad')).toBe(PLAINTEXT);
    expect(openError(new SecretBox(newKey), before, 'aad').code).toBe('unknown_key');
  });

  it('tells keys apart when an old key shares the current key id', () => {
    const twin = keyWithId(newKey, true);
    const box = new SecretBox(newKey, [twin]);
    const byTwin = new SecretBox(twin).seal(PLAINTEXT, 'aad');
    expect(box.openText(byTwin, 'aad')).toBe(PLAINTEXT);
    expect(box.needsRotation(byTwin, 'aad')).toBe(true);
    expect(box.needsRotation(box.seal(PLAINTEXT, 'aad'), 'aad')).toBe(false);
  });

  it('does not depend on the order of the old keys', () => {
    const third = randomBytes(32);
    const sealed = new SecretBox(oldKey).seal(PLAINTEXT);
    expect(new SecretBox(newKey, [third, oldKey]).openText(sealed)).toBe(PLAINTEXT);
    expect(new SecretBox(newKey, [oldKey, third]).openText(sealed)).toBe(PLAINTEXT);
  });
});
