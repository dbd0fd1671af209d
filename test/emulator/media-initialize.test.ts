import { describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';
import { expectInvalid, initialize } from '../helpers/media.js';

const emu = useEmulator();
const MiB = 1024 * 1024;

describe('POST /2/media/upload/initialize', () => {
  it('returns id, media_key and the ~15-day expiry, and stores the record', async () => {
    const res = await initialize(emu(), {
      media_type: 'video/mp4',
      total_bytes: 1000,
      media_category: 'tweet_video',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        id: expect.stringMatching(/^\d+$/),
        media_key: `7_${res.body.data.id}`,
        expires_after_secs: 1_295_999,
      },
    });
    const record = emu().store.media.get(res.body.data.id)!;
    expect(record).toMatchObject({
      ownerId: emu().user.id,
      totalBytes: 1000,
      category: 'tweet_video',
      phase: 'uploading',
    });
  });

  it.each([
    ['image/png', 'tweet_image', '3_'],
    ['image/jpeg', 'tweet_image', '3_'],
    ['image/gif', 'tweet_gif', '16_'],
    ['video/mp4', 'tweet_video', '7_'],
    ['video/quicktime', 'tweet_video', '7_'],
  ])('defaults %s to %s with media_key prefix %s', async (mediaType, category, prefix) => {
    const res = await initialize(emu(), { media_type: mediaType, total_bytes: 10 });
    expect(res.status).toBe(200);
    expect(res.body.data.media_key).toBe(`${prefix}${res.body.data.id}`);
    expect(emu().store.media.get(res.body.data.id)!.category).toBe(category);
  });

  it('keeps additional_owners', async () => {
    const other = emu().otherUser.id;
    const res = await initialize(emu(), {
      media_type: 'image/png',
      total_bytes: 10,
      additional_owners: [other],
    });
    expect(emu().store.media.get(res.body.data.id)!.additionalOwners).toEqual([other]);
  });

  it.each([
    [{ media_type: 'image/png', total_bytes: 10, colour: 'red' }, /\$\.colour: is not defined in the schema/],
    [
      { media_type: 'image/heic', total_bytes: 10 },
      /\$\.media_type: does not have a value in the enumeration/,
    ],
    [{ media_type: 'image/png', total_bytes: 0 }, '$.total_bytes: must have a minimum value of 1'],
    [
      { media_type: 'image/png', total_bytes: 17179869185 },
      '$.total_bytes: must have a maximum value of 17179869184',
    ],
    [{ media_type: 'image/png', total_bytes: '10' }, '$.total_bytes: string found, integer expected'],
    [{ media_type: 'image/png' }, '$.total_bytes: is missing but it is required'],
    [
      { media_type: 'image/png', total_bytes: 1, media_category: 'tweet_photo' },
      /\$\.media_category: does not have a value/,
    ],
    [
      {
        media_type: 'image/png',
        total_bytes: 1,
        additional_owners: Array.from({ length: 101 }, (_, i) => String(i + 1)),
      },
      '$.additional_owners: there must be a maximum of 100 items in the array',
    ],
    [
      { media_type: 'image/png', total_bytes: 1, additional_owners: ['abc'] },
      /\$\.additional_owners\[0\]: does not match/,
    ],
  ])('rejects %j', async (body, message) => {
    expectInvalid(await initialize(emu(), body), message);
  });

  it("answers a non-JSON body with X's content-type error", async () => {
    const res = await api(emu(), 'POST', '/2/media/upload/initialize', {
      body: 'media_type=image/png',
      headers: { 'content-type': 'text/plain' },
    });
    expectInvalid(res, 'Requests with bodies must have content-type of application/json.');
  });

  describe('size limits per category (REFERENCE §4.3)', () => {
    it.each([
      ['image/png', 'tweet_image', 5 * MiB],
      ['image/gif', 'tweet_gif', 15 * MiB],
      ['video/mp4', 'dm_video', 512 * MiB],
      ['video/mp4', 'tweet_video', 8 * 1024 * MiB],
    ])('%s as %s: accepts %d bytes and refuses one more', async (mediaType, category, limit) => {
      const ok = await initialize(emu(), {
        media_type: mediaType,
        media_category: category,
        total_bytes: limit,
      });
      expect(ok.status).toBe(200);
      const over = await initialize(emu(), {
        media_type: mediaType,
        media_category: category,
        total_bytes: limit + 1,
      });
      expectInvalid(
        over,
        new RegExp(`File size exceeds ${limit} bytes, the limit for media_category ${category}`),
      );
    });

    it('gives X Premium users the larger video limits', async () => {
      const body = { media_type: 'video/mp4', media_category: 'tweet_video', total_bytes: 12 * 1024 * MiB };
      expectInvalid(await initialize(emu(), body), /File size exceeds 8589934592 bytes/);
      emu().setPremium(emu().user.id, true);
      expect((await initialize(emu(), body)).status).toBe(200);
      const dm = await initialize(emu(), {
        ...body,
        media_category: 'dm_video',
        total_bytes: 1024 * MiB + 1,
      });
      expectInvalid(
        dm,
        /File size exceeds 1073741824 bytes, the limit for media_category dm_video with X Premium/,
      );
    });

    it('keeps the 5 MB image limit for X Premium users', async () => {
      emu().setPremium(emu().user.id, true);
      const res = await initialize(emu(), { media_type: 'image/jpeg', total_bytes: 5 * MiB + 1 });
      expectInvalid(res, /File size exceeds 5242880 bytes/);
    });
  });

  it('needs the media.write scope', async () => {
    const { access_token } = emu().issueToken({ scopes: ['tweet.read', 'tweet.write', 'users.read'] });
    const res = await initialize(
      emu(),
      { media_type: 'image/png', total_bytes: 10 },
      { token: access_token },
    );
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ title: 'Forbidden', type: 'about:blank', status: 403, detail: 'Forbidden' });
  });
});
