import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';
import { append, expectInvalid, finalize, initialize, mp4, sha256 } from '../helpers/media.js';

const emu = useEmulator();
const MiB = 1024 * 1024;
const APPEND = 'POST /2/media/upload/:id/append';

async function session(totalBytes: number, mediaType = 'video/mp4'): Promise<string> {
  const res = await initialize(emu(), { media_type: mediaType, total_bytes: totalBytes });
  return res.body.data.id;
}

describe('POST /2/media/upload/:id/append', () => {
  it('stores a multipart segment and answers with expires_at (v2.167)', async () => {
    const id = await session(100);
    const bytes = mp4(100);
    const res = await append(emu(), id, 0, bytes);
    expect(res.status).toBe(200);
    const record = emu().store.media.get(id)!;
    expect(res.body).toEqual({ data: { expires_at: Math.floor(record.expiresAt / 1000) } });
    expect(record.segments.get(0)).toMatchObject({ size: 100, sha256: sha256(bytes) });
    expect(emu().requests(APPEND).at(-1)!.meta).toEqual({ mediaId: id, segmentIndex: 0, bytes: 100 });
  });

  it('accepts the JSON variant with base64 media', async () => {
    const id = await session(50);
    const bytes = mp4(50);
    const res = await api(emu(), 'POST', `/2/media/upload/${id}/append`, {
      json: { media: bytes.toString('base64'), segment_index: 0 },
    });
    expect(res.status).toBe(200);
    expect(emu().store.media.get(id)!.segments.get(0)!.sha256).toBe(sha256(bytes));
  });

  it('accepts segments out of order and assembles them by index', async () => {
    const bytes = mp4(300);
    const id = await session(300);
    for (const i of [2, 0, 1])
      expect((await append(emu(), id, i, bytes.subarray(i * 100, i * 100 + 100))).status).toBe(200);
    const done = await finalize(emu(), id);
    expect(done.status).toBe(200);
    expect(emu().store.media.get(id)!.sha256).toBe(sha256(bytes));
  });

  it('lets a retried segment_index replace the earlier bytes, and logs both sends', async () => {
    const bytes = mp4(200);
    const id = await session(200);
    await append(emu(), id, 0, bytes.subarray(0, 100));
    await append(emu(), id, 1, Buffer.alloc(150, 1));
    await append(emu(), id, 1, bytes.subarray(100));
    expect(emu().store.media.get(id)!.segments.get(1)!.size).toBe(100);
    expect(
      emu()
        .requests(APPEND)
        .map((e) => e.meta?.segmentIndex),
    ).toEqual([0, 1, 1]);
    expect((await finalize(emu(), id)).status).toBe(200);
    expect(emu().store.media.get(id)!.sha256).toBe(sha256(bytes));
  });

  it('answers a segment over 5 MiB with 413 and an empty body, keeping nothing', async () => {
    const id = await session(6 * MiB);
    const res = await append(emu(), id, 0, Buffer.alloc(5 * MiB + 1));
    expect(res.status).toBe(413);
    expect(res.text).toBe('');
    expect(emu().store.media.get(id)!.segments.size).toBe(0);
    // The connection and the session stay usable.
    expect((await append(emu(), id, 0, mp4(5 * MiB))).status).toBe(200);
  });

  it('refuses a body whose content-length is far over the limit before reading it', async () => {
    const id = await session(8 * MiB);
    const res = await append(emu(), id, 0, Buffer.alloc(7 * MiB));
    expect(res.status).toBe(413);
    expect(res.text).toBe('');
    expect(emu().store.media.get(id)!.segments.size).toBe(0);
  });

  it('answers an oversized JSON segment with 413 too', async () => {
    const id = await session(6 * MiB);
    const res = await api(emu(), 'POST', `/2/media/upload/${id}/append`, {
      json: { media: Buffer.alloc(5 * MiB + 3).toString('base64'), segment_index: 0 },
    });
    expect(res.status).toBe(413);
    expect(res.text).toBe('');
  });

  it.each([
    [-1, '$.segment_index: must have a minimum value of 0'],
    [1000, '$.segment_index: must have a maximum value of 999'],
    ['one', '$.segment_index: string found, integer expected'],
  ])('rejects segment_index %s', async (index, message) => {
    const id = await session(10);
    expectInvalid(await append(emu(), id, index, mp4(10)), message);
    expect(emu().store.media.get(id)!.segments.size).toBe(0);
  });

  it('reads the segment through the emulated link, so bandwidth faults slow APPEND down', async () => {
    const id = await session(256 * 1024);
    emu().faults.add({ endpoint: APPEND, kind: 'bandwidth', bytesPerSecond: 1024 * 1024 });
    const started = performance.now();
    const res = await append(emu(), id, 0, mp4(256 * 1024));
    expect(res.status).toBe(200);
    // 256 KiB at 1 MiB/s: about a quarter of a second of real time.
    expect(performance.now() - started).toBeGreaterThan(180);
  });

  it('accepts segment_index 999', async () => {
    const id = await session(10);
    expect((await append(emu(), id, 999, mp4(10))).status).toBe(200);
  });

  it('rejects a form without media or segment_index', async () => {
    const id = await session(10);
    const noMedia = new FormData();
    noMedia.set('segment_index', '0');
    expectInvalid(
      await api(emu(), 'POST', `/2/media/upload/${id}/append`, { body: noMedia }),
      '$.media: is missing but it is required',
    );
    const noIndex = new FormData();
    noIndex.set('media', new Blob([mp4(10)]));
    expectInvalid(
      await api(emu(), 'POST', `/2/media/upload/${id}/append`, { body: noIndex }),
      '$.segment_index: is missing but it is required',
    );
  });

  it('rejects an unknown media id', async () => {
    expectInvalid(await append(emu(), '123456789', 0, mp4(10)), 'Invalid media_id: 123456789');
  });

  it("rejects another user's media id", async () => {
    const id = await session(10);
    const res = await append(emu(), id, 0, mp4(10), { token: emu().otherUser.accessToken });
    expectInvalid(res, `Invalid media_id: ${id}`);
  });

  it('rejects an expired media id', async () => {
    const id = await session(10);
    // A token that outlives the media id: the 2-hour default would expire first.
    const { access_token: token } = emu().issueToken({ ttlSecs: 30 * 86_400 });
    emu().clock.advance(1_295_998 * 1000);
    expect((await append(emu(), id, 0, mp4(10), { token })).status).toBe(200);
    emu().clock.advance(1000);
    expectInvalid(await append(emu(), id, 1, mp4(10), { token }), `Invalid media_id: ${id}`);
    expectInvalid(await finalize(emu(), id, { token }), `Invalid media_id: ${id}`);
  });

  it('rejects a media id that is already finalized', async () => {
    const id = await session(10);
    await append(emu(), id, 0, mp4(10));
    await finalize(emu(), id);
    expectInvalid(await append(emu(), id, 1, mp4(10)), `Media id ${id} has already been finalized.`);
  });

  it('needs the media.write scope', async () => {
    const id = await session(10);
    const { access_token } = emu().issueToken({ scopes: ['tweet.read', 'tweet.write', 'users.read'] });
    const res = await append(emu(), id, 0, mp4(10), { token: access_token });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ title: 'Forbidden', type: 'about:blank', status: 403, detail: 'Forbidden' });
  });
});
