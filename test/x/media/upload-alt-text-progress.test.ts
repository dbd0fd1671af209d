import { describe, expect, it } from 'vitest';
import type { UploadProgress } from '../../../src/x/media/index.js';
import { useEmulator } from '../../helpers/emulator.js';
import { jpeg } from '../../helpers/media.js';
import { MiB, mediaClient, mp4Bytes } from './upload-helpers.js';

const emu = useEmulator();

describe('alt text and progress', () => {
  it('alt text is set after FINALIZE as part of the call', async () => {
    const { client } = mediaClient(emu);
    const altText = 'A red kite over a hill at dusk 🪁';
    const result = await client.media.upload(jpeg(800, 600, 10_000), { altText });
    expect(emu().store.media.get(result.mediaId)?.altText).toBe(altText);
    const order = emu()
      .requests()
      .map((e) => e.endpoint)
      .filter((e) => e.includes('/2/media'));
    expect(order).toEqual([
      'POST /2/media/upload/initialize',
      'POST /2/media/upload/:id/append',
      'POST /2/media/upload/:id/finalize',
      'POST /2/media/metadata',
    ]);
  });

  it('media.setAltText() replaces it later', async () => {
    const { client } = mediaClient(emu);
    const { mediaId } = await client.media.upload(jpeg(10, 10));
    await client.media.setAltText(mediaId, 'later');
    expect(emu().store.media.get(mediaId)?.altText).toBe('later');
  });

  it('reports initialize, each acknowledged segment, finalize, processing, metadata and done', async () => {
    const { client } = mediaClient(emu);
    const events: UploadProgress[] = [];
    const size = 3 * MiB + 10;
    const result = await client.media.upload(mp4Bytes(size), {
      chunkSize: MiB,
      concurrency: 2,
      altText: 'clip',
      onProgress: (e) => events.push(e),
    });
    expect(events.map((e) => e.phase)).toEqual([
      'initialize',
      'append',
      'append',
      'append',
      'append',
      'finalize',
      'processing',
      'processing',
      'metadata',
      'done',
    ]);
    expect(events.every((e) => e.mediaId === result.mediaId && e.totalBytes === size)).toBe(true);
    expect(events.every((e) => e.segmentsTotal === 4)).toBe(true);
    const appends = events.filter((e) => e.phase === 'append');
    expect(appends.map((e) => e.segmentsDone)).toEqual([1, 2, 3, 4]);
    expect(appends.at(-1)?.bytesSent).toBe(size);
    expect(events[0]).toMatchObject({ bytesSent: 0, segmentsDone: 0 });
    expect(events[5]).toMatchObject({ processingState: 'pending' });
    expect(events.filter((e) => e.phase === 'processing').map((e) => e.processingPercent)).toEqual([25, 100]);
    expect(events.at(-1)).toMatchObject({ phase: 'done', bytesSent: size, processingState: 'succeeded' });
  });

  it('a throwing progress listener does not fail the upload', async () => {
    const { client } = mediaClient(emu);
    const result = await client.media.upload(jpeg(10, 10), {
      onProgress: () => {
        throw new Error('display broke');
      },
    });
    expect(result.mediaId).toMatch(/^\d+$/);
  });

  it('the result has what a post needs', async () => {
    const { client } = mediaClient(emu);
    const result = await client.media.upload(jpeg(10, 10, 500));
    expect(result).toEqual({
      mediaId: expect.stringMatching(/^\d+$/),
      mediaKey: `3_${result.mediaId}`,
      expiresAt: expect.any(Number),
      size: 500,
      mediaType: 'image/jpeg',
      mediaCategory: 'tweet_image',
      resumed: false,
    });
    // FINALIZE's 24 hours, read on the (emulator's, real-time) client clock.
    expect(Math.abs(result.expiresAt - (emu().clock.now() + 86_400_000))).toBeLessThan(1000);
    const post = await client.posts.create({ text: 'with media', mediaIds: [result.mediaId] });
    expect(post.id).toMatch(/^\d+$/);
  });
});
