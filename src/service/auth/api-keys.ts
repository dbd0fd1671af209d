import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys for `Authorization: Bearer <key>` (issue 6, "Auth"). A key is shown once, when
 * `xpost keys create` makes it; the database keeps its SHA-256 and a short prefix for listings.
 * Nothing here stores, logs or puts the key into an error.
 *
 * Why SHA-256 and not bcrypt or argon2: those slow down guessing low-entropy passwords. A key is 256
 * random bits, so no guessing is feasible at any hash speed, and a slow hash would only cost CPU on
 * every request. A fast, unsalted, deterministic hash also lets the key be found by an indexed lookup
 * (`WHERE key_hash = $1`) instead of testing every stored hash.
 */

export const API_KEY_PREFIX = 'xpk_live_';
const KEY_BYTES = 32;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** ceil(256 / log2(62)): every 32-byte value fits, and keys are left-padded to one length. */
const BODY_LENGTH = 43;
export const API_KEY_LENGTH = API_KEY_PREFIX.length + BODY_LENGTH;
/** Prefix shown in listings: the fixed part and 8 characters (48 of 256 bits: enough to tell keys apart). */
export const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;
const KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${BODY_LENGTH}}$`);
const HASH_PATTERN = /^[0-9a-f]{64}$/;

export interface NewApiKey {
  /** Show it once; never store or log it. */
  readonly key: string;
  /** `xpk_live_` and the next 8 characters, for listings ("xpk_live_3fQ9aZ1b…"). */
  readonly prefix: string;
  /** SHA-256 of the key, hex: what the database keeps. */
  readonly hash: string;
}

export function createApiKey(random: (bytes: number) => Buffer = randomBytes): NewApiKey {
  const key = API_KEY_PREFIX + toBase62(random(KEY_BYTES));
  return { key, prefix: apiKeyPrefix(key), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function apiKeyPrefix(key: string): string {
  return key.slice(0, DISPLAY_PREFIX_LENGTH);
}

export function isApiKeyFormat(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/**
 * Whether `key` is the one `storedHash` was made from. The comparison is constant-time so that the
 * time taken says nothing about how many leading characters of the hash matched.
 */
export function verifyApiKey(key: string, storedHash: string): boolean {
  if (!HASH_PATTERN.test(storedHash)) return false;
  return timingSafeEqual(Buffer.from(hashApiKey(key), 'hex'), Buffer.from(storedHash, 'hex'));
}

export type ApiKeyErrorCode = 'missing_authorization' | 'malformed_authorization' | 'malformed_api_key';

/** A 401: the routes answer it with `WWW-Authenticate: Bearer` and the code in problem+json. */
export class ApiKeyError extends Error {
  override readonly name = 'ApiKeyError';
  readonly statusCode = 401;

  constructor(
    readonly code: ApiKeyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const HOW_TO = 'send `Authorization: Bearer <api key>`; create a key with `xpost keys create`';

/**
 * The API key in an `Authorization` header. Throws `ApiKeyError` when the header is missing, is not
 * a Bearer credential, or holds something that cannot be an xpost key, so the database is not asked
 * about it. The header's value never appears in the error.
 */
export function parseBearer(header: string | readonly string[] | undefined): string {
  if (header === undefined || header === '' || (Array.isArray(header) && header.length === 0)) {
    throw new ApiKeyError('missing_authorization', `no API key: ${HOW_TO}`);
  }
  if (typeof header !== 'string') {
    throw new ApiKeyError('malformed_authorization', `more than one Authorization header: ${HOW_TO}`);
  }
  // RFC 9110 §11.1: the scheme is case-insensitive; one or more spaces separate it from the token.
  const match = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*) +(\S+) *$/.exec(header);
  if (!match || match[1]!.toLowerCase() !== 'bearer') {
    // Name the scheme (Basic, Token) only when there is one: a lone word may be the credential itself.
    const what = match && match[1]!.length <= 20 ? `a ${match[1]} credential` : 'no Bearer credential';
    throw new ApiKeyError('malformed_authorization', `the Authorization header holds ${what}: ${HOW_TO}`);
  }
  const key = match[2]!;
  if (!isApiKeyFormat(key)) {
    throw new ApiKeyError(
      'malformed_api_key',
      `the bearer token is not an xpost API key (those start with ${API_KEY_PREFIX} and are ${API_KEY_LENGTH} characters long): ${HOW_TO}`,
    );
  }
  return key;
}

function toBase62(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = BASE62[Number(n % 62n)]! + out;
    n /= 62n;
  }
  return out.padStart(BODY_LENGTH, '0');
}
