import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretBoxError } from './secret-box-error.js';
import { SECRET_KEY_BYTES, secretKeyId } from './secret-key.js';

/**
 * Secrets at rest (DESIGN, "secrets at rest"): AES-256-GCM from node:crypto. A sealed value is
 *
 *   | version (1) | key id (1) | IV (12, random) | ciphertext (n) | tag (16) |
 *
 * The version and key id are authenticated too (they are part of the AAD), so neither can be
 * swapped. Pass an AAD that names where the value lives (`account:<id>:refresh_token`): a sealed
 * token copied into another row or column then fails to open instead of being used as that one.
 *
 * A random 96-bit IV per seal is safe for about 2^32 seals per key (NIST SP 800-38D §8.3); tokens
 * are sealed a few times a day per account, far below that.
 */

export const SEALED_VERSION = 1;
const ALGORITHM = 'aes-256-gcm';
const HEADER_BYTES = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MIN_SEALED_BYTES = HEADER_BYTES + IV_BYTES + TAG_BYTES;

interface KeyEntry {
  readonly id: number;
  readonly key: Buffer;
}

export class SecretBox {
  readonly #current: KeyEntry;
  /** The current key first, then the old ones in the order given. */
  readonly #all: readonly KeyEntry[];

  /**
   * @param currentKey seals everything and opens what it sealed.
   * @param previousKeys open what they sealed (after a rotation); `needsRotation` finds that data.
   */
  constructor(currentKey: Buffer, previousKeys: readonly Buffer[] = []) {
    const entries = [currentKey, ...previousKeys].map((key, index) => {
      if (!Buffer.isBuffer(key) || key.length !== SECRET_KEY_BYTES) {
        const which = index === 0 ? 'the current key' : `old key ${index}`;
        throw new TypeError(`SecretBox: ${which} must be ${SECRET_KEY_BYTES} bytes`);
      }
      // Copy: the caller's buffer may be reused or zeroed.
      return { id: secretKeyId(key), key: Buffer.from(key) };
    });
    // A key listed twice (current also among the old ones) would only cost a second decrypt attempt.
    this.#all = entries.filter((entry, i) => entries.findIndex((e) => e.key.equals(entry.key)) === i);
    this.#current = this.#all[0]!;
  }

  /** The id written into values sealed now; for metrics and `xpost keys rotate` progress. */
  get currentKeyId(): number {
    return this.#current.id;
  }

  seal(plaintext: string | Buffer, aad?: string | Buffer): Buffer {
    const header = Buffer.from([SEALED_VERSION, this.#current.id]);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(fullAad(header, aad));
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    return Buffer.concat([header, iv, ciphertext, cipher.getAuthTag()]);
  }

  open(sealed: Buffer, aad?: string | Buffer): Buffer {
    const header = readHeader(sealed);
    const candidates = this.#all.filter((entry) => entry.id === header.keyId);
    if (candidates.length === 0) {
      throw new SecretBoxError(
        'unknown_key',
        `sealed value was made with a key this service does not have (key id ${header.keyId}); ` +
          'if XPOST_SECRET_KEY was changed, list the previous key in XPOST_SECRET_KEY_OLD',
      );
    }
    for (const entry of candidates) {
      const plaintext = tryOpen(entry.key, sealed, aad);
      if (plaintext) return plaintext;
    }
    throw new SecretBoxError(
      'authentication_failed',
      'sealed value failed authentication: it was altered, sealed with another key, or sealed for ' +
        'another record (the AAD differs)',
    );
  }

  /** `open` decoded as UTF-8: tokens and client secrets are text. */
  openText(sealed: Buffer, aad?: string | Buffer): string {
    return this.open(sealed, aad).toString('utf8');
  }

  /**
   * True when `sealed` should be opened and sealed again: it was made with an old key or an older
   * format. Checks the header only, unless an old key shares the current key's id.
   */
  needsRotation(sealed: Buffer, aad?: string | Buffer): boolean {
    const header = readHeader(sealed);
    if (header.keyId !== this.#current.id) return true;
    const sharesId = this.#all.some((entry) => entry !== this.#current && entry.id === this.#current.id);
    return sharesId && tryOpen(this.#current.key, sealed, aad) === undefined;
  }
}

function readHeader(sealed: Buffer): { version: number; keyId: number } {
  if (!Buffer.isBuffer(sealed) || sealed.length < MIN_SEALED_BYTES) {
    throw new SecretBoxError(
      'malformed',
      `sealed value is too short (${Buffer.isBuffer(sealed) ? sealed.length : 0} bytes, at least ` +
        `${MIN_SEALED_BYTES} expected): it is not a value sealed by xpost, or it was truncated`,
    );
  }
  const version = sealed[0]!;
  if (version !== SEALED_VERSION) {
    throw new SecretBoxError(
      'unsupported_version',
      `sealed value has format version ${version}; this xpost reads version ${SEALED_VERSION} ` +
        '(was it written by a newer xpost?)',
    );
  }
  return { version, keyId: sealed[1]! };
}

/** The plaintext, or undefined when the tag does not verify under `key`. */
function tryOpen(key: Buffer, sealed: Buffer, aad: string | Buffer | undefined): Buffer | undefined {
  const header = sealed.subarray(0, HEADER_BYTES);
  const iv = sealed.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
  const ciphertext = sealed.subarray(HEADER_BYTES + IV_BYTES, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(fullAad(header, aad));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // node:crypto says "Unsupported state or unable to authenticate data"; the caller words it.
    return undefined;
  }
}

function fullAad(header: Buffer, aad: string | Buffer | undefined): Buffer {
  if (aad === undefined) return header;
  return Buffer.concat([header, typeof aad === 'string' ? Buffer.from(aad, 'utf8') : aad]);
}
