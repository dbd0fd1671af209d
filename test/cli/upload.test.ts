import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type Home, json, makeHome } from '../fixtures/cli/posting.js';
import { useEmulator } from '../helpers/emulator.js';
import { mp4, png, sha256 } from '../helpers/media.js';

const MiB = 1024 * 1024;
// Videos process for 2 emulated seconds, 0.5 s of real time: FINALIZE answers `pending` and the
// uploader polls STATUS once (after X's `check_after_secs`, 1 s), which the progress must show.
const emulator = useEmulator({ clock: { scale: 4 }, media: { processingMs: { video: 2000, gif: 0 } } });

let files: string;
let home: Home;
const chart = png(320, 200, 4096);
const clip = mp4(3 * MiB);

beforeAll(async () => {
  files = await mkdtemp(join(tmpdir(), 'xpost-upload-files-'));
  await writeFile(join(files, 'chart.png'), chart);
  await writeFile(join(files, 'clip.mp4'), clip);
});

afterAll(async () => {
  await rm(files, { recursive: true, force: true });
});

beforeEach(async () => {
  home = await makeHome(emulator());
});

afterEach(async () => {
  await home.remove();
});

interface UploadJson {
  mediaId: string;
  mediaKey: string;
  expiresAt: string;
  processing: { state: string } | null;
  resumed: boolean;
}

describe('xpost upload', () => {
  it('uploads a file with alt text and prints only its media id', async () => {
    const run = await home.run(['upload', join(files, 'chart.png'), '--alt', 'a chart']);
    expect(run.code, run.stderr).toBe(0);
    const mediaId = run.stdout.trim();
    const media = emulator().store.media.get(mediaId);
    expect(media?.sha256).toBe(sha256(chart));
    expect(media?.altText).toBe('a chart');
    expect(run.stderr).toMatch(/uploaded chart\.png \(4 KiB, image\/png\); attach it before \d{4}-/);
  });

  it('prints { mediaId, mediaKey, expiresAt, processing } with --json and no progress at all', async () => {
    const run = await home.run(['upload', join(files, 'clip.mp4'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = json<UploadJson>(run);
    const media = emulator().store.media.get(out.mediaId);
    expect(media?.sha256).toBe(sha256(clip));
    expect(out.mediaKey).toBe(media?.mediaKey);
    expect(Date.parse(out.expiresAt)).toBeGreaterThan(Date.now());
    expect(out.processing?.state).toBe('succeeded');
    expect(out.resumed).toBe(false);
    expect(run.stderr).toBe('');
  });

  it('reports progress as plain lines on stderr when stderr is not a terminal', async () => {
    const run = await home.run(['upload', join(files, 'clip.mp4'), '--chunk-size', '1']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('uploaded 1.0 of 3.0 MiB (33 %)');
    expect(run.stderr).toContain('uploaded 2.0 of 3.0 MiB (66 %)');
    expect(run.stderr).toContain('uploaded 3.0 of 3.0 MiB (100 %)');
    expect(run.stderr).toContain('processing 100 %');
    expect(run.stdout.trim()).toMatch(/^\d+$/);
    expect(emulator().requestCounts()['POST /2/media/upload/:id/append']).toBe(3);
  });

  it('sets the category with --category and refuses one X does not have', async () => {
    const ok = await home.run(['upload', join(files, 'clip.mp4'), '--category', 'amplify_video', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(emulator().store.media.get(json<UploadJson>(ok).mediaId)?.category).toBe('amplify_video');
    const bad = await home.run(['upload', join(files, 'clip.mp4'), '--category', 'tweet_movie']);
    expect(bad.code).toBe(EXIT.USAGE);
  });

  it('refuses a file of the wrong type for its category before sending a byte', async () => {
    const run = await home.run(['upload', join(files, 'chart.png'), '--category', 'tweet_video']);
    expect(run.code).toBe(EXIT.VALIDATION);
    expect(emulator().requestCounts()['POST /2/media/upload/initialize']).toBeUndefined();
  });

  it('says a missing file is missing', async () => {
    const run = await home.run(['upload', join(files, 'nope.mp4')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/nope\.mp4/);
    expect(emulator().requestCounts()['POST /2/media/upload/initialize']).toBeUndefined();
  });
});
