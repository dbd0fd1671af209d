import { beforeEach, describe, expect, it } from 'vitest';
import { api, useEmulator } from '../helpers/emulator.js';
import { expectInvalid, gif, initialize, mp4, png, status, uploadChunked } from '../helpers/media.js';

const emu = useEmulator();

// A frozen clock: processing moves only when a test advances it.
beforeEach(() => emu().clock.setScale(0));

describe('video and GIF processing (REFERENCE §4.1)', () => {
  it('goes pending → in_progress with rising progress_percent → succeeded as the clock advances', async () => {
    const done = await uploadChunked(emu(), mp4(3000), 'video/mp4', { category: 'tweet_video', chunk: 1000 });
    const id = done.body.data.id;
    expect(done.status).toBe(200);
    expect(done.body.data).toEqual({
      id,
      media_key: `7_${id}`,
      size: 3000,
      expires_after_secs: 86_400,
      processing_info: { state: 'pending', check_after_secs: 1 },
    });

    expect((await status(emu(), id)).body.data.processing_info).toEqual({
      state: 'pending',
      check_after_secs: 1,
    });
    emu().clock.advance(1000);
    const early = (await status(emu(), id)).body.data.processing_info;
    expect(early).toMatchObject({ state: 'in_progress', progress_percent: 25 });
    expect(early.check_after_secs).toBeGreaterThanOrEqual(1);
    emu().clock.advance(2000);
    const late = (await status(emu(), id)).body.data.processing_info;
    expect(late).toMatchObject({ state: 'in_progress', progress_percent: 75 });
    expect(late.progress_percent).toBeGreaterThan(early.progress_percent);
    emu().clock.advance(1000);
    const final = await status(emu(), id);
    expect(final.body.data).toEqual({
      id,
      media_key: `7_${id}`,
      size: 3000,
      expires_after_secs: 86_396,
      processing_info: { state: 'succeeded', progress_percent: 100 },
      video: { video_type: 'video/mp4' },
    });
  });

  it('processes a GIF in 2 s with a 16_ media key', async () => {
    const done = await uploadChunked(emu(), gif(100, 100, 500), 'image/gif');
    const id = done.body.data.id;
    expect(done.body.data.media_key).toBe(`16_${id}`);
    expect(done.body.data.processing_info.state).toBe('pending');
    emu().clock.advance(1500);
    expect((await status(emu(), id)).body.data.processing_info).toMatchObject({
      state: 'in_progress',
      progress_percent: 75,
    });
    emu().clock.advance(500);
    expect((await status(emu(), id)).body.data.processing_info).toEqual({
      state: 'succeeded',
      progress_percent: 100,
    });
  });

  it("fails a video whose bytes are not the declared type, with X's InvalidMedia error", async () => {
    const done = await uploadChunked(emu(), png(10, 10, 2000), 'video/mp4');
    expect(done.status).toBe(200);
    expect(done.body.data.processing_info).toEqual({ state: 'pending', check_after_secs: 1 });
    emu().clock.advance(4000);
    const res = await status(emu(), done.body.data.id);
    expect(res.body.data.processing_info).toEqual({
      state: 'failed',
      progress_percent: 100,
      error: { code: 1, name: 'InvalidMedia', message: 'file is invalid' },
    });
    expect(res.body.data.video).toBeUndefined();
  });

  it('accepts a QuickTime file that starts with a moov or wide atom', async () => {
    const mov = mp4(500);
    mov.write('wide', 4, 'latin1');
    const done = await uploadChunked(emu(), mov, 'video/quicktime');
    emu().clock.advance(4000);
    expect((await status(emu(), done.body.data.id)).body.data.processing_info.state).toBe('succeeded');
  });

  it('honours a configured processing time of zero', async () => {
    // Through the record: the emulator's own settings are fixed per instance.
    const done = await uploadChunked(emu(), mp4(100), 'video/mp4');
    emu().store.media.get(done.body.data.id)!.processing!.durationMs = 0;
    expect((await status(emu(), done.body.data.id)).body.data.processing_info.state).toBe('succeeded');
  });
});

describe('GET /2/media/upload (STATUS)', () => {
  it('works without command=STATUS (optional in v2.167)', async () => {
    const done = await uploadChunked(emu(), mp4(100), 'video/mp4');
    const res = await api(emu(), 'GET', `/2/media/upload?media_id=${done.body.data.id}`);
    expect(res.status).toBe(200);
    expect(res.body.data.processing_info.state).toBe('pending');
  });

  it('requires media_id', async () => {
    const res = await api(emu(), 'GET', '/2/media/upload?command=STATUS');
    expectInvalid(res, 'The `media_id` query parameter can not be empty');
  });

  it('refuses a media id that is not finalized yet', async () => {
    const init = await initialize(emu(), { media_type: 'video/mp4', total_bytes: 10 });
    expectInvalid(
      await status(emu(), init.body.data.id),
      `Media id ${init.body.data.id} has not been finalized.`,
    );
  });

  it("refuses another user's media id", async () => {
    const done = await uploadChunked(emu(), mp4(100), 'video/mp4');
    const res = await status(emu(), done.body.data.id, { token: emu().otherUser.accessToken });
    expectInvalid(res, `Invalid media_id: ${done.body.data.id}`);
  });

  it('needs the media.write scope', async () => {
    const done = await uploadChunked(emu(), mp4(100), 'video/mp4');
    const { access_token } = emu().issueToken({ scopes: ['tweet.read', 'users.read'] });
    const res = await status(emu(), done.body.data.id, { token: access_token });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ title: 'Forbidden', type: 'about:blank', status: 403, detail: 'Forbidden' });
  });
});
