import { beforeEach, describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';
import { expectInvalid, jpeg, mp4, png, sha256, status } from '../helpers/media.js';

const emu = useEmulator();
beforeEach(() => emu().clock.setScale(0));

function form(fields: Record<string, string | Buffer>): FormData {
  const f = new FormData();
  for (const [name, value] of Object.entries(fields))
    f.set(name, typeof value === 'string' ? value : new Blob([value]));
  return f;
}

const upload = (body: FormData | undefined, query = '', token?: string) =>
  api(emu(), 'POST', `/2/media/upload${query}`, { body, token });

describe('one-shot POST /2/media/upload', () => {
  it('uploads an image from multipart, detecting media_type from the bytes', async () => {
    const bytes = png(800, 600, 5000);
    const res = await upload(form({ media_category: 'tweet_image', media: bytes }));
    expect(res.status).toBe(200);
    const id = res.body.data.id;
    expect(res.body.data).toEqual({
      id,
      media_key: `3_${id}`,
      size: 5000,
      expires_after_secs: 86_400,
      image: { w: 800, h: 600, image_type: 'image/png' },
    });
    expect(emu().store.media.get(id)).toMatchObject({
      mediaType: 'image/png',
      sha256: sha256(bytes),
      phase: 'finalized',
    });
  });

  it('uploads an image from JSON with base64 media', async () => {
    const bytes = jpeg(64, 48, 700);
    const res = await api(emu(), 'POST', '/2/media/upload', {
      json: { media: bytes.toString('base64'), media_category: 'dm_image' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.image).toEqual({ w: 64, h: 48, image_type: 'image/jpeg' });
    expect(emu().store.media.get(res.body.data.id)!.sha256).toBe(sha256(bytes));
  });

  it('processes a one-shot video like a chunked one', async () => {
    const res = await upload(
      form({ media_category: 'tweet_video', media_type: 'video/mp4', media: mp4(4000) }),
    );
    expect(res.body.data.processing_info).toEqual({ state: 'pending', check_after_secs: 1 });
    emu().clock.advance(4000);
    expect((await status(emu(), res.body.data.id)).body.data.processing_info.state).toBe('succeeded');
  });

  it('takes additional_owners as a comma-separated string', async () => {
    const other = emu().otherUser.id;
    const res = await upload(
      form({ media_category: 'tweet_image', additional_owners: `${other}`, media: png(1, 1) }),
    );
    expect(emu().store.media.get(res.body.data.id)!.additionalOwners).toEqual([other]);
  });

  it('requires media_category and media', async () => {
    expectInvalid(
      await upload(form({ media: png(1, 1) })),
      '$.media_category: is missing but it is required',
    );
    expectInvalid(
      await upload(form({ media_category: 'tweet_image' })),
      '$.media: is missing but it is required',
    );
    expectInvalid(
      await upload(form({ media_category: 'amplify_video', media: mp4(10) })),
      /\$\.media_category: does not have a value in the enumeration/,
    );
  });

  it('rejects bytes that contradict the declared media_type, and bytes of no known type', async () => {
    expectInvalid(
      await upload(form({ media_category: 'tweet_image', media_type: 'image/png', media: jpeg(1, 1) })),
      /not a valid image\/png file/,
    );
    expectInvalid(
      await upload(form({ media_category: 'tweet_image', media: Buffer.from('hello') })),
      'The media type could not be determined from the uploaded bytes.',
    );
  });

  it('applies the category size limit', async () => {
    const res = await upload(form({ media_category: 'tweet_image', media: png(1, 1, 5 * 1024 * 1024 + 1) }));
    expectInvalid(res, /File size exceeds 5242880 bytes/);
  });
});

describe('deprecated command form (REFERENCE §4.5)', () => {
  it('runs INIT → APPEND → FINALIZE → STATUS with query parameters and multipart APPEND', async () => {
    const bytes = mp4(3000);
    const init = await upload(
      undefined,
      '?command=INIT&total_bytes=3000&media_type=video/mp4&media_category=tweet_video',
    );
    expect(init.status).toBe(200);
    const id = init.body.data.id;
    expect(init.body.data).toEqual({ id, media_key: `7_${id}`, expires_after_secs: 1_295_999 });
    for (const i of [0, 1, 2]) {
      const res = await upload(
        form({
          command: 'APPEND',
          media_id: id,
          segment_index: String(i),
          media: bytes.subarray(i * 1000, i * 1000 + 1000),
        }),
      );
      expect(res.status).toBe(200);
      expect(res.body.data.expires_at).toEqual(expect.any(Number));
    }
    expect(emu().requests('POST /2/media/upload').at(-1)!.meta).toEqual({
      mediaId: id,
      segmentIndex: 2,
      bytes: 1000,
    });
    const fin = await upload(undefined, `?command=FINALIZE&media_id=${id}`);
    expect(fin.body.data).toMatchObject({
      id,
      size: 3000,
      processing_info: { state: 'pending', check_after_secs: 1 },
    });
    emu().clock.advance(4000);
    const st = await upload(undefined, `?command=STATUS&media_id=${id}`);
    expect(st.body.data.processing_info).toEqual({ state: 'succeeded', progress_percent: 100 });
    expect(emu().store.media.get(id)!.sha256).toBe(sha256(bytes));
  });

  it('accepts the command and parameters as url-encoded form fields', async () => {
    const res = await api(emu(), 'POST', '/2/media/upload', {
      body: new URLSearchParams({ command: 'INIT', total_bytes: '10', media_type: 'image/png' }),
    });
    expect(res.status).toBe(200);
    expect(res.body.data.media_key).toMatch(/^3_/);
  });

  it('answers a 5 MiB+ command APPEND with an empty 413', async () => {
    const init = await upload(undefined, '?command=INIT&total_bytes=6000000&media_type=video/mp4');
    const id = init.body.data.id;
    const res = await upload(
      form({ command: 'APPEND', media_id: id, segment_index: '0', media: Buffer.alloc(5 * 1024 * 1024 + 1) }),
    );
    expect(res.status).toBe(413);
    expect(res.text).toBe('');
  });

  it('validates INIT parameters and unknown commands', async () => {
    expectInvalid(
      await upload(undefined, '?command=INIT&media_type=video/mp4'),
      '$.total_bytes: is missing but it is required',
    );
    expectInvalid(
      await upload(undefined, '?command=INIT&total_bytes=x&media_type=video/mp4'),
      '$.total_bytes: integer expected',
    );
    expectInvalid(
      await upload(undefined, '?command=INIT&total_bytes=10&media_type=video/avi'),
      /\$\.media_type: does not have/,
    );
    expectInvalid(await upload(undefined, '?command=FINALIZE'), '$.media_id: is missing but it is required');
    expectInvalid(
      await upload(undefined, '?command=EXPLODE'),
      'The `command` parameter value [EXPLODE] is not valid',
    );
  });
});
