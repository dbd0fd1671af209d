import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STALE_TEMP_MS } from '../../../src/x/media/journal/file-journal.js';
import {
  FileJournal,
  fileJournal,
  type JournalWarning,
  memoryJournal,
} from '../../../src/x/media/journal/index.js';
import type { UploadJournal, UploadJournalEntry } from '../../../src/x/media/types.js';

const posix = process.platform !== 'win32';
const root = process.getuid?.() === 0;
let base: string;
let dir: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'xpost-journal-'));
  dir = join(base, 'nested', 'journal');
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

function entry(segmentsDone: number[], mediaId = '1880000000000000001'): UploadJournalEntry {
  return {
    identity: {
      path: '/videos/launch.mp4',
      size: 24 * 1024 * 1024,
      mtimeMs: 1_767_225_600_000,
      headTailSha256: 'c'.repeat(64),
    },
    mediaId,
    mediaKey: `7_${mediaId}`,
    mediaType: 'video/mp4',
    mediaCategory: 'tweet_video',
    totalBytes: 24 * 1024 * 1024,
    chunkSize: 1024 * 1024,
    expiresAt: 1_768_521_599_000,
    segmentsDone,
  };
}

const stores: [string, () => UploadJournal][] = [
  ['memoryJournal', () => memoryJournal()],
  ['fileJournal', () => fileJournal({ dir })],
];

describe.each(stores)('%s', (_name, make) => {
  it('answers undefined for a key it has never seen', async () => {
    expect(await make().get('upload-v1-nothing')).toBeUndefined();
  });

  it('round-trips an entry, then forgets it on delete', async () => {
    const journal = make();
    await journal.set('k', entry([0, 1, 2]));
    await journal.set('other', entry([5], '1880000000000000002'));
    expect(await journal.get('k')).toEqual(entry([0, 1, 2]));
    await journal.delete('k');
    expect(await journal.get('k')).toBeUndefined();
    expect(await journal.get('other')).toEqual(entry([5], '1880000000000000002'));
    await journal.delete('never-set');
  });

  it('keeps what was set, not the caller object it goes on changing', async () => {
    const journal = make();
    const mine = entry([0]);
    await journal.set('k', mine);
    mine.segmentsDone.push(1);
    const read = await journal.get('k');
    read?.segmentsDone.push(99);
    expect(await journal.get('k')).toEqual(entry([0]));
  });

  it('refuses what is not an entry, saying what is wrong', async () => {
    const journal = make();
    await expect(journal.set('k', { ...entry([]), mediaId: '' })).rejects.toThrow(/no mediaId/);
    await expect(journal.set('k', { ...entry([]), segmentsDone: [-1] })).rejects.toThrow(/segmentsDone/);
    await expect(journal.set('', entry([]))).rejects.toThrow(/non-empty string/);
    const badSpans = { ...entry([]), spans: [{ index: 0, offset: 0, chunkSize: 0 }] };
    await expect(journal.set('k', badSpans)).rejects.toThrow(/spans/);
  });

  it('keeps the spans of an upload re-cut after a 413', async () => {
    const journal = make();
    const spans = [
      { index: 0, offset: 0, chunkSize: 4 * 1024 * 1024 },
      { index: 3, offset: 12 * 1024 * 1024, chunkSize: 2 * 1024 * 1024 },
    ];
    await journal.set('k', { ...entry([0, 1, 2]), spans });
    expect((await journal.get('k'))?.spans).toEqual(spans);
  });

  it('applies writes of one key in call order: the last set wins', async () => {
    const journal = make();
    await Promise.all(Array.from({ length: 20 }, (_, i) => journal.set('k', entry(range(i + 1)))));
    expect(await journal.get('k')).toEqual(entry(range(20)));
  });
});

describe('fileJournal on disk', () => {
  it('is shared by instances and processes through one file per key', async () => {
    await fileJournal({ dir }).set('k', entry([0, 1]));
    expect(await new FileJournal({ dir }).get('k')).toEqual(entry([0, 1]));
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('names files by a hash of the key, so any key is a safe file name', async () => {
    const journal = fileJournal({ dir });
    const keys = ['../../etc/passwd', 'a/b\\c', '.hidden', 'x'.repeat(1_000), 'émoji 🎬'];
    for (const [i, key] of keys.entries()) await journal.set(key, entry([i]));
    const names = await readdir(dir);
    expect(names).toHaveLength(keys.length);
    for (const name of names) expect(name).toMatch(/^[0-9a-f]{64}\.json$/);
    for (const [i, key] of keys.entries()) expect(await journal.get(key)).toEqual(entry([i]));
    expect(await readdir(base)).toEqual(['nested']);
  });

  it.runIf(posix)('creates the folder 0700 and each file 0600, whatever the umask', async () => {
    const journal = fileJournal({ dir });
    const umask = process.umask(0o000);
    try {
      await journal.set('k', entry([0]));
    } finally {
      process.umask(umask);
    }
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(journal.pathFor('k'))).mode & 0o777).toBe(0o600);
  });

  it.runIf(posix)('replaces the file by rename (a new inode), leaving no temporary files', async () => {
    const journal = fileJournal({ dir });
    await journal.set('k', entry([0]));
    const before = (await stat(journal.pathFor('k'))).ino;
    await journal.set('k', entry([0, 1]));
    expect((await stat(journal.pathFor('k'))).ino).not.toBe(before);
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('never shows a reader a torn entry while separate writers race on one key', async () => {
    // Separate instances share no in-process queue: like separate processes, last rename wins.
    const writers = Array.from({ length: 4 }, () => fileJournal({ dir }));
    const warnings: JournalWarning[] = [];
    const reader = fileJournal({ dir, onWarning: (w) => warnings.push(w) });
    const written = new Set<string>();
    let writing = true;
    const reads = (async () => {
      let seen = 0;
      while (writing) {
        const got = await reader.get('k');
        if (got) {
          expect(written.has(JSON.stringify(got))).toBe(true);
          seen++;
        }
      }
      return seen;
    })();
    await Promise.all(
      writers.map(async (journal, w) => {
        for (let i = 1; i <= 25; i++) {
          const e = entry(range(i), `18800000000000000${10 + w}`);
          written.add(JSON.stringify(e));
          await journal.set('k', e);
        }
      }),
    );
    writing = false;
    expect(await reads).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
    expect(written.has(JSON.stringify(await reader.get('k')))).toBe(true);
    expect(await readdir(dir)).toHaveLength(1);
  });

  describe('treats a damaged entry as absent and says why', () => {
    async function warningFor(text: string | null, key = 'k'): Promise<JournalWarning[]> {
      const warnings: JournalWarning[] = [];
      const journal = fileJournal({ dir, onWarning: (w) => warnings.push(w) });
      await journal.set(key, entry([0]));
      if (text !== null) await writeFile(journal.pathFor(key), text);
      expect(await journal.get(key)).toBeUndefined();
      return warnings;
    }

    it.each([
      ['cut short', '{"version":1,"key":"k","entry":{"identity"', /not valid JSON/],
      ['empty', '', /not valid JSON/],
      ['not an object', '[1,2]', /not version 1/],
      [
        'another format version',
        JSON.stringify({ version: 2, key: 'k', entry: entry([0]) }),
        /not version 1/,
      ],
      ['another key', JSON.stringify({ version: 1, key: 'j', entry: entry([0]) }), /another key/],
      [
        'an entry without a media id',
        JSON.stringify({ version: 1, key: 'k', entry: { ...entry([0]), mediaId: undefined } }),
        /no mediaId/,
      ],
      [
        'a bad segment list',
        JSON.stringify({ version: 1, key: 'k', entry: { ...entry([0]), segmentsDone: ['0'] } }),
        /segmentsDone/,
      ],
    ])('%s', async (_what, text, reason) => {
      const warnings = await warningFor(text);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.key).toBe('k');
      expect(warnings[0]?.path).toBe(fileJournal({ dir }).pathFor('k'));
      expect(warnings[0]?.message).toMatch(reason);
      expect(warnings[0]?.message).toContain('starts over');
    });

    it('an entry that cannot be read (a folder in its place)', async () => {
      const warnings: JournalWarning[] = [];
      const journal = fileJournal({ dir, onWarning: (w) => warnings.push(w) });
      await mkdir(journal.pathFor('k'), { recursive: true });
      expect(await journal.get('k')).toBeUndefined();
      expect(warnings).toMatchObject([{ key: 'k', path: journal.pathFor('k'), message: /could not read/ }]);
      expect(warnings[0]?.cause).toMatchObject({ code: 'EISDIR' });
    });

    it.runIf(posix && !root)('an entry without read permission', async () => {
      const warnings: JournalWarning[] = [];
      const journal = fileJournal({ dir, onWarning: (w) => warnings.push(w) });
      await journal.set('k', entry([0]));
      await chmod(journal.pathFor('k'), 0o000);
      expect(await journal.get('k')).toBeUndefined();
      expect(warnings[0]?.message).toMatch(/could not read/);
    });

    it('without a hook, and with a hook that throws', async () => {
      const quiet = fileJournal({ dir });
      await quiet.set('k', entry([0]));
      await writeFile(quiet.pathFor('k'), 'garbage');
      expect(await quiet.get('k')).toBeUndefined();
      const loud = fileJournal({
        dir,
        onWarning: () => {
          throw new Error('hook failed');
        },
      });
      expect(await loud.get('k')).toBeUndefined();
    });

    it('and the next set repairs it', async () => {
      const journal = fileJournal({ dir });
      await journal.set('k', entry([0]));
      await writeFile(journal.pathFor('k'), 'garbage');
      await journal.set('k', entry([0, 1]));
      expect(await journal.get('k')).toEqual(entry([0, 1]));
    });
  });

  it("clears on delete the temporary files a killed writer left, but not a live writer's", async () => {
    const journal = fileJournal({ dir });
    await journal.set('k', entry([0]));
    const name = journal.pathFor('k').split('/').pop();
    const orphan = join(dir, `.${name}.4242.aaaaaaaaaaaa.tmp`);
    const live = join(dir, `.${name}.4243.bbbbbbbbbbbb.tmp`);
    const otherKey = join(dir, `.${'0'.repeat(64)}.json.4242.cccccccccccc.tmp`);
    for (const path of [orphan, live, otherKey]) await writeFile(path, '{"version":1');
    const old = (Date.now() - STALE_TEMP_MS - 1_000) / 1000;
    await utimes(orphan, old, old);
    await utimes(otherKey, old, old);
    await journal.delete('k');
    expect((await readdir(dir)).sort()).toEqual([basename(live), basename(otherKey)].sort());
  });

  it('throws on a write that fails, naming the file', async () => {
    await mkdir(base, { recursive: true });
    await writeFile(join(base, 'nested'), 'a file where the folder should be');
    const journal = fileJournal({ dir });
    await expect(journal.set('k', entry([0]))).rejects.toThrow(
      `could not write upload journal ${journal.pathFor('k')}`,
    );
  });

  it('asks for a folder', () => {
    expect(() => fileJournal({ dir: '' })).toThrow(/pass the folder/);
  });

  it('keeps entries small: one line of JSON', async () => {
    const journal = fileJournal({ dir });
    await journal.set('k', entry(range(1000)));
    const text = await readFile(journal.pathFor('k'), 'utf8');
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(text)).toEqual({ version: 1, key: 'k', entry: entry(range(1000)) });
  });
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
