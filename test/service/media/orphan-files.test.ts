/**
 * The orphan media file sweep (src/service/media/orphan-files.ts) on PGlite and on PostgreSQL: real
 * files in a temporary data folder, real rows, an injected `now`, and every file's mtime set by hand
 * (utimes) relative to it.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { lstat, lutimes, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ORPHAN_FILE_GRACE_MS, purgeOrphanMediaFiles } from '../../../src/service/media/orphan-files.js';
import { ensureMediaDir } from '../../../src/service/media/storage.js';
import { media } from '../../../src/service/store/media-api.js';
import { orphanFiles } from '../../../src/service/store/orphan-files.js';
import { describeDatabases } from '../../helpers/database.js';
import { insertUploadedMedia } from '../../helpers/media-rows.js';

const HOUR = 60 * 60 * 1000;
const NOW = new Date('2026-06-01T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * HOUR);
/** Older than the grace, and just within it. */
const OLD = hoursAgo(25);
const YOUNG = hoursAgo(23);

let dataDir: string;
let dir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'xpost-orphans-'));
  dir = await ensureMediaDir(dataDir);
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

it('exports a day of grace, and its SQL asks for the ids that have rows', () => {
  expect(ORPHAN_FILE_GRACE_MS).toBe(24 * HOUR);
  const ids = [randomUUID(), randomUUID()];
  expect(orphanFiles.existingMedia(ids)).toEqual({
    text: 'SELECT id FROM xpost.media WHERE id = ANY($1::uuid[])',
    values: [ids],
  });
});

describeDatabases('orphan media files', ({ db }) => {
  const purge = (options: { now?: Date; graceMs?: number; batchSize?: number; dataDir?: string } = {}) =>
    purgeOrphanMediaFiles({
      db: db(),
      dataDir: options.dataDir ?? dataDir,
      now: options.now ?? NOW,
      ...(options.graceMs !== undefined && { graceMs: options.graceMs }),
      ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
    });

  /** A file in the media folder named `name`, of `size` bytes, last written at `mtime`. */
  async function file(name: string, mtime: Date, size = 100): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, randomBytes(size), { mode: 0o600 });
    await utimes(path, mtime, mtime);
    return path;
  }

  /** A media file with its row (an upload), last written at `mtime`. */
  async function ownedFile(mtime: Date, size = 100): Promise<string> {
    const id = randomUUID();
    const path = await file(id, mtime, size);
    await insertUploadedMedia(db(), { dataDir, id, size, file: false, createdAt: hoursAgo(24 * 30) });
    return path;
  }

  const partName = () => `.${randomUUID()}.${randomBytes(6).toString('hex')}.part`;
  const exists = (path: string) =>
    lstat(path).then(
      () => true,
      () => false,
    );

  it('deletes old files without a row and old temporary files, and keeps everything else', async () => {
    const owned = await ownedFile(hoursAgo(24 * 400));
    const orphan = await file(randomUUID(), OLD, 1234);
    const youngOrphan = await file(randomUUID(), YOUNG);
    const stalePart = await file(partName(), OLD, 56);
    const livePart = await file(partName(), YOUNG);
    // Names we never write, however old: left alone.
    const notes = await file('notes.txt', OLD);
    const upper = await file(randomUUID().toUpperCase(), OLD);
    const otherPart = await file('.download.part', OLD);
    // A folder named like a media file, and a symlink named like one pointing at an old file elsewhere.
    const folder = join(dir, randomUUID());
    await mkdir(folder);
    await utimes(folder, OLD, OLD);
    const target = join(dataDir, 'elsewhere.bin');
    await writeFile(target, 'keep me');
    await utimes(target, OLD, OLD);
    const link = join(dir, randomUUID());
    await symlink(target, link);
    await lutimes(link, OLD, OLD);
    const partLink = join(dir, partName());
    await symlink(target, partLink);
    await lutimes(partLink, OLD, OLD);

    expect(await purge()).toEqual({ files: 2, bytes: 1234 + 56, errors: [] });
    for (const gone of [orphan, stalePart]) expect(await exists(gone)).toBe(false);
    for (const kept of [
      owned,
      youngOrphan,
      livePart,
      notes,
      upper,
      otherPart,
      folder,
      link,
      partLink,
      target,
    ])
      expect(await exists(kept)).toBe(true);
    // A second pass finds nothing more.
    expect(await purge()).toEqual({ files: 0, bytes: 0, errors: [] });
  });

  it('keeps a file exactly the grace old, and deletes it once a moment older', async () => {
    const path = await file(randomUUID(), hoursAgo(24));
    expect(await purge()).toMatchObject({ files: 0 });
    expect(await exists(path)).toBe(true);
    expect(await purge({ now: new Date(NOW.getTime() + 1) })).toMatchObject({ files: 1 });
    expect(await exists(path)).toBe(false);
  });

  it('takes its grace from the options and its time from the injected clock', async () => {
    const path = await file(randomUUID(), hoursAgo(2));
    expect(await purge()).toMatchObject({ files: 0 });
    expect(await purge({ graceMs: HOUR })).toMatchObject({ files: 1 });
    expect(await exists(path)).toBe(false);
    const part = await file(partName(), hoursAgo(2));
    // The same file, seen from a clock a day later.
    expect(await purge({ now: new Date(NOW.getTime() + 24 * HOUR) })).toMatchObject({ files: 1 });
    expect(await exists(part)).toBe(false);
  });

  it('checks the rows in batches, keeping every owned file', async () => {
    const owned: string[] = [];
    const orphans: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      owned.push(await ownedFile(OLD, 10));
      orphans.push(await file(randomUUID(), OLD, 10));
    }
    expect(await purge({ batchSize: 2 })).toEqual({ files: 5, bytes: 50, errors: [] });
    for (const path of owned) expect(await exists(path)).toBe(true);
    for (const path of orphans) expect(await exists(path)).toBe(false);
    expect((await readdir(dir)).sort()).toEqual(owned.map((path) => path.slice(dir.length + 1)).sort());
  });

  it('keeps the file of a URL media item whatever its state', async () => {
    const row = await db().query<{ id: string }>(
      media.insertFromUrl({ apiKeyId: null, sourceUrl: 'https://media.example/a.png', now: OLD }),
    );
    const path = await file(row.rows[0]!.id, OLD);
    expect(await purge()).toMatchObject({ files: 0 });
    expect(await exists(path)).toBe(true);
  });

  it('does nothing, and reports nothing, without a media folder', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'xpost-orphans-none-'));
    try {
      expect(await purge({ dataDir: empty })).toEqual({ files: 0, bytes: 0, errors: [] });
      expect(await readdir(empty)).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('reports a media "folder" it cannot read, without throwing', async () => {
    const odd = await mkdtemp(join(tmpdir(), 'xpost-orphans-odd-'));
    try {
      await writeFile(join(odd, 'media'), 'not a folder');
      const result = await purge({ dataDir: odd });
      expect(result).toMatchObject({ files: 0, bytes: 0, errors: [{ path: join(odd, 'media') }] });
      expect(result.errors[0]!.message).toMatch(/ENOTDIR/);
    } finally {
      await rm(odd, { recursive: true, force: true });
    }
  });

  it('goes on past a file it cannot delete, and reports it', async (ctx) => {
    const first = await file(randomUUID(), OLD, 10);
    const stuck = await file(randomUUID(), OLD, 10);
    const last = await file(partName(), OLD, 10);
    // An immutable file cannot be unlinked even by root; where chattr is not allowed, skip.
    const chattr = promisify(execFile);
    const ok = await chattr('chattr', ['+i', stuck]).then(
      () => true,
      () => false,
    );
    if (!ok) ctx.skip('chattr +i is not available here (needs root and a file system that supports it)');
    try {
      const result = await purge();
      expect(result).toMatchObject({ files: 2, bytes: 20, errors: [{ path: stuck }] });
      expect(result.errors).toHaveLength(1);
      expect(await exists(first)).toBe(false);
      expect(await exists(stuck)).toBe(true);
      expect(await exists(last)).toBe(false);
    } finally {
      await chattr('chattr', ['-i', stuck]);
    }
  });
});
