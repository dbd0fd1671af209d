import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../../helpers/emulator.js';
import { MiB, mediaClient, mp4Bytes } from './upload-helpers.js';

const emu = useEmulator();
const APPEND = 'POST /2/media/upload/:id/append';

describe('options.signal cancels an upload', () => {
  it('mid-upload: APPENDs in flight are aborted and nothing more is sent', async () => {
    emu().faults.add({ endpoint: APPEND, kind: 'latency', latencyMs: 2000, skip: 1 });
    const { client } = mediaClient(emu);
    const controller = new AbortController();
    const started = Date.now();
    const promise = client.media.upload(mp4Bytes(8 * MiB), {
      chunkSize: MiB,
      concurrency: 3,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'append') setTimeout(() => controller.abort(), 50);
      },
    });
    const error = await promise.catch((e) => e);
    expect(error).toMatchObject({ name: 'AbortError' });
    // It did not wait out the 2 s of latency of the APPENDs in flight.
    expect(Date.now() - started).toBeLessThan(1500);
    expect(emu().requests(APPEND).length).toBeLessThan(8);
    expect(emu().requestCounts()['POST /2/media/upload/:id/finalize'] ?? 0).toBe(0);
  });

  it('a stream being uploaded is released when the upload is aborted', async () => {
    emu().faults.add({ endpoint: APPEND, kind: 'latency', latencyMs: 2000 });
    const { client } = mediaClient(emu);
    const video = mp4Bytes(4 * MiB);
    const stream = Readable.from(
      (function* () {
        for (let i = 0; i < video.length; i += 65_536) yield video.subarray(i, i + 65_536);
      })(),
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 100);
    await expect(
      client.media.upload(stream, { size: video.length, chunkSize: MiB, signal: controller.signal }),
    ).rejects.toThrow('stop');
    expect(stream.destroyed).toBe(true);
  });

  it('an already aborted signal sends nothing', async () => {
    const { client } = mediaClient(emu);
    await expect(client.media.upload(mp4Bytes(MiB), { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(emu().requestCounts()).toEqual({});
  });
});
