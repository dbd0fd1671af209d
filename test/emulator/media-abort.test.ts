import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { append, finalize, initialize, mp4, sha256 } from '../helpers/media.js';

const storageDir = mkdtempSync(join(tmpdir(), 'xpost-media-abort-test-'));
const emu = useEmulator({ media: { storageDir } });
afterAll(() => rmSync(storageDir, { recursive: true, force: true }));

/** Every file under the emulator's media folder(s) inside `storageDir`. */
function storedFiles(): string[] {
  return readdirSync(storageDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

describe('media storage on disk', () => {
  it('keeps segments under settings.media.storageDir and deletes them after FINALIZE', async () => {
    const bytes = mp4(2000);
    const init = await initialize(emu(), { media_type: 'video/mp4', total_bytes: 2000 });
    const id = init.body.data.id;
    await append(emu(), id, 0, bytes.subarray(0, 1000));
    await append(emu(), id, 1, bytes.subarray(1000));
    expect(storedFiles().sort()).toEqual(['0', '1']);
    await finalize(emu(), id);
    expect(storedFiles()).toEqual([]);
    expect(emu().store.media.get(id)!.sha256).toBe(sha256(bytes));
  });

  it('drops the partial file of an APPEND whose client went away mid-body', async () => {
    const init = await initialize(emu(), { media_type: 'video/mp4', total_bytes: 400_000 });
    const id = init.body.data.id;
    const boundary = 'xpostboundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="segment_index"\r\n\r\n0\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="blob"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    const url = new URL(`/2/media/upload/${id}/append`, emu().url);
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${emu().user.accessToken}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + 400_000 + 40),
      },
    });
    req.on('error', () => {});
    req.write(head);
    req.write(mp4(200_000));
    for (let i = 0; i < 40 && storedFiles().length === 0; i++) await sleep(25);
    expect(storedFiles()).toEqual([expect.stringMatching(/^incoming-/)]);
    req.destroy();
    // Real time: the server has to notice the closed socket.
    for (let i = 0; i < 40 && storedFiles().length > 0; i++) await sleep(25);
    expect(storedFiles()).toEqual([]);
    expect(emu().store.media.get(id)!.segments.size).toBe(0);
    expect((await append(emu(), id, 0, mp4(400_000))).status).toBe(200);
  });

  it('forgets stored segments on reset', async () => {
    const init = await initialize(emu(), { media_type: 'video/mp4', total_bytes: 2000 });
    await append(emu(), init.body.data.id, 0, mp4(1000));
    expect(storedFiles()).toHaveLength(1);
    emu().reset();
    expect(storedFiles()).toEqual([]);
  });
});
