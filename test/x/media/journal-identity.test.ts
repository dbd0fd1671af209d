import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, open, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileIdentity, IDENTITY_SAMPLE_BYTES, journalKey } from '../../../src/x/media/journal/index.js';
import type { FileIdentity } from '../../../src/x/media/types.js';

const MiB = IDENTITY_SAMPLE_BYTES;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xpost-identity-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sha256(...parts: Buffer[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

/** Overwrite bytes in place, then put the mtime back: only the content moved. */
async function poke(path: string, position: number, keepMtime: boolean): Promise<void> {
  const before = await stat(path);
  const handle = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, position);
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    await handle.write(byte, 0, 1, position);
  } finally {
    await handle.close();
  }
  if (keepMtime) await utimes(path, before.atime, before.mtime);
}

describe('fileIdentity', () => {
  it('hashes the whole file when it is 2 MiB or less', async () => {
    const bytes = randomBytes(2 * MiB);
    const path = join(dir, 'small.bin');
    await writeFile(path, bytes);
    const info = await stat(path);
    expect(await fileIdentity(path)).toEqual({
      path,
      size: 2 * MiB,
      mtimeMs: info.mtimeMs,
      headTailSha256: sha256(bytes),
    });
  });

  it('hashes the first and the last MiB of a larger file', async () => {
    const bytes = randomBytes(3 * MiB + 17);
    const path = join(dir, 'large.bin');
    await writeFile(path, bytes);
    const identity = await fileIdentity(path);
    expect(identity.size).toBe(bytes.length);
    expect(identity.headTailSha256).toBe(sha256(bytes.subarray(0, MiB), bytes.subarray(bytes.length - MiB)));
  });

  it('reports an absolute path for a relative one', async () => {
    const path = join(dir, 'a.bin');
    await writeFile(path, 'abc');
    const identity = await fileIdentity(relative(process.cwd(), path));
    expect(identity.path).toBe(path);
    expect(identity.headTailSha256).toBe(sha256(Buffer.from('abc')));
  });

  it('reads only the ends: a sparse 64 GiB file is identified at once', async () => {
    const path = join(dir, 'huge.bin');
    const handle = await open(path, 'w');
    await handle.truncate(64 * 1024 * MiB);
    await handle.close();
    const started = performance.now();
    const identity = await fileIdentity(path);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(identity.size).toBe(64 * 1024 * MiB);
    expect(identity.headTailSha256).toBe(sha256(Buffer.alloc(2 * MiB)));
  });

  describe('on a 5 MiB file', () => {
    let path: string;
    let original: FileIdentity;
    beforeEach(async () => {
      path = join(dir, 'video.mp4');
      await writeFile(path, randomBytes(5 * MiB));
      // A whole second, so putting the mtime back through utimes() restores it exactly.
      await utimes(path, 1_767_225_600, 1_767_225_600);
      original = await fileIdentity(path);
    });

    it('is the same when read again', async () => {
      expect(await fileIdentity(path)).toEqual(original);
    });

    it('changes when the head changes, even with the mtime put back', async () => {
      await poke(path, 10, true);
      expect((await fileIdentity(path)).headTailSha256).not.toBe(original.headTailSha256);
    });

    it('changes when the tail changes, even with the mtime put back', async () => {
      await poke(path, 5 * MiB - 10, true);
      expect((await fileIdentity(path)).headTailSha256).not.toBe(original.headTailSha256);
    });

    it('changes when the size changes', async () => {
      await appendFile(path, 'x');
      const identity = await fileIdentity(path);
      expect(identity.size).toBe(original.size + 1);
      expect(identity).not.toEqual(original);
    });

    it('changes when only the mtime changes', async () => {
      const later = new Date(original.mtimeMs + 5_000);
      await utimes(path, later, later);
      const identity = await fileIdentity(path);
      expect(identity.mtimeMs).not.toBe(original.mtimeMs);
      expect(identity.headTailSha256).toBe(original.headTailSha256);
    });

    it('notices a change in the middle through the mtime that comes with it', async () => {
      const old = new Date(original.mtimeMs - 60_000);
      await utimes(path, old, old);
      const before = await fileIdentity(path);
      await poke(path, 2 * MiB + 5, false);
      expect(await fileIdentity(path)).not.toEqual(before);
    });

    it('does NOT notice a middle-only change with size and mtime kept (the documented limit)', async () => {
      await poke(path, 2 * MiB + 5, true);
      expect(await fileIdentity(path)).toEqual(original);
    });
  });

  it('names the path when the file is missing', async () => {
    const path = join(dir, 'missing.mp4');
    await expect(fileIdentity(path)).rejects.toMatchObject({
      message: `cannot read media file ${path}: there is no such file`,
      code: 'ENOENT',
      path,
    });
  });

  it('refuses a folder, naming it', async () => {
    await expect(fileIdentity(dir)).rejects.toThrow(dir);
  });
});

describe('journalKey', () => {
  const identity: FileIdentity = {
    path: '/videos/launch.mp4',
    size: 25_165_824,
    mtimeMs: 1_767_225_600_123.5,
    headTailSha256: 'a'.repeat(64),
  };

  it('is stable: the same subject and identity give the same key, today and in later versions', () => {
    const key = journalKey('1580000000000000001', identity);
    expect(journalKey('1580000000000000001', { ...identity })).toBe(key);
    // Pinned: a change here orphans every journal users have on disk, so make it on purpose.
    expect(key).toBe(
      `upload-v1-${sha256(Buffer.from(JSON.stringify([1, '1580000000000000001', ...Object.values(identity)])))}`,
    );
    expect(key).toMatch(/^upload-v1-[0-9a-f]{64}$/);
  });

  it.each([
    ['subject', '1580000000000000002', identity],
    ['path', '1580000000000000001', { ...identity, path: '/videos/other.mp4' }],
    ['size', '1580000000000000001', { ...identity, size: identity.size + 1 }],
    ['mtime', '1580000000000000001', { ...identity, mtimeMs: identity.mtimeMs + 1 }],
    ['head/tail hash', '1580000000000000001', { ...identity, headTailSha256: 'b'.repeat(64) }],
  ])('changes with the %s', (_what, subject, changed) => {
    expect(journalKey(subject, changed)).not.toBe(journalKey('1580000000000000001', identity));
  });

  it('reveals neither the subject nor the path', () => {
    const key = journalKey('alice', identity);
    expect(key).not.toContain('alice');
    expect(key).not.toContain('launch');
  });

  it('asks for a subject', () => {
    expect(() => journalKey('', identity)).toThrow(/pass the account/);
  });
});
