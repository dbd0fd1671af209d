import { expect, it } from 'vitest';
import { dbUploadJournal } from '../../../src/service/store/upload-journal.js';
import type { UploadJournalEntry } from '../../../src/x/media/types.js';
import { describeDatabases } from '../../helpers/database.js';

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

describeDatabases('dbUploadJournal', ({ db }) => {
  it('answers undefined for a key it has never seen', async () => {
    expect(await dbUploadJournal(db()).get('upload-v1-nothing')).toBeUndefined();
  });

  it('round-trips an entry, then forgets it on delete; other instances see the same rows', async () => {
    const journal = dbUploadJournal(db());
    await journal.set('k', entry([0, 1, 2]));
    await journal.set('other', entry([5], '1880000000000000002'));
    expect(await dbUploadJournal(db()).get('k')).toEqual(entry([0, 1, 2]));
    await journal.delete('k');
    await journal.delete('never-there');
    expect(await journal.get('k')).toBeUndefined();
    expect(await journal.get('other')).toEqual(entry([5], '1880000000000000002'));
  });

  it('keeps what was set, not the caller object it goes on changing', async () => {
    const journal = dbUploadJournal(db());
    const e = entry([0]);
    const pending = journal.set('k', e);
    e.segmentsDone.push(1);
    await pending;
    const read = await journal.get('k');
    expect(read?.segmentsDone).toEqual([0]);
    read!.segmentsDone.push(9);
    expect((await journal.get('k'))?.segmentsDone).toEqual([0]);
  });

  it('keeps the spans and finalized flag of an upload', async () => {
    const journal = dbUploadJournal(db());
    const e = {
      ...entry([0, 1]),
      finalized: true,
      spans: [{ index: 2, offset: 2 * 1024 * 1024, chunkSize: 512 * 1024 }],
    };
    await journal.set('k', e);
    expect(await journal.get('k')).toEqual(e);
  });

  it('refuses what is not an entry, saying what is wrong', async () => {
    const journal = dbUploadJournal(db());
    await expect(journal.set('k', { ...entry([]), mediaId: '' })).rejects.toThrow(
      /dbUploadJournal.*no mediaId/,
    );
    await expect(journal.set('', entry([]))).rejects.toThrow(TypeError);
  });

  it('applies writes of one key in call order: the last set wins', async () => {
    const journal = dbUploadJournal(db());
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map((n) => journal.set('k', entry(Array.from({ length: n + 1 }, (_, i) => i)))),
    );
    expect((await journal.get('k'))?.segmentsDone).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reads a damaged stored entry as absent and says so', async () => {
    const warnings: string[] = [];
    const journal = dbUploadJournal(db(), { onWarning: (w) => warnings.push(w.message) });
    await db().query({
      text: `INSERT INTO xpost.upload_journals (key, entry) VALUES ('bad', '{"mediaId": 1}')`,
    });
    expect(await journal.get('bad')).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/ignoring upload journal "bad": no valid identity/)]);
  });
});
