import { afterEach, describe, expect, it } from 'vitest';
import { memoryJournal } from '../../../src/x/media/journal/index.js';
import type { UploadJournalEntry } from '../../../src/x/media/types.js';
import { useEmulator } from '../../helpers/emulator.js';
import { MiB, mediaClient, mp4Bytes, removeTempFiles, sha256, tempFile } from './upload-helpers.js';

/** The engine's side of resuming (the journal stores have their own tests, journal-*.test.ts). */
const emu = useEmulator();
afterEach(removeTempFiles);
const APPEND = 'POST /2/media/upload/:id/append';

/** A memory journal that remembers its keys, so a test can age its entries. */
function testJournal() {
  const inner = memoryJournal();
  const keys = new Set<string>();
  return {
    get: (key: string) => inner.get(key),
    set: (key: string, entry: UploadJournalEntry) => {
      keys.add(key);
      return inner.set(key, entry);
    },
    delete: (key: string) => inner.delete(key),
    get size() {
      return inner.size;
    },
    async expireAll(at: number) {
      for (const key of keys) {
        const entry = await inner.get(key);
        if (entry) await inner.set(key, { ...entry, expiresAt: at });
      }
    },
  };
}

async function interruptedUpload(bytes: Buffer) {
  const path = await tempFile('clip.mp4', bytes);
  const journal = testJournal();
  // The sixth APPEND is cut and not retried: five segments are acknowledged, then the upload fails.
  emu().faults.add({ endpoint: APPEND, kind: 'reset', skip: 5, times: 1 });
  const { client } = mediaClient(emu, { maxRetries: 0 });
  await expect(client.media.upload(path, { journal, chunkSize: MiB, concurrency: 1 })).rejects.toMatchObject({
    name: 'XNetworkError',
  });
  emu().faults.clear();
  return { path, journal };
}

describe('media.upload(path, { journal }) continues an interrupted upload', () => {
  it('sends only the missing segments of the same media id, then forgets the entry', async () => {
    const video = mp4Bytes(10 * MiB, 5);
    const { path, journal } = await interruptedUpload(video);
    expect(journal.size).toBe(1);
    const firstId = emu().requests(APPEND)[0]?.meta?.mediaId;
    const before = emu().requests(APPEND).length;

    const { client } = mediaClient(emu);
    const result = await client.media.upload(path, { journal, chunkSize: MiB });
    expect(result).toMatchObject({ mediaId: firstId, resumed: true });
    const resent = emu()
      .requests(APPEND)
      .slice(before)
      .map((e) => e.meta?.segmentIndex);
    expect(resent.sort()).toEqual([5, 6, 7, 8, 9]);
    expect(emu().requestCounts()['POST /2/media/upload/initialize']).toBe(1);
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(sha256(video));
    expect(journal.size).toBe(0);
  });

  it('starts over when the entry has expired', async () => {
    const { path, journal } = await interruptedUpload(mp4Bytes(8 * MiB, 6));
    // As if ~15 days had passed (moving the clock that far would expire the access token too).
    await journal.expireAll(emu().clock.now() - 1);
    const { client } = mediaClient(emu);
    const result = await client.media.upload(path, { journal, chunkSize: MiB });
    expect(result.resumed).toBe(false);
    expect(emu().requestCounts()['POST /2/media/upload/initialize']).toBe(2);
  });

  it('starts over when X no longer knows the media id', async () => {
    const video = mp4Bytes(8 * MiB, 7);
    const { path, journal } = await interruptedUpload(video);
    emu().reset();
    const { client } = mediaClient(emu);
    const result = await client.media.upload(path, { journal, chunkSize: MiB });
    expect(result.resumed).toBe(false);
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(sha256(video));
  });

  it('only polls when the journal says FINALIZE was accepted', async () => {
    const video = mp4Bytes(2 * MiB, 8);
    const path = await tempFile('clip.mp4', video);
    const journal = memoryJournal();
    const controller = new AbortController();
    const { client } = mediaClient(emu);
    await expect(
      client.media.upload(path, {
        journal,
        signal: controller.signal,
        onProgress: (p) => p.phase === 'finalize' && controller.abort(),
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    const result = await client.media.upload(path, { journal });
    expect(result).toMatchObject({ resumed: true, processing: { state: 'succeeded' } });
    expect(emu().requestCounts()['POST /2/media/upload/:id/finalize']).toBe(1);
    expect(emu().requestCounts()[APPEND]).toBe(1);
  });
});
