import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticBearer } from '../../../src/x/auth/static-bearer.js';
import { XClient } from '../../../src/x/client.js';
import type { Clock } from '../../../src/x/clock.js';
import { type Running, startXpost } from '../../helpers/cli.js';
import { MiB, mp4Bytes } from './upload-helpers.js';

const TOTAL = 256 * MiB;

/**
 * The emulator runs in its own process (the built `xpost emulator`), so the RSS measured here is the
 * uploader's alone. Its clock is moved over the control API instead of sleeping.
 */
let emulator: Running;
let url: string;
let token: string;
beforeAll(async () => {
  emulator = startXpost(['emulator', '--port', '0', '--quiet']);
  [, url = ''] = await emulator.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  [, token = ''] = await emulator.waitFor(/access token\s+(\S+)/);
}, 30_000);
afterAll(() => emulator?.stop());

function emulatorClock(): Clock {
  return {
    now: () => Date.now(),
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      await fetch(`${url}/__emulator/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advance_ms: ms }),
      });
    },
  };
}

async function storedSha256(mediaId: string): Promise<string | undefined> {
  const res = await fetch(`${url}/__emulator/media`);
  const body = (await res.json()) as unknown;
  const list: Array<Record<string, unknown>> = Array.isArray(body)
    ? body
    : (((body as Record<string, unknown>).media ?? (body as Record<string, unknown>).data ?? []) as Array<
        Record<string, unknown>
      >);
  return list.find((m) => m.id === mediaId)?.sha256 as string | undefined;
}

let dir: string;
let path: string;
let fileSha: string;

/** Write a 256 MiB MP4-looking file 4 MiB at a time, hashing as it goes: never whole in memory. */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xpost-media-memory-'));
  path = join(dir, 'big.mp4');
  const file = await open(path, 'w');
  const hash = createHash('sha256');
  const piece = Buffer.alloc(4 * MiB);
  for (let offset = 0; offset < TOTAL; offset += piece.length) {
    randomFillSync(piece);
    if (offset === 0) mp4Bytes(64).copy(piece, 0, 0, 12);
    hash.update(piece);
    await file.write(piece, 0, piece.length, offset);
  }
  await file.close();
  fileSha = hash.digest('hex');
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * A full garbage collection on demand (without --expose-gc on the command line). What is measured is
 * the memory the upload holds, not the garbage it made since V8 last collected: the 4 MiB chunks it
 * has finished with are freed only when V8 gets round to it, which on a busy machine left peaks 30 to
 * 117 MB apart from one run to the next.
 */
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function settledRss(): number {
  gc();
  return process.memoryUsage().rss;
}

describe('memory stays bounded by chunk size × in flight, whatever the file size', () => {
  /** RSS growth (peak) while `upload` runs, after one warm-up upload. */
  async function rssGrowth(upload: (client: XClient) => Promise<{ mediaId: string; size: number }>) {
    const client = new XClient({ auth: staticBearer(token), apiBase: url, clock: emulatorClock() });
    // Warm the HTTP path and the multipart encoder first.
    await client.media.upload(mp4Bytes(4 * MiB));
    const before = settledRss();
    let peak = before;
    // Sampled after a collection: whole-file buffering (256 MiB held) shows, uncollected garbage does not.
    const sampler = setInterval(() => {
      peak = Math.max(peak, settledRss());
    }, 20);
    try {
      const result = await upload(client);
      expect(result.size).toBe(TOTAL);
      expect(await storedSha256(result.mediaId)).toBe(fileSha);
    } finally {
      clearInterval(sampler);
    }
    return peak - before;
  }

  it('a 256 MiB file path: RSS grows well under 100 MB', async () => {
    const growth = await rssGrowth((client) => client.media.upload(path));
    console.log(`RSS growth uploading a 256 MiB file: ${(growth / 1e6).toFixed(1)} MB`);
    expect(growth).toBeLessThan(100e6);
  }, 60_000);

  it('a 256 MiB stream: RSS grows well under 100 MB', async () => {
    const growth = await rssGrowth((client) => client.media.upload(createReadStream(path), { size: TOTAL }));
    console.log(`RSS growth uploading a 256 MiB stream: ${(growth / 1e6).toFixed(1)} MB`);
    expect(growth).toBeLessThan(100e6);
  }, 60_000);
});
