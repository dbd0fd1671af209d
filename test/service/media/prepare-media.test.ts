import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  MediaFailure,
  type MediaSettings,
  mediaSettingsFromConfig,
  prepareMedia,
} from '../../../src/service/media/prepare-media.js';
import { storeStream } from '../../../src/service/media/storage.js';
import { COUNTERS, counters } from '../../../src/service/metrics/counters.js';
import { type MediaRow, media } from '../../../src/service/store/media-api.js';
import { describeDatabases } from '../../helpers/database.js';
import { gif, png, sha256 } from '../../helpers/media.js';
import { testClock } from '../../helpers/service-app.js';
import { type MediaServer, startMediaServer } from './media-server.js';

let server: MediaServer;
beforeAll(async () => {
  server = await startMediaServer();
});
afterAll(async () => {
  await server.close();
});

describeDatabases('prepareMedia', ({ db }) => {
  let dataDir: string;
  const clock = testClock();
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'xpost-prepare-media-'));
    server.requests.length = 0;
    clock.set(Date.now());
    return () => rm(dataDir, { recursive: true, force: true });
  });

  function settings(overrides: Partial<MediaSettings> = {}): MediaSettings {
    return {
      dataDir,
      maxBytes: 1024 * 1024,
      allowPrivate: true,
      retryDelaysMs: [0, 0],
      pollMs: 1,
      ...overrides,
    };
  }
  const deps = (overrides: Partial<MediaSettings> = {}) => ({ db: db(), clock, media: settings(overrides) });

  async function urlMedia(path: string, alt: string | null = null): Promise<MediaRow> {
    const { rows } = await db().query<MediaRow>(
      media.insertFromUrl({ apiKeyId: null, sourceUrl: `${server.url}${path}`, altText: alt, now: clock() }),
    );
    return rows[0]!;
  }
  const row = async (id: string) => (await db().query<MediaRow>(media.get(id))).rows[0]!;

  it('fetches a URL once, marks the row ready with what the bytes are, and counts the bytes', async () => {
    const body = png(300, 200, 5000);
    server.file('/photo', body, { type: 'application/octet-stream' });
    const m = await urlMedia('/photo', 'a photo');
    const ready = await prepareMedia(deps(), m.id);
    expect(ready).toMatchObject({
      id: m.id,
      state: 'ready',
      local_path: join(dataDir, 'media', m.id),
      content_type: 'image/png',
      media_category: 'tweet_image',
      size_bytes: body.length,
      sha256: sha256(body),
      alt_text: 'a photo',
      error: null,
    });
    expect(await readFile(ready.local_path)).toEqual(body);
    // Ready stays ready: no second fetch.
    expect((await prepareMedia(deps(), m.id)).sha256).toBe(sha256(body));
    expect(server.requests).toEqual(['/photo']);
    const { rows } = await db().query<{ name: string; labels: string; value: number }>(counters.all());
    expect(rows).toContainEqual({ name: COUNTERS.mediaBytesIn, labels: 'source="url"', value: body.length });
  });

  it('two workers preparing the same media at once: one fetch, both get the ready row', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const body = gif(20, 20, 3000);
    server.route('/slow.gif', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/gif' });
      void gate.then(() => res.end(body));
    });
    const m = await urlMedia('/slow.gif');
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      release();
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const [a, b] = await Promise.all([
      prepareMedia(deps({ sleep }), m.id),
      prepareMedia(deps({ sleep }), m.id),
    ]);
    expect(a.sha256).toBe(sha256(body));
    expect(b.sha256).toBe(sha256(body));
    expect(server.requests).toEqual(['/slow.gif']);
    expect(waits.length).toBeGreaterThan(0);
  });

  it('a claim older than the lease is taken over; a fresh one is waited for', async () => {
    server.file('/a.png', png(10, 10), { type: 'image/png' });
    const m = await urlMedia('/a.png');
    // A worker claimed it 11 minutes ago and died.
    const claimedAt = new Date(clock().getTime() - 11 * 60_000);
    await db().query(media.claimFetch({ id: m.id, now: claimedAt, staleBefore: claimedAt }));
    expect((await row(m.id)).state).toBe('fetching');
    expect((await prepareMedia(deps(), m.id)).state).toBe('ready');
    expect(server.requests).toEqual(['/a.png']);

    // A fresh claim by another worker: this one waits (and extends its own lease) until it is ready.
    const n = await urlMedia('/a.png');
    const other = clock();
    await db().query(media.claimFetch({ id: n.id, now: other, staleBefore: other }));
    let progress = 0;
    const sleep = async () => {
      // The other worker finishes while we wait.
      const file = await storeStream(Readable.from([png(10, 10)]), {
        dataDir,
        mediaId: n.id,
        maxBytes: 1000,
      });
      await db().query(
        media.markReady({
          id: n.id,
          claimedAt: other,
          localPath: file.path,
          contentType: 'image/png',
          mediaCategory: 'tweet_image',
          sizeBytes: file.size,
          sha256: file.sha256,
          now: clock(),
        }),
      );
    };
    const ready = await prepareMedia(deps({ sleep }), n.id, {
      onProgress: () => {
        progress += 1;
      },
    });
    expect(ready.state).toBe('ready');
    expect(progress).toBe(1);
    expect(server.requests).toEqual(['/a.png']);
  });

  it('a refused URL marks the row failed with its code; later calls get the failure without fetching', async () => {
    server.file('/a.png', png(10, 10), { type: 'image/png' });
    const m = await urlMedia('/a.png');
    const error = await prepareMedia(deps({ allowPrivate: false }), m.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaFailure);
    expect(error).toMatchObject({ code: 'media_url_forbidden_address' });
    expect((error as MediaFailure).detail).toMatch(/XPOST_ALLOW_PRIVATE_MEDIA_URLS=true/);
    const failed = await row(m.id);
    expect(failed.state).toBe('failed');
    expect(JSON.parse(failed.error!)).toMatchObject({ code: 'media_url_forbidden_address' });
    // Allowing private addresses now does not refetch a failed row: the failure is the answer.
    await expect(prepareMedia(deps(), m.id)).rejects.toMatchObject({ code: 'media_url_forbidden_address' });
    expect(server.requests).toEqual([]);
  });

  it('a failure that may pass is tried again (with the configured waits), then succeeds', async () => {
    let calls = 0;
    server.route('/flaky.png', (_req, res) => {
      calls += 1;
      if (calls < 3) res.writeHead(503).end();
      else res.writeHead(200, { 'content-type': 'image/png' }).end(png(10, 10));
    });
    const m = await urlMedia('/flaky.png');
    const waits: number[] = [];
    const ready = await prepareMedia(
      deps({ retryDelaysMs: [7, 9], sleep: async (ms) => void waits.push(ms) }),
      m.id,
    );
    expect(ready.state).toBe('ready');
    expect(waits).toEqual([7, 9]);
  });

  it('a failure that keeps happening fails after the retries, saying so', async () => {
    server.route('/down.png', (_req, res) => res.writeHead(502).end());
    const m = await urlMedia('/down.png');
    await expect(prepareMedia(deps(), m.id)).rejects.toMatchObject({
      code: 'media_url_bad_status',
      detail: expect.stringMatching(/answered 502.*gave up after 3 tries/),
    });
    expect(server.requests).toHaveLength(3);
    expect((await row(m.id)).state).toBe('failed');
  });

  it('an unknown media id, and a ready row whose file is not on this machine', async () => {
    await expect(prepareMedia(deps(), '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'media_not_found',
    });
    server.file('/a.png', png(10, 10), { type: 'image/png' });
    const m = await urlMedia('/a.png');
    const ready = await prepareMedia(deps(), m.id);
    await unlink(ready.local_path);
    await expect(prepareMedia(deps(), m.id)).rejects.toMatchObject({
      code: 'media_file_missing',
      detail: expect.stringMatching(/share .*\/media between them or give media by URL/),
    });
  });

  it('an abort gives the claim back, so the next worker fetches it', async () => {
    server.route('/hang.png', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(png(10, 10, 100));
    });
    const m = await urlMedia('/hang.png');
    const controller = new AbortController();
    const promise = prepareMedia(deps(), m.id, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    expect((await row(m.id)).state).toBe('pending');
  });

  it('mediaSettingsFromConfig takes the data folder, the cap, the SSRF switch and the worker lease', () => {
    expect(
      mediaSettingsFromConfig({
        dataDir: '/data',
        mediaMaxBytes: 42,
        allowPrivateMediaUrls: false,
        leaseMs: 5_000,
      }),
    ).toEqual({ dataDir: '/data', maxBytes: 42, allowPrivate: false, claimLeaseMs: 5_000 });
  });
});
