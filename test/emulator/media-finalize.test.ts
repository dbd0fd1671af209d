import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import {
  append,
  expectInvalid,
  finalize,
  gif,
  initialize,
  jpeg,
  mp4,
  png,
  sha256,
  status,
  uploadChunked,
} from '../helpers/media.js';

const emu = useEmulator();
const SEGMENTS_MISMATCH = 'Segments do not add up to provided total file size.';

function webp(w: number, h: number): Buffer {
  const b = Buffer.alloc(40);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(32, 4);
  b.write('WEBPVP8X', 8, 'latin1');
  b.writeUIntLE(w - 1, 24, 3);
  b.writeUIntLE(h - 1, 27, 3);
  return b;
}

describe('POST /2/media/upload/:id/finalize', () => {
  it.each([
    ['image/png', png(640, 480, 3000), 640, 480],
    ['image/jpeg', jpeg(1280, 720, 3000), 1280, 720],
    ['image/webp', webp(300, 200), 300, 200],
  ])(
    'makes %s usable at once, with its dimensions and no processing_info',
    async (mediaType, bytes, w, h) => {
      const res = await uploadChunked(emu(), bytes, mediaType, { chunk: 1000 });
      expect(res.status).toBe(200);
      const id = res.body.data.id;
      expect(res.body).toEqual({
        data: {
          id,
          media_key: `3_${id}`,
          size: bytes.length,
          expires_after_secs: 86_400,
          image: { w, h, image_type: mediaType },
        },
      });
      const record = emu().store.media.get(id)!;
      expect(record.sha256).toBe(sha256(bytes));
      expect(record.expiresAt).toBe(record.finalizedAt! + 86_400_000);
      expect(record.processing).toBeNull();
    },
  );

  it('treats a GIF uploaded as tweet_image as a plain image', async () => {
    const res = await uploadChunked(emu(), gif(32, 16), 'image/gif', { category: 'tweet_image' });
    expect(res.body.data.image).toEqual({ w: 32, h: 16, image_type: 'image/gif' });
    expect(res.body.data.processing_info).toBeUndefined();
  });

  it('records the SHA-256 of the assembled bytes across segments', async () => {
    const bytes = mp4(2.5 * 1024 * 1024);
    const res = await uploadChunked(emu(), bytes, 'video/mp4', { chunk: 1024 * 1024 });
    expect(res.status).toBe(200);
    expect(emu().store.media.get(res.body.data.id)!.sha256).toBe(sha256(bytes));
  });

  it('rejects an image whose bytes are not the declared type, and spends the id', async () => {
    const res = await uploadChunked(emu(), jpeg(10, 10), 'image/png');
    expectInvalid(res, 'The uploaded file is not a valid image/png file (its bytes look like image/jpeg).');
  });

  it('rejects bytes that match no format', async () => {
    const res = await uploadChunked(emu(), Buffer.from('just some text, not an image'), 'image/jpeg');
    expectInvalid(res, /not a valid image\/jpeg file \(its bytes match no supported format\)/);
  });

  it('rejects segments that fall short of total_bytes', async () => {
    const init = await initialize(emu(), { media_type: 'image/png', total_bytes: 100 });
    const id = init.body.data.id;
    await append(emu(), id, 0, png(1, 1, 60));
    expectInvalid(await finalize(emu(), id), SEGMENTS_MISMATCH);
    // The session survives: the missing bytes can still be sent.
    await append(emu(), id, 1, Buffer.alloc(40));
    expect((await finalize(emu(), id)).status).toBe(200);
  });

  it('rejects segments that add up to more than total_bytes', async () => {
    const init = await initialize(emu(), { media_type: 'image/png', total_bytes: 50 });
    await append(emu(), init.body.data.id, 0, png(1, 1, 60));
    expectInvalid(await finalize(emu(), init.body.data.id), SEGMENTS_MISMATCH);
  });

  it('rejects a gap in the segment indexes', async () => {
    const init = await initialize(emu(), { media_type: 'image/png', total_bytes: 100 });
    await append(emu(), init.body.data.id, 0, png(1, 1, 50));
    await append(emu(), init.body.data.id, 2, Buffer.alloc(50));
    expectInvalid(await finalize(emu(), init.body.data.id), SEGMENTS_MISMATCH);
  });

  it('rejects FINALIZE with no segments', async () => {
    const init = await initialize(emu(), { media_type: 'image/png', total_bytes: 50 });
    expectInvalid(await finalize(emu(), init.body.data.id), SEGMENTS_MISMATCH);
  });

  it('answers a repeated FINALIZE with the same media (a client that lost the response may ask again)', async () => {
    const first = await uploadChunked(emu(), png(2, 2, 100), 'image/png');
    const again = await finalize(emu(), first.body.data.id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  it("rejects another user's media id", async () => {
    const init = await initialize(emu(), { media_type: 'image/png', total_bytes: 100 });
    await append(emu(), init.body.data.id, 0, png(1, 1, 100));
    const res = await finalize(emu(), init.body.data.id, { token: emu().otherUser.accessToken });
    expectInvalid(res, `Invalid media_id: ${init.body.data.id}`);
  });

  it('forgets a finalized media id after 24 hours', async () => {
    const done = await uploadChunked(emu(), png(2, 2, 100), 'image/png');
    const { access_token: token } = emu().issueToken({ ttlSecs: 3 * 86_400 });
    emu().clock.advance(86_400 * 1000);
    expectInvalid(
      await status(emu(), done.body.data.id, { token }),
      `Invalid media_id: ${done.body.data.id}`,
    );
  });
});
