import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorHandle } from '../../../src/emulator/index.js';
import { staticBearer } from '../../../src/x/auth/static-bearer.js';
import { XClient } from '../../../src/x/client.js';
import type { XClientOptions } from '../../../src/x/options.js';
import { recordingClock } from '../plugins/recording-clock.js';

export const MiB = 1024 * 1024;

/**
 * A client for the emulator's user whose clock is the emulator's: `sleep` advances it and returns at
 * once, so processing waits and retry backoff cost no real time.
 */
export function mediaClient(emu: () => EmulatorHandle, options: XClientOptions = {}) {
  const clock = recordingClock(emu);
  const client = new XClient({
    auth: staticBearer(emu().user.accessToken),
    apiBase: emu().url,
    clock,
    ...options,
  });
  return { client, clock };
}

/** An MP4-looking file: `ftypisom` at offset 4, then varied bytes so misplaced segments change the hash. */
export function mp4Bytes(size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, i - (i + 4 > size ? i + 4 - size : 0));
  }
  b.writeUInt32BE(24, 0);
  b.write('ftypisom', 4, 'latin1');
  return b;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Write `bytes` to a new temporary file named `name`; `removeTempFiles()` deletes it. */
export async function tempFile(name: string, bytes: Uint8Array): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'xpost-media-test-'));
  tempDirs.push(dir);
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

const tempDirs: string[] = [];

export async function removeTempFiles(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** The emulator's APPEND log for one media id. */
export function appendLog(emu: EmulatorHandle) {
  return emu.requests('POST /2/media/upload/:id/append');
}
