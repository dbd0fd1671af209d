import type { TokenSet } from '../oauth/token-set.js';

/**
 * Where OAuth 2.0 token pairs live between runs, one per account key. Refresh tokens are single use
 * (REFERENCE §1.4), so the store is the one truth every process reads: `oauth2UserAuth()` rotates a
 * pair only while holding `withLock(key)`, reads the store again inside the lock, and `set`s the new
 * pair before it uses it.
 */
export interface TokenStore {
  /** The stored pair, or undefined when the account has none. */
  get(key: string): Promise<TokenSet | undefined>;
  /** Replace the account's pair. Must be durable when it resolves (the old refresh token is spent). */
  set(key: string, tokens: TokenSet): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Run `fn` while holding a lock on `key` that every process sharing the store respects. Not
   * re-entrant: do not call `withLock` for the same key inside `fn`. `get`/`set`/`delete` may be
   * called inside.
   */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** Keys name accounts (`default`, a user id, a handle): short, printable, never empty. */
export function assertTokenKey(key: string): void {
  if (
    typeof key !== 'string' ||
    key.length === 0 ||
    key.length > 200 ||
    [...key].some((c) => c.charCodeAt(0) < 0x20)
  ) {
    throw new TypeError(
      `token store key must be 1–200 printable characters (an account name such as "default" or a user id), got ${JSON.stringify(key)}`,
    );
  }
}
