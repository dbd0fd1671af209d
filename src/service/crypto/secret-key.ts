import { createHash, randomBytes } from 'node:crypto';

/** AES-256 takes a 32-byte key. */
export const SECRET_KEY_BYTES = 32;

const HEX = /^[0-9a-fA-F]{64}$/;
/** Standard or URL-safe alphabet, padded or not: 32 bytes are 43 characters plus one `=`. */
const BASE64 = /^[A-Za-z0-9+/_-]{43}=?$/;

/** What to tell someone whose key is not usable; never includes the value. */
export const SECRET_KEY_HINT =
  'a key is 32 random bytes written as base64 or hex; make one with `openssl rand -base64 32`';

/**
 * Decode a key written as 64 hex digits or as base64 (standard or URL-safe, with or without the `=`).
 * Returns undefined for anything else, so callers word the error for their source (a variable, a
 * file) without ever echoing the text, which may be a real key with one character missing.
 */
export function parseSecretKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (HEX.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (BASE64.test(trimmed)) {
    const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === SECRET_KEY_BYTES) return key;
  }
  return undefined;
}

/** The text form the key file holds and `XPOST_SECRET_KEY` accepts: standard base64. */
export function formatSecretKey(key: Buffer): string {
  return key.toString('base64');
}

export function generateSecretKey(): Buffer {
  return randomBytes(SECRET_KEY_BYTES);
}

/**
 * A one-byte id for a key, stored in every sealed value so `open` knows which key sealed it. Derived
 * from the key (not its position in a list) so reordering or dropping old keys never mislabels data.
 * Two keys can share an id (1 in 256); `SecretBox` then tries each of them.
 */
export function secretKeyId(key: Buffer): number {
  return createHash('sha256').update('xpost secret-box key id\0').update(key).digest()[0]!;
}
