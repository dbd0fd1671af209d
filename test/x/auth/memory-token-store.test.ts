import { describe, expect, it } from 'vitest';
import { MemoryTokenStore } from '../../../src/x/auth/memory-token-store.js';
import { deferred, sampleTokens } from './token-fixtures.js';

describe('MemoryTokenStore', () => {
  it('gets what was set, undefined for unknown keys, nothing after delete', async () => {
    const store = new MemoryTokenStore({ seeded: sampleTokens(0) });
    expect(await store.get('seeded')).toEqual(sampleTokens(0));
    expect(await store.get('nobody')).toBeUndefined();
    await store.set('a', sampleTokens(1));
    expect(await store.get('a')).toEqual(sampleTokens(1));
    await store.delete('a');
    expect(await store.get('a')).toBeUndefined();
  });

  it('copies values in and out, so callers cannot change what is stored', async () => {
    const store = new MemoryTokenStore();
    const tokens = sampleTokens(1);
    await store.set('a', tokens);
    tokens.accessToken = 'changed';
    (await store.get('a'))!.scopes.push('changed');
    expect(await store.get('a')).toEqual(sampleTokens(1));
  });

  it('runs withLock holders of one key one at a time, other keys alongside', async () => {
    const store = new MemoryTokenStore();
    const events: string[] = [];
    const gate = deferred();
    const first = store.withLock('k', async () => {
      events.push('first in');
      await gate.promise;
      events.push('first out');
    });
    const second = store.withLock('k', async () => {
      events.push('second in');
    });
    await store.withLock('other', async () => {
      events.push('other key');
    });
    gate.resolve();
    await Promise.all([first, second]);
    expect(events).toEqual(['first in', 'other key', 'first out', 'second in']);
  });

  it('releases the lock when the holder throws', async () => {
    const store = new MemoryTokenStore();
    await expect(store.withLock('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await store.withLock('k', async () => 'next')).toBe('next');
  });

  it('refuses empty keys', async () => {
    await expect(new MemoryTokenStore().get('')).rejects.toThrow(/1–200 printable/);
  });
});
