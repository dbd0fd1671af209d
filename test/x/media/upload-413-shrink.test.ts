import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../../helpers/emulator.js';
import { MiB, mediaClient, mp4Bytes, sha256 } from './upload-helpers.js';

/** X's edge refuses segments above 2 MiB here: the default 4 MiB chunks meet 413s. */
const emu = useEmulator({ media: { maxSegmentBytes: 2 * MiB } });
const APPEND = 'POST /2/media/upload/:id/append';

function pieces(bytes: Buffer, size: number): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    })(),
  );
}

/** The segments X holds at the end, from the log: the last acknowledged bytes of each index. */
function finalSegments() {
  const sizes = new Map<number, number>();
  for (const e of emu().requests(APPEND)) {
    if (e.status === 200) sizes.set(Number(e.meta?.segmentIndex), Number(e.meta?.bytes));
  }
  return [...sizes].sort(([a], [b]) => a - b);
}

describe('a 413 halves the chunk size and re-cuts the rest so indexes follow the bytes', () => {
  it('from a Buffer: 4 MiB segments refused, the file goes as 2 MiB ones', async () => {
    // 10 MiB: 4 + 4 + 2. The two 4 MiB segments get 413; the 2 MiB one is acknowledged at index 2
    // under the old cut and must be replaced, since index 2 now holds bytes 4–6 MiB.
    const video = mp4Bytes(10 * MiB, 21);
    const events: number[] = [];
    const { client } = mediaClient(emu);
    const result = await client.media.upload(video, {
      onProgress: (p) => p.phase === 'append' && events.push(p.bytesSent),
    });
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(sha256(video));
    expect(
      emu()
        .requests(APPEND)
        .filter((e) => e.status === 413),
    ).toHaveLength(2);
    expect(finalSegments()).toEqual([0, 1, 2, 3, 4].map((i) => [i, 2 * MiB]));
    expect(events.at(-1)).toBe(10 * MiB);
  });

  it('from a stream: the bytes already read are sent again from memory', async () => {
    const video = mp4Bytes(9 * MiB + 77, 22);
    const { client } = mediaClient(emu);
    const result = await client.media.upload(pieces(video, 100_000), { size: video.length, concurrency: 2 });
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(sha256(video));
    const segments = finalSegments();
    expect(segments.map(([, bytes]) => bytes).reduce((a, b) => a + b)).toBe(video.length);
    expect(segments.every(([, bytes]) => bytes <= 2 * MiB)).toBe(true);
  });

  it('segments acknowledged before the refused one keep their size', async () => {
    // 3 MiB chunks: segment 0 (3 MiB) is refused; nothing before it. With 1 in flight, the first
    // refusal re-cuts from index 0; the rest follow at 1.5 MiB.
    const video = mp4Bytes(7 * MiB, 23);
    const { client } = mediaClient(emu);
    const result = await client.media.upload(video, { chunkSize: 3 * MiB, concurrency: 1 });
    expect(emu().store.media.get(result.mediaId)?.sha256).toBe(sha256(video));
    expect(finalSegments().map(([, b]) => b)).toEqual([1.5, 1.5, 1.5, 1.5, 1].map((m) => m * MiB));
  });
});

describe('a 413 at the smallest segment size', () => {
  const tiny = useEmulator({ media: { maxSegmentBytes: 512 * 1024 } });

  it('fails with segment_too_large after trying 4, 2 and 1 MiB', async () => {
    const { client } = mediaClient(tiny);
    const error = await client.media.upload(mp4Bytes(3 * MiB), { concurrency: 1 }).catch((e) => e);
    expect(error).toMatchObject({ name: 'XMediaError', code: 'segment_too_large' });
    expect(error.message).toMatch(/X refused a 1 MiB segment of the buffer as too large \(413\)/);
    expect(
      tiny()
        .requests(APPEND)
        .map((e) => e.status),
    ).toEqual([413, 413, 413]);
  });
});
