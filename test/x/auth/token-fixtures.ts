import type { TokenSet } from '../../../src/x/oauth/token-set.js';

/** A token set with recognisable values, for store tests that never talk to X. */
export function sampleTokens(n = 1, overrides: Partial<TokenSet> = {}): TokenSet {
  return {
    accessToken: `access-${n}-SECRETVALUE`,
    refreshToken: `refresh-${n}-SECRETVALUE`,
    expiresAt: 1_800_000_000_000 + n,
    scopes: ['tweet.read', 'tweet.write', 'users.read', 'offline.access'],
    tokenType: 'bearer',
    ...overrides,
  };
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
