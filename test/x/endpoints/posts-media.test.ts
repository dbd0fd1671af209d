import { afterAll, describe, expect, it } from 'vitest';
import { XValidationError } from '../../../src/x/errors/index.js';
import { useEmulator } from '../../helpers/emulator.js';
import { mediaClient, mp4Bytes, removeTempFiles, tempFile } from '../media/upload-helpers.js';

/** A tiny but well-formed PNG header (8-byte signature, IHDR 2×2). */
function pngBytes(seed: number): Buffer {
  const b = Buffer.alloc(64, seed);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(2, 16);
  b.writeUInt32BE(2, 20);
  return b;
}

describe('posts.create({ media }): upload, then post', () => {
  const emu = useEmulator();
  afterAll(removeTempFiles);

  it('uploads images by path with alt text, in parallel, and attaches them in order', async () => {
    const { client } = mediaClient(emu);
    const first = await tempFile('a.png', pngBytes(1));
    const second = await tempFile('b.png', pngBytes(2));
    const post = await client.posts.create({
      text: 'two photos',
      media: [
        { path: first, alt: 'the first photo' },
        { path: second, alt: 'the second photo' },
      ],
    });
    const stored = emu().store.posts.get(post.id)!;
    expect(stored.mediaIds).toHaveLength(2);
    expect(stored.mediaIds.map((id) => emu().store.media.get(id)!.altText)).toEqual([
      'the first photo',
      'the second photo',
    ]);
    // X appends a t.co link to the media.
    expect(post.text).toMatch(/^two photos https:\/\/t\.co\/\w+$/);
  });

  it('waits for a video to finish processing before posting it', async () => {
    const { client } = mediaClient(emu);
    const post = await client.posts.create({
      text: 'a clip',
      media: [{ data: mp4Bytes(300_000), name: 'clip.mp4' }],
    });
    const [mediaId] = emu().store.posts.get(post.id)!.mediaIds;
    expect(emu().store.media.get(mediaId!)!.mediaType).toBe('video/mp4');
  });

  it('refuses a video beside a photo before a single byte is uploaded', async () => {
    const { client } = mediaClient(emu);
    const photo = await tempFile('c.png', pngBytes(3));
    const clip = await tempFile('clip.mp4', mp4Bytes(100_000));
    const error = await client.posts
      .create({ text: 'mixed', media: [{ path: photo }, { path: clip }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XValidationError);
    expect((error as XValidationError).message).toMatch(
      /media\[1\] \(clip\.mp4\) is a video, which X allows only on its own/,
    );
    expect(emu().requestCounts()['POST /2/media/upload/initialize']).toBeUndefined();
    expect(emu().requestCounts()['POST /2/tweets']).toBeUndefined();
  });

  it('refuses bytes of no known format, and more than four media, naming the field', async () => {
    const { client } = mediaClient(emu);
    const text = await tempFile('notes.png', Buffer.from('just text pretending to be a PNG'));
    const unknown = await client.posts
      .create({ text: 'x', media: [{ path: text }] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(XValidationError);
    expect((unknown as XValidationError).issues[0]).toMatchObject({ field: 'media[0]', rule: 'type' });

    const photo = { data: pngBytes(4) };
    const five = await client.posts
      .create({ text: 'x', media: [photo, photo, photo], mediaIds: ['1', '2'] })
      .catch((e: unknown) => e);
    expect(five).toBeInstanceOf(XValidationError);
    expect((five as XValidationError).issues.map((i) => i.field)).toContain('media');
    expect(emu().requestCounts()['POST /2/media/upload/initialize']).toBeUndefined();
  });

  it('lets media stand in for text, and keeps media and poll apart', async () => {
    const { client } = mediaClient(emu);
    const post = await client.posts.create({ media: [{ data: pngBytes(5), alt: 'just a photo' }] });
    expect(emu().store.posts.get(post.id)!.mediaIds).toHaveLength(1);
    const both = await client.posts
      .create({
        text: 'vote',
        media: [{ data: pngBytes(6) }],
        poll: { options: ['a', 'b'], durationMinutes: 60 },
      })
      .catch((e: unknown) => e);
    expect((both as XValidationError).issues.some((i) => i.rule === 'exclusive')).toBe(true);
  });
});
