import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mediaFilePath, StoredFileTooLargeError, storeStream } from '../../../src/service/media/storage.js';
import { png, sha256 } from '../../helpers/media.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'xpost-storage-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const files = () => readdir(join(dataDir, 'media')).catch(() => [] as string[]);

function chunks(body: Buffer, size = 1000): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) parts.push(body.subarray(i, i + size));
  return Readable.from(parts);
}

describe('media storage', () => {
  it('names files by uuid only, so no id can point outside the media folder', () => {
    const id = randomUUID();
    expect(mediaFilePath(dataDir, id)).toBe(join(dataDir, 'media', id));
    expect(mediaFilePath(dataDir, id.toUpperCase())).toBe(join(dataDir, 'media', id));
    for (const bad of ['../secret.key', 'a/b', '', `${id}/../../x`]) {
      expect(() => mediaFilePath(dataDir, bad)).toThrow(/a media id is a uuid/);
    }
  });

  it('streams to a temporary name, then renames: hash, size and head match the bytes', async () => {
    const body = png(10, 10, 10_000);
    const id = randomUUID();
    const heads: number[] = [];
    let seen = 0;
    const stored = await storeStream(chunks(body), {
      dataDir,
      mediaId: id,
      maxBytes: 20_000,
      onHead: (head) => {
        heads.push(head.length);
        return undefined;
      },
      onBytes: (n) => {
        seen += n;
      },
    });
    expect(stored).toMatchObject({
      path: join(dataDir, 'media', id),
      size: body.length,
      sha256: sha256(body),
    });
    expect(stored.head).toEqual(body.subarray(0, 4096));
    expect(heads).toEqual([4096]);
    expect(seen).toBe(body.length);
    expect(await readFile(stored.path)).toEqual(body);
    expect((await stat(stored.path)).mode & 0o777).toBe(0o600);
    expect(await files()).toEqual([id]);
  });

  it('one byte over the limit fails and leaves nothing; the head can lower the limit', async () => {
    const id = randomUUID();
    await expect(
      storeStream(chunks(png(10, 10, 5001)), { dataDir, mediaId: id, maxBytes: 5000 }),
    ).rejects.toBeInstanceOf(StoredFileTooLargeError);
    await expect(
      storeStream(chunks(png(10, 10, 5000)), { dataDir, mediaId: id, maxBytes: 5000, onHead: () => 4999 }),
    ).rejects.toMatchObject({ limit: 4999, received: 5000 });
    expect(await files()).toEqual([]);
    const ok = await storeStream(chunks(png(10, 10, 5000)), { dataDir, mediaId: id, maxBytes: 5000 });
    expect(ok.size).toBe(5000);
  });

  it('a refusal from onHead, beforeCommit or commit leaves nothing behind', async () => {
    const refuse = (where: string) => () => {
      throw new Error(`refused in ${where}`);
    };
    const base = { dataDir, mediaId: randomUUID(), maxBytes: 100_000 };
    await expect(storeStream(chunks(png(10, 10, 9000)), { ...base, onHead: refuse('head') })).rejects.toThrow(
      /head/,
    );
    await expect(
      storeStream(chunks(png(10, 10, 9000)), { ...base, beforeCommit: refuse('commit check') }),
    ).rejects.toThrow(/commit check/);
    await expect(
      storeStream(chunks(png(10, 10, 9000)), { ...base, commit: async () => refuse('commit')() }),
    ).rejects.toThrow(/refused in commit/);
    expect(await files()).toEqual([]);
  });
});
