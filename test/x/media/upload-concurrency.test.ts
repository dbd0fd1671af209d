import { describe, expect, it } from 'vitest';
import { useEmulator } from '../../helpers/emulator.js';
import { MiB, mediaClient, mp4Bytes, sha256 } from './upload-helpers.js';

const emu = useEmulator();
const APPEND = 'POST /2/media/upload/:id/append';

interface Attempt {
  index: number;
  ok: boolean;
}

/** A fetch that notes each APPEND's segment index and whether it got an answer, in completion order. */
function recordingFetch() {
  const attempts: Attempt[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const body = init?.body;
    const index = body instanceof FormData ? Number(body.get('segment_index')) : undefined;
    try {
      const response = await fetch(input, init);
      if (index !== undefined) attempts.push({ index, ok: true });
      return response;
    } catch (error) {
      if (index !== undefined) attempts.push({ index, ok: false });
      throw error;
    }
  };
  return { attempts, fetch: fetchImpl };
}

describe('APPENDs run several at a time and are retried one by one', () => {
  it('segments that finish out of order still assemble in order', async () => {
    // The first APPEND is slowest, the second slower than the rest: they finish last.
    emu().faults.add({ endpoint: APPEND, kind: 'latency', latencyMs: 300, times: 1 });
    emu().faults.add({ endpoint: APPEND, kind: 'latency', latencyMs: 150, skip: 1, times: 1 });
    const recorder = recordingFetch();
    const { client } = mediaClient(emu, { fetch: recorder.fetch });
    const video = mp4Bytes(8 * MiB, 3);
    const result = await client.media.upload(video, { chunkSize: MiB, concurrency: 4 });

    const order = recorder.attempts.map((a) => a.index);
    expect(order).toHaveLength(8);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    expect(order.indexOf(0)).toBeGreaterThan(order.indexOf(2));
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(sha256(video));
  });

  it('never more than `concurrency` APPENDs in flight', async () => {
    emu().faults.add({ endpoint: APPEND, kind: 'latency', latencyMs: 20 });
    let inFlight = 0;
    let most = 0;
    const { client } = mediaClient(emu, {
      fetch: async (input, init) => {
        const counted = init?.body instanceof FormData;
        if (counted) most = Math.max(most, ++inFlight);
        try {
          return await fetch(input, init);
        } finally {
          if (counted) inFlight--;
        }
      },
    });
    await client.media.upload(mp4Bytes(6 * MiB), { chunkSize: MiB, concurrency: 3 });
    expect(most).toBe(3);
  });

  it('with resets on random APPENDs every upload completes and only failed segments are sent again', async () => {
    emu().faults.add({ endpoint: APPEND, kind: 'reset', probability: 0.2 });
    let totalResets = 0;
    for (let run = 0; run < 3; run++) {
      emu().reset();
      const recorder = recordingFetch();
      const { client } = mediaClient(emu, { fetch: recorder.fetch });
      const video = mp4Bytes(12 * MiB + 5, run + 10);
      const result = await client.media.upload(video, { chunkSize: MiB, concurrency: 4 });
      expect(emu().store.media.get(result.mediaId)?.sha256).toBe(sha256(video));

      const log = emu().requests(APPEND);
      const acknowledged = log.filter((e) => e.outcome === 'ok').map((e) => e.meta?.segmentIndex);
      // Each of the 13 segments acknowledged exactly once.
      expect([...acknowledged].sort((a, b) => Number(a) - Number(b))).toEqual([...Array(13).keys()]);
      // Every extra request is one the emulator reset, and the client resent exactly those indexes.
      const resets = log.filter((e) => e.outcome === 'reset').length;
      totalResets += resets;
      expect(log.length).toBe(13 + resets);
      const failed = recorder.attempts.filter((a) => !a.ok).map((a) => a.index);
      expect(failed).toHaveLength(resets);
      const sendsPerIndex = new Map<number, number>();
      for (const a of recorder.attempts) sendsPerIndex.set(a.index, (sendsPerIndex.get(a.index) ?? 0) + 1);
      const resent = [...sendsPerIndex].filter(([, n]) => n > 1).map(([i]) => i);
      expect(new Set(resent)).toEqual(new Set(failed));
      for (const [index, n] of sendsPerIndex) {
        expect(n).toBe(1 + failed.filter((i) => i === index).length);
      }
    }
    expect(totalResets).toBeGreaterThan(3);
  });

  it('a segment that keeps failing rejects the upload with its error', async () => {
    emu().faults.add({ endpoint: APPEND, kind: 'status', status: 503, skip: 2 });
    const { client } = mediaClient(emu, { maxRetries: 2 });
    const error = await client.media
      .upload(mp4Bytes(6 * MiB), { chunkSize: MiB, concurrency: 2 })
      .catch((e) => e);
    expect(error).toMatchObject({ name: 'XApiError', status: 503 });
    // Two got through, then the failing one and the one beside it: 3 attempts each at most, nothing after.
    expect(emu().requests(APPEND).length).toBeLessThanOrEqual(2 + 2 * 3);
    expect(emu().requestCounts()['POST /2/media/upload/:id/finalize'] ?? 0).toBe(0);
  });
});
