import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../../src/service/config.js';
import {
  keyFilePath,
  loadOrCreateKey,
  loadSecretBox,
  parseSecretKey,
  SecretBox,
  SecretKeyFileError,
} from '../../src/service/crypto/index.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'xpost-key-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function keyFileError(dataDir: string): Promise<SecretKeyFileError> {
  try {
    await loadOrCreateKey(dataDir);
  } catch (error) {
    expect(error).toBeInstanceOf(SecretKeyFileError);
    return error as SecretKeyFileError;
  }
  throw new Error('expected loadOrCreateKey to throw');
}

describe.skipIf(process.platform === 'win32')('loadOrCreateKey', () => {
  it('creates the key 0600 in a new 0700 folder on first run, whatever the umask', async () => {
    const dataDir = join(root, 'home', 'data');
    const previous = process.umask(0);
    let key: Buffer;
    try {
      key = await loadOrCreateKey(dataDir);
    } finally {
      process.umask(previous);
    }
    expect(key.length).toBe(32);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(keyFilePath(dataDir))).mode & 0o777).toBe(0o600);
    // The file holds what XPOST_SECRET_KEY accepts, so a move to a database server is a copy.
    expect(parseSecretKey(await readFile(keyFilePath(dataDir), 'utf8'))).toEqual(key);
    expect(await readdir(dataDir)).toEqual(['secret.key']);
  });

  it('reads the same key on later runs', async () => {
    const first = await loadOrCreateKey(root);
    expect(await loadOrCreateKey(root)).toEqual(first);
  });

  it('gives every process starting at once the same key', async () => {
    const dataDir = join(root, 'data');
    const keys = await Promise.all(Array.from({ length: 12 }, () => loadOrCreateKey(dataDir)));
    for (const key of keys) expect(key).toEqual(keys[0]);
    expect(await readdir(dataDir)).toEqual(['secret.key']);
  });

  it.each([0o644, 0o640, 0o604, 0o660, 0o602])(
    'refuses a key file with mode %s, saying chmod 600',
    async (mode) => {
      const key = await loadOrCreateKey(root);
      const path = keyFilePath(root);
      await chmod(path, mode);
      const error = await keyFileError(root);
      expect(error.code).toBe('insecure_permissions');
      expect(error.message).toContain(`chmod 600 ${path}`);
      expect(error.message).toContain(`mode ${mode.toString(8)}`);
      expect(error.message).not.toContain(key.toString('base64'));
      await chmod(path, 0o600);
      expect(await loadOrCreateKey(root)).toEqual(key);
    },
  );

  it('refuses a damaged key file instead of replacing it', async () => {
    const path = keyFilePath(root);
    await writeFile(path, 'not a key\n', { mode: 0o600 });
    const error = await keyFileError(root);
    expect(error.code).toBe('invalid_content');
    expect(error.message).toMatch(/restore it from a backup.*can no longer be read/);
    expect(error.message).not.toContain('not a key');
    expect(await readFile(path, 'utf8')).toBe('not a key\n');
  });

  it('refuses a folder in place of the key file', async () => {
    await mkdir(keyFilePath(root));
    expect((await keyFileError(root)).code).toBe('not_a_file');
  });

  it('reads a key file written by hand in hex', async () => {
    await writeFile(keyFilePath(root), `${'5f'.repeat(32)}\n`, { mode: 0o600 });
    expect(await loadOrCreateKey(root)).toEqual(Buffer.alloc(32, 0x5f));
  });
});

describe.skipIf(process.platform === 'win32')('loadSecretBox', () => {
  const envKey = Buffer.alloc(32, 9).toString('base64');

  function config(env: Record<string, string>) {
    return loadServiceConfig({ XPOST_HOME: root, ...env });
  }

  it('makes the key file in embedded mode without XPOST_SECRET_KEY', async () => {
    const box = await loadSecretBox(config({}));
    const fileKey = await loadOrCreateKey(join(root, 'data'));
    expect(new SecretBox(fileKey).openText(box.seal('t'))).toBe('t');
  });

  it('uses XPOST_SECRET_KEY without making a key file', async () => {
    const box = await loadSecretBox(config({ XPOST_SECRET_KEY: envKey }));
    expect(new SecretBox(Buffer.alloc(32, 9)).openText(box.seal('t'))).toBe('t');
    await expect(stat(join(root, 'data', 'secret.key'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps opening what the key file sealed once XPOST_SECRET_KEY is set, and marks it for rotation', async () => {
    const before = (await loadSecretBox(config({}))).seal('refresh', 'account:1');
    const box = await loadSecretBox(config({ XPOST_SECRET_KEY: envKey }));
    expect(box.openText(before, 'account:1')).toBe('refresh');
    expect(box.needsRotation(before)).toBe(true);
  });

  it('opens with XPOST_SECRET_KEY_OLD keys after a rotation', async () => {
    const oldKey = Buffer.alloc(32, 1);
    const before = new SecretBox(oldKey).seal('refresh');
    const box = await loadSecretBox(
      config({
        DATABASE_URL: 'postgres://h/db',
        XPOST_SECRET_KEY: envKey,
        XPOST_SECRET_KEY_OLD: oldKey.toString('hex'),
      }),
    );
    expect(box.openText(before)).toBe('refresh');
    await expect(stat(join(root, 'data'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
