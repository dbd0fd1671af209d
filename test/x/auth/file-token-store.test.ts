import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTokenStore } from '../../../src/x/auth/file-token-store.js';
import { XTokenStoreError } from '../../../src/x/auth/token-store-error.js';
import { deferred, sampleTokens } from './token-fixtures.js';

const posix = process.platform !== 'win32';
let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'xpost-file-store-'));
  dir = join(root, 'nested', 'tokens');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('FileTokenStore: reading and writing', () => {
  it('answers undefined while the folder or the file is missing', async () => {
    expect(await new FileTokenStore({ dir }).get('default')).toBeUndefined();
  });

  it('round-trips a token set through one JSON file per account', async () => {
    const store = new FileTokenStore({ dir });
    await store.set('default', sampleTokens(1));
    await store.set('second', sampleTokens(2));
    expect(await store.get('default')).toEqual(sampleTokens(1));
    expect(await new FileTokenStore({ dir }).get('second')).toEqual(sampleTokens(2));
    expect((await readdir(dir)).sort()).toEqual(['default.json', 'second.json']);
  });

  it.runIf(posix)('creates the folder 0700 and the file 0600', async () => {
    const store = new FileTokenStore({ dir });
    await store.set('default', sampleTokens(1));
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(store.pathFor('default'))).mode & 0o777).toBe(0o600);
    // Still 0600 after a rewrite, whatever the umask.
    const umask = process.umask(0o000);
    try {
      await store.set('default', sampleTokens(2));
    } finally {
      process.umask(umask);
    }
    expect((await stat(store.pathFor('default'))).mode & 0o777).toBe(0o600);
  });

  it.runIf(posix)('replaces the file by rename (a new inode), leaving no temporary files', async () => {
    const store = new FileTokenStore({ dir });
    await store.set('default', sampleTokens(1));
    const before = (await stat(store.pathFor('default'))).ino;
    await store.set('default', sampleTokens(2));
    expect((await stat(store.pathFor('default'))).ino).not.toBe(before);
    expect(await readdir(dir)).toEqual(['default.json']);
  });

  it('never shows a reader a torn file while writes race', async () => {
    const store = new FileTokenStore({ dir });
    await store.set('default', sampleTokens(0, { scopes: Array.from({ length: 2000 }, (_, i) => `s${i}`) }));
    let writing = true;
    const writes = (async () => {
      for (let i = 1; i <= 20; i++) {
        await Promise.all([
          store.set('default', sampleTokens(i, { scopes: Array.from({ length: 2000 }, (_, j) => `s${j}`) })),
          store.set('default', sampleTokens(i + 1000)),
        ]);
      }
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const tokens = await store.get('default');
      expect(tokens?.accessToken).toMatch(/^access-\d+-SECRETVALUE$/);
      reads++;
    }
    await writes;
    expect(reads).toBeGreaterThan(0);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('ignores a temporary file left by a crash mid-write', async () => {
    const store = new FileTokenStore({ dir });
    await store.set('default', sampleTokens(1));
    await writeFile(join(dir, '.default.json.12345.abcdef.tmp'), '{"version":1,"acc');
    expect(await store.get('default')).toEqual(sampleTokens(1));
  });

  it('names the file of a corrupt store, without quoting its content', async () => {
    const store = new FileTokenStore({ dir });
    await store.set('default', sampleTokens(1));
    const path = store.pathFor('default');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.slice(0, text.length / 2));
    const error = await store.get('default').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XTokenStoreError);
    expect((error as XTokenStoreError).message).toContain(path);
    expect((error as XTokenStoreError).message).toMatch(/log in again/);
    expect((error as XTokenStoreError).path).toBe(path);
    expect(JSON.stringify(error)).not.toContain('SECRETVALUE');
    expect(String((error as Error).stack)).not.toContain('SECRETVALUE');
  });

  it('refuses a file that belongs to another account or has no token set', async () => {
    const store = new FileTokenStore({ dir });
    await store.set('default', sampleTokens(1));
    await writeFile(
      store.pathFor('default'),
      JSON.stringify({ version: 1, account: 'else', tokens: sampleTokens(1) }),
    );
    await expect(store.get('default')).rejects.toThrow(/another account/);
    await writeFile(store.pathFor('default'), JSON.stringify({ version: 1, account: 'default' }));
    await expect(store.get('default')).rejects.toThrow(/no token set/);
  });

  it('deletes an account, and deleting a missing one is fine', async () => {
    const store = new FileTokenStore({ dir });
    await store.set('default', sampleTokens(1));
    await store.delete('default');
    await store.delete('default');
    expect(await store.get('default')).toBeUndefined();
  });

  it('keeps every key inside its folder', async () => {
    const store = new FileTokenStore({ dir });
    for (const key of ['../escape', '..', '.hidden', 'a/b\\c', 'user:123 @name']) {
      await store.set(key, sampleTokens(1));
      expect(await store.get(key)).toEqual(sampleTokens(1));
    }
    expect((await readdir(dir)).every((f) => !f.startsWith('.') && f.endsWith('.json'))).toBe(true);
    expect(await readdir(join(root, 'nested'))).toEqual(['tokens']);
  });
});

describe('FileTokenStore: the lock', () => {
  it('makes a second store on the same folder wait until the first releases', async () => {
    const a = new FileTokenStore({ dir });
    const b = new FileTokenStore({ dir });
    const events: string[] = [];
    const inside = deferred();
    const gate = deferred();
    const first = a.withLock('default', async () => {
      events.push('a in');
      inside.resolve();
      await gate.promise;
      events.push('a out');
    });
    await inside.promise;
    const second = b.withLock('default', async () => {
      events.push('b in');
    });
    await b.withLock('other-account', async () => {
      events.push('b other key');
    });
    await new Promise((r) => setTimeout(r, 50)); // b polls the lock meanwhile
    expect(events).toEqual(['a in', 'b other key']);
    gate.resolve();
    await Promise.all([first, second]);
    expect(events).toEqual(['a in', 'b other key', 'a out', 'b in']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('serialises holders of one store in this process', async () => {
    const store = new FileTokenStore({ dir });
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        store.withLock('default', async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 2));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
  });

  it('releases the lock when the holder throws', async () => {
    const store = new FileTokenStore({ dir });
    await expect(store.withLock('default', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(await new FileTokenStore({ dir }).withLock('default', async () => 'next')).toBe('next');
  });

  it("takes over a crashed holder's lock once it is stale", async () => {
    const store = new FileTokenStore({ dir, staleMs: 2_000, waitMs: 1_000 });
    const lockDir = `${store.pathFor('default')}.lock`;
    await mkdir(lockDir, { recursive: true });
    const old = new Date(Date.now() - 60_000);
    await utimes(lockDir, old, old);
    expect(await store.withLock('default', async () => 'taken over')).toBe('taken over');
  });

  it('gives up with a clear error when a live holder keeps the lock past waitMs', async () => {
    const store = new FileTokenStore({ dir, waitMs: 100 });
    await mkdir(`${store.pathFor('default')}.lock`, { recursive: true });
    const error = await store.withLock('default', async () => 'never').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XTokenStoreError);
    expect((error as Error).message).toMatch(/timed out after 100 ms waiting for .*default\.json\.lock/);
  });
});
