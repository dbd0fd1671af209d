import type { TokenSet } from '../oauth/token-set.js';
import type { TokenStore } from './token-store.js';

/**
 * Single flight inside a process: at most one refresh per (store, key) at a time, shared by every
 * provider built on that store. Callers that arrive while it runs get the same promise. (Across
 * processes the store's lock does the same job.)
 */
const flights = new WeakMap<TokenStore, Map<string, Promise<TokenSet>>>();

export function singleFlight(
  store: TokenStore,
  key: string,
  start: () => Promise<TokenSet>,
): Promise<TokenSet> {
  let byKey = flights.get(store);
  if (!byKey) {
    byKey = new Map();
    flights.set(store, byKey);
  }
  const running = byKey.get(key);
  if (running) return running;
  const flight = start().finally(() => {
    if (byKey.get(key) === flight) byKey.delete(key);
  });
  byKey.set(key, flight);
  return flight;
}
