import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { append, finalize, initialize, sha256 } from '../helpers/media.js';

const emu = useEmulator();
const MiB = 1024 * 1024;
const TOTAL = 512 * MiB;
const SEGMENT = 4 * MiB;

/** Lets the test see what the upload left behind, not garbage waiting to be collected. */
function settledRss(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().rss;
}

describe('memory (segments stream to disk)', () => {
  it('takes 512 MiB in 4 MiB segments without the RSS growing by more than ~100 MB', async () => {
    // One buffer reused for every segment; only the first carries the MP4 signature.
    const segment = Buffer.alloc(SEGMENT, 0x5a);
    const first = Buffer.from(segment);
    first.writeUInt32BE(24, 0);
    first.write('ftypisom', 4, 'latin1');

    // Warm up the HTTP path and the parser once, so their one-time allocations are not counted.
    const warm = await initialize(emu(), { media_type: 'video/mp4', total_bytes: SEGMENT });
    await append(emu(), warm.body.data.id, 0, first);
    await finalize(emu(), warm.body.data.id);

    const before = settledRss();
    const init = await initialize(emu(), {
      media_type: 'video/mp4',
      media_category: 'tweet_video',
      total_bytes: TOTAL,
    });
    const id = init.body.data.id as string;
    let peak = before;
    for (let i = 0; i < TOTAL / SEGMENT; i++) {
      const res = await append(emu(), id, i, i === 0 ? first : segment);
      expect(res.status).toBe(200);
      if (i % 16 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    const done = await finalize(emu(), id);
    expect(done.status).toBe(200);
    expect(done.body.data.size).toBe(TOTAL);
    const after = settledRss();
    peak = Math.max(peak, after);

    expect(after - before).toBeLessThan(100 * MiB);
    expect(peak - before).toBeLessThan(150 * MiB);
    const parts = [first, ...Array.from({ length: TOTAL / SEGMENT - 1 }, () => segment)];
    expect(emu().store.media.get(id)!.sha256).toBe(sha256(...parts));
  }, 60_000);
});
