import { describe, expect, it } from 'vitest';
import type { UploadProgress } from '../../../src/x/media/index.js';
import { useEmulator } from '../../helpers/emulator.js';
import { gif } from '../../helpers/media.js';
import { MiB, mediaClient, mp4Bytes } from './upload-helpers.js';

const emu = useEmulator();
const STATUS = 'GET /2/media/upload';

describe('after FINALIZE, processing is awaited on the client clock', () => {
  it('a video: STATUS polled as check_after_secs says until it succeeds', async () => {
    const { client, clock } = mediaClient(emu);
    const percents: number[] = [];
    const result = await client.media.upload(mp4Bytes(2 * MiB), {
      onProgress: (p) => p.phase === 'processing' && percents.push(p.processingPercent ?? -1),
    });
    expect(result.processing).toEqual({ state: 'succeeded', progressPercent: 100 });
    // FINALIZE says pending for 1 s; STATUS then says in_progress at 25 % for 3 s more (4 s of processing).
    expect(clock.delays).toEqual([1000, 3000]);
    expect(percents).toEqual([25, 100]);
    expect(emu().requestCounts()[STATUS]).toBe(2);
  });

  it('a GIF in the category the caller chose (dm_gif) is processed too', async () => {
    const { client, clock } = mediaClient(emu);
    const result = await client.media.upload(Buffer.from(gif(10, 10, 1000)), { mediaCategory: 'dm_gif' });
    expect(result).toMatchObject({ mediaType: 'image/gif', mediaCategory: 'dm_gif' });
    expect(result.processing?.state).toBe('succeeded');
    expect(clock.delays).toEqual([1000, 1000]);
  });

  it("failed processing throws XMediaError with X's words", async () => {
    const { client } = mediaClient(emu);
    const notAVideo = Buffer.alloc(1.5 * MiB, 9);
    const error = await client.media
      .upload(notAVideo, { mediaType: 'video/mp4', name: 'broken.mp4' })
      .catch((e) => e);
    expect(error).toMatchObject({
      name: 'XMediaError',
      code: 'processing_failed',
      title: 'InvalidMedia',
      detail: 'file is invalid',
      processingError: { code: 1, name: 'InvalidMedia', message: 'file is invalid' },
    });
    expect(error.message).toMatch(
      /^broken\.mp4: X could not process media \d+ \(InvalidMedia: file is invalid\)/,
    );
  });

  it('stops at processingTimeoutMs with processing_timeout', async () => {
    const { client, clock } = mediaClient(emu);
    const error = await client.media.upload(mp4Bytes(MiB), { processingTimeoutMs: 2000 }).catch((e) => e);
    expect(error).toMatchObject({ name: 'XMediaError', code: 'processing_timeout', limit: 2000 });
    expect(error.message).toMatch(/still processing media \d+ \(in_progress, 50%\) after 2000 ms/);
    // Never waits past the deadline: 1 s, then only the 1 s left of the 3 s X asked for.
    // (The emulator clock also runs in real time, so a few ms of the second may be gone.)
    expect(clock.delays[0]).toBe(1000);
    expect(clock.delays[1]).toBeGreaterThan(900);
    expect(clock.delays[1]).toBeLessThanOrEqual(1000);
    expect(clock.delays).toHaveLength(2);
  });

  it('abort while polling rejects with the abort reason', async () => {
    const { client } = mediaClient(emu);
    const controller = new AbortController();
    const reason = new Error('user pressed ctrl-c');
    const promise = client.media.upload(mp4Bytes(MiB), {
      signal: controller.signal,
      onProgress: (p: UploadProgress) => {
        if (p.phase === 'finalize') controller.abort(reason);
      },
    });
    await expect(promise).rejects.toBe(reason);
    expect(emu().requestCounts()[STATUS] ?? 0).toBe(0);
  });
});
