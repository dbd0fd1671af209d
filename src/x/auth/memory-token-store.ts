import type { TokenSet } from '../oauth/token-set.js';
import { KeyMutex } from './key-mutex.js';
import { assertTokenKey, type TokenStore } from './token-store.js';

/**
 * Tokens in this process's memory: for tests, and for apps that keep tokens elsewhere and seed the
 * store at start. The lock covers this process only. Values are copied in and out, so a caller
 * changing a `TokenSet` it holds cannot change the stored one.
 */
export class MemoryTokenStore implements TokenStore {
  readonly #tokens = new Map<string, TokenSet>();
  readonly #mutex = new KeyMutex();

  constructor(initial: Record<string, TokenSet> = {}) {
    for (const [key, tokens] of Object.entries(initial)) {
      assertTokenKey(key);
      this.#tokens.set(key, structuredClone(tokens));
    }
  }

  async get(key: string): Promise<TokenSet | undefined> {
    assertTokenKey(key);
    const tokens = this.#tokens.get(key);
    return tokens === undefined ? undefined : structuredClone(tokens);
  }

  async set(key: string, tokens: TokenSet): Promise<void> {
    assertTokenKey(key);
    this.#tokens.set(key, structuredClone(tokens));
  }

  async delete(key: string): Promise<void> {
    assertTokenKey(key);
    this.#tokens.delete(key);
  }

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    assertTokenKey(key);
    return this.#mutex.run(key, fn);
  }
}

export function memoryTokenStore(initial: Record<string, TokenSet> = {}): MemoryTokenStore {
  return new MemoryTokenStore(initial);
}
