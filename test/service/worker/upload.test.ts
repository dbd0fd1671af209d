import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { loadServiceConfig, type ServiceConfig } from '../../../src/service/config.js';
import { SecretBox } from '../../../src/service/crypto/secret-box.js';
import { mediaSettingsFromConfig } from '../../../src/service/media/prepare-media.js';
import { COUNTERS, counters } from '../../../src/service/metrics/counters.js';
import type { StoredXOptions } from '../../../src/service/posts/stored-request.js';
import { registerMediaRoutes } from '../../../src/service/routes/media.js';
import {
  type MediaRow,
  type MediaUploadRow,
  media,
  mediaUploads,
} from '../../../src/service/store/media-api.js';
import { type AccountRow, type PostTargetRow, posts, targets } from '../../../src/service/store/sql.js';
import { type PublishDeps, publishTarget } from '../../../src/service/worker/publish.js';
import { publishJobHandler } from '../../../src/service/worker/publish-job.js';
import { uploadTarget } from '../../../src/service/worker/upload.js';
import { describeDatabases } from '../../helpers/database.js';
import { api, useEmulator } from '../../helpers/emulator.js';
import { gif, jpeg, mp4, png, sha256 } from '../../helpers/media.js';
import {
  buildTestServiceApp,
  connectEmulatorUser,
  emulatorAccess,
  type TestServiceApp,
  testClock,
} from '../../helpers/service-app.js';
import { type MediaServer, startMediaServer } from '../media/media-server.js';

// Videos and GIFs are processed at once, so an upload needs no real waiting.
const emulator = useEmulator({ media: { processingMs: { video: 0, gif: 0 } } });
const box = new SecretBox(randomBytes(32));
const MiB = 1024 * 1024;

let server: MediaServer;
beforeAll(async () => {
  server = await startMediaServer();
});
afterAll(async () => {
  await server.close();
});

describeDatabases('the upload step', ({ db }) => {
  const clock = testClock();
  let home: string;
  let config: ServiceConfig;
  let t: TestServiceApp;
  let account: AccountRow;

  beforeEach(async () => {
    clock.set(Date.now());
    server.requests.length = 0;
    home = await mkdtemp(join(tmpdir(), 'xpost-upload-step-'));
    config = loadServiceConfig({ XPOST_HOME: home, XPOST_MEDIA_MAX_BYTES: '32MiB' });
    t = await buildTestServiceApp({
      db: db(),
      box,
      clock,
      config,
      emulator: emulator(),
      register: (app, deps) => registerMediaRoutes(app, deps),
    });
    account = await connectEmulatorUser(db(), box, emulator());
    return async () => {
      await t.app.close();
      await rm(home, { recursive: true, force: true });
    };
  });

  function deps(
    overrides: Partial<PublishDeps> = {},
    fetchHook?: (url: string, init: RequestInit | undefined, response: Promise<Response>) => void,
  ): PublishDeps {
    const access = emulatorAccess(emulator());
    if (fetchHook) {
      access.client = {
        ...access.client,
        fetch: (input, init) => {
          const response = fetch(input, init);
          fetchHook(String(input), init, response);
          return response;
        },
      };
    }
    return {
      db: db(),
      box,
      clock,
      workerId: 'worker-a',
      x: () => access,
      media: { ...mediaSettingsFromConfig(config), allowPrivate: true, retryDelaysMs: [0, 0] },
      ...overrides,
    };
  }

  const noQueue = { schedulePublish: async () => 'job' };
  const unique = (label: string) => `${label} ${randomBytes(4).toString('hex')}`;
  const getTarget = async (id: string) => (await db().query<PostTargetRow>(targets.get(id))).rows[0]!;
  const postsOnX = () => emulator().store.postsByAuthor(emulator().user.id);
  const uploadsOf = async (mediaIds: string[]) =>
    (await db().query<MediaUploadRow>(mediaUploads.forAccount(account.id, mediaIds))).rows;

  async function uploaded(bytes: Buffer, alt?: string): Promise<string> {
    const form = new FormData();
    if (alt !== undefined) form.append('alt', alt);
    form.append('file', new Blob([bytes]), 'file.bin');
    const res = await t.app.inject({ method: 'POST', url: '/api/media', headers: t.headers, payload: form });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }

  async function fromUrl(path: string, bytes: Buffer, type: string, alt?: string): Promise<string> {
    server.file(path, bytes, { type });
    const { rows } = await db().query<MediaRow>(
      media.insertFromUrl({
        apiKeyId: null,
        sourceUrl: `${server.url}${path}`,
        altText: alt ?? null,
        now: clock(),
      }),
    );
    return rows[0]!.id;
  }

  async function insertTarget(
    items: { body: string; media?: { id: string; alt?: string }[] }[],
    x: StoredXOptions = {},
    options: { mediaPending?: boolean } = {},
  ): Promise<PostTargetRow> {
    const request = { version: 1, items: items.map((i) => ({ body: i.body, media: i.media ?? [] })), x };
    const post = await db().query<{ id: string }>(
      posts.insert({
        apiKeyId: null,
        body: items[0]!.body,
        scheduledAt: null,
        draft: false,
        state: 'processing',
        request,
      }),
    );
    const mediaPending = options.mediaPending ?? items.some((i) => (i.media ?? []).length > 0);
    const { rows } = await db().query<PostTargetRow>(
      targets.insert({
        postId: post.rows[0]!.id,
        accountId: account.id,
        state: 'queued',
        runAt: clock(),
        mediaPending,
      }),
    );
    return rows[0]!;
  }

  it('a post with 2 images from URLs and 1 uploaded: fetched, uploaded to X, posted with those media ids', async () => {
    const first = png(800, 600, 40_000);
    const second = jpeg(640, 480, 30_000);
    const third = png(320, 240, 20_000);
    const a = await fromUrl('/one.png', first, 'image/png', 'first, from its row');
    const b = await fromUrl('/two.jpg', second, 'application/octet-stream');
    const c = await uploaded(third, 'third, uploaded');
    const text = unique('three photos');
    const target = await insertTarget([
      { body: text, media: [{ id: a }, { id: b, alt: 'second, from the post' }, { id: c }] },
    ]);

    const results: string[] = [];
    await publishJobHandler(deps(), noQueue, (_id, r) => results.push(r.outcome))({ targetId: target.id });
    expect(results).toEqual(['published']);

    const row = await getTarget(target.id);
    expect(row).toMatchObject({ state: 'published', media_pending: false });
    const uploads = await uploadsOf([a, b, c]);
    const xIds = [a, b, c].map((id) => uploads.find((u) => u.media_id === id)!.x_media_id);
    const onX = postsOnX();
    expect(onX).toHaveLength(1);
    expect(onX[0]!.id).toBe(row.x_post_ids[0]);
    expect(onX[0]!.mediaIds).toEqual(xIds);
    expect(onX[0]!.request).toMatchObject({ text, media: { media_ids: xIds } });
    // X received each file intact, with its alt text.
    const store = emulator().store.media;
    expect(xIds.map((id) => store.get(id)!.sha256)).toEqual([sha256(first), sha256(second), sha256(third)]);
    expect(xIds.map((id) => store.get(id)!.altText)).toEqual([
      'first, from its row',
      'second, from the post',
      'third, uploaded',
    ]);
    // Each URL was fetched once; the media rows are ready with what the bytes are.
    expect(server.requests.sort()).toEqual(['/one.png', '/two.jpg']);
    const rows = (await db().query<MediaRow>(media.getMany([a, b]))).rows;
    expect(rows.map((r) => [r.state, r.content_type]).sort()).toEqual([
      ['ready', 'image/jpeg'],
      ['ready', 'image/png'],
    ]);
    // The X media ids live ~24 h from our clock.
    for (const u of uploads)
      expect(u.expires_at!.getTime()).toBeGreaterThan(clock().getTime() + 23 * 3600_000);
    const { rows: c2 } = await db().query<{ name: string; labels: string; value: number }>(counters.all());
    expect(c2).toContainEqual({
      name: COUNTERS.uploadBytes,
      labels: '',
      value: first.length + second.length + third.length,
    });
  });

  it('a video: uploaded, processed, posted; a thread carries media on its second item', async () => {
    const clip = mp4(2 * MiB + 123);
    const v = await uploaded(clip);
    const g = await fromUrl('/anim.gif', gif(200, 100, 9000), 'image/gif');
    const target = await insertTarget([
      { body: unique('a clip'), media: [{ id: v }] },
      { body: unique('and a gif'), media: [{ id: g }] },
      { body: unique('and words') },
    ]);
    await publishJobHandler(deps(), noQueue)({ targetId: target.id });
    const row = await getTarget(target.id);
    expect(row.state).toBe('published');
    const [vu, gu] = [(await uploadsOf([v]))[0]!, (await uploadsOf([g]))[0]!];
    const onX = row.x_post_ids.map((id) => emulator().store.posts.get(id)!);
    expect(onX.map((p) => p.mediaIds)).toEqual([[vu.x_media_id], [gu.x_media_id], []]);
    expect(onX[1]!.inReplyToTweetId).toBe(onX[0]!.id);
    expect(emulator().store.media.get(vu.x_media_id)!.sha256).toBe(sha256(clip));
  });

  it('resumes an upload from the database journal after the worker stopped in the middle', async () => {
    const clip = mp4(9 * MiB); // three 4 MiB segments
    const v = await uploaded(clip);
    const target = await insertTarget([{ body: unique('long clip'), media: [{ id: v }] }]);
    const emu = emulator();
    // Segments after the first are slow, so the stop lands while they are in flight.
    emu.faults.add({ endpoint: 'POST /2/media/upload/:id/append', kind: 'latency', latencyMs: 400, skip: 1 });
    const stop = new AbortController();
    const first = deps({ leaseMs: 60_000 }, (url, init, response) => {
      if (url.includes('/append') && init?.method === 'POST')
        response.then(
          // Once the SDK has taken the first acknowledgement in (a few ms), the worker stops.
          (r) => r.ok && setTimeout(() => stop.abort(new Error('worker stopping')), 30),
          () => {},
        );
    });
    expect((await publishTarget(first, target.id)).outcome).toBe('needs-upload');
    await expect(uploadTarget(first, target.id, { signal: stop.signal })).rejects.toThrow(/worker stopping/);
    const journal = await db().query<{ entry: { mediaId: string; segmentsDone: number[] } }>({
      text: 'SELECT entry FROM xpost.upload_journals',
    });
    expect(journal.rows).toHaveLength(1);
    const entry = journal.rows[0]!.entry;
    expect(entry.segmentsDone.length).toBeGreaterThan(0);
    expect(entry.segmentsDone.length).toBeLessThan(3);
    expect((await getTarget(target.id)).state).toBe('uploading');
    emu.faults.clear();

    // Another worker takes the target over once the lease has run out, and continues the upload.
    clock.advance(61_000);
    await publishJobHandler(deps({ workerId: 'worker-b' }), noQueue)({ targetId: target.id });
    const row = await getTarget(target.id);
    expect(row.state).toBe('published');
    expect(emu.requestCounts()['POST /2/media/upload/initialize']).toBe(1);
    const upload = (await uploadsOf([v]))[0]!;
    expect(upload.x_media_id).toBe(entry.mediaId);
    expect(emu.store.media.get(entry.mediaId)!.sha256).toBe(sha256(clip));
    expect(postsOnX()[0]!.mediaIds).toEqual([entry.mediaId]);
    expect((await db().query({ text: 'SELECT entry FROM xpost.upload_journals' })).rows).toEqual([]);
  });

  it('a live X media id is reused; an expired one is uploaded again', async () => {
    const m = await uploaded(png(100, 100, 5000));
    const emu = emulator();
    const one = await insertTarget([{ body: unique('first use'), media: [{ id: m }] }]);
    await publishJobHandler(deps(), noQueue)({ targetId: one.id });
    const firstId = (await uploadsOf([m]))[0]!.x_media_id;

    const two = await insertTarget([{ body: unique('second use'), media: [{ id: m }] }]);
    await publishJobHandler(deps(), noQueue)({ targetId: two.id });
    expect(emu.requestCounts()['POST /2/media/upload/initialize']).toBe(1);
    expect(emu.store.posts.get((await getTarget(two.id)).x_post_ids[0]!)!.mediaIds).toEqual([firstId]);

    // The id expired (our clock says so): a third post uploads the file again.
    await db().query({ text: 'UPDATE xpost.media_uploads SET expires_at = $1', values: [clock()] });
    const three = await insertTarget([{ body: unique('third use'), media: [{ id: m }] }]);
    await publishJobHandler(deps(), noQueue)({ targetId: three.id });
    const thirdId = (await uploadsOf([m]))[0]!.x_media_id;
    expect(thirdId).not.toBe(firstId);
    expect(emu.requestCounts()['POST /2/media/upload/initialize']).toBe(2);
    expect(emu.store.posts.get((await getTarget(three.id)).x_post_ids[0]!)!.mediaIds).toEqual([thirdId]);
  });

  it('publishing with an expired X media id goes back to uploading instead of posting', async () => {
    const m = await uploaded(png(100, 100, 5000));
    await db().query(
      mediaUploads.upsert({
        mediaId: m,
        accountId: account.id,
        xMediaId: '1999999999999999999',
        expiresAt: clock(),
        now: clock(),
      }),
    );
    // Claimed straight into publishing (no media pending), as after an upload that has since expired.
    const target = await insertTarget(
      [{ body: unique('stale media'), media: [{ id: m }] }],
      {},
      { mediaPending: false },
    );
    expect(await publishTarget(deps(), target.id)).toEqual({ outcome: 'needs-upload' });
    expect(await getTarget(target.id)).toMatchObject({
      state: 'uploading',
      media_pending: true,
      locked_by: 'worker-a',
    });
    expect(emulator().requestCounts()['POST /2/tweets']).toBeUndefined();
    expect(await uploadTarget(deps(), target.id)).toEqual({ outcome: 'uploaded' });
    const fresh = (await uploadsOf([m]))[0]!;
    expect(fresh.x_media_id).not.toBe('1999999999999999999');
  });

  it('poll and reply_settings reach X on the first post only', async () => {
    const target = await insertTarget([{ body: unique('which one?') }, { body: unique('more context') }], {
      poll: { options: ['this', 'that'], duration_minutes: 60 },
      reply_settings: 'following',
    });
    await publishJobHandler(deps(), noQueue)({ targetId: target.id });
    const row = await getTarget(target.id);
    expect(row.state).toBe('published');
    const [first, second] = row.x_post_ids.map((id) => emulator().store.posts.get(id)!);
    expect(first!.request).toMatchObject({
      poll: { options: ['this', 'that'], duration_minutes: 60 },
      reply_settings: 'following',
    });
    expect(first!.poll).toMatchObject({ options: ['this', 'that'], durationMinutes: 60 });
    expect(first!.replySettings).toBe('following');
    expect(second!.request).not.toHaveProperty('poll');
    expect(second!.request).not.toHaveProperty('reply_settings');
  });

  it('a quote reaches X as quote_tweet_id', async () => {
    const quoted = await api(emulator(), 'POST', '/2/tweets', { json: { text: unique('quote me') } });
    expect(quoted.status).toBe(201);
    const target = await insertTarget([{ body: unique('quoting') }], { quote: quoted.body.data.id });
    await publishJobHandler(deps(), noQueue)({ targetId: target.id });
    const row = await getTarget(target.id);
    expect(row.state).toBe('published');
    const post = emulator().store.posts.get(row.x_post_ids[0]!)!;
    expect(post.request).toMatchObject({ quote_tweet_id: quoted.body.data.id });
    expect(post.quoteTweetId).toBe(quoted.body.data.id);
  });

  it('commit_then_drop on a post with media: reconciled (the appended media link ignored), not posted twice', async () => {
    const m = await uploaded(png(100, 100, 5000));
    const text = unique('photo then drop');
    const target = await insertTarget([{ body: text, media: [{ id: m }] }]);
    emulator().faults.add({ endpoint: 'POST /2/tweets', kind: 'commit_then_drop', times: 1 });
    await publishJobHandler(deps(), noQueue)({ targetId: target.id });
    const row = await getTarget(target.id);
    expect(row.state).toBe('published');
    expect(postsOnX()).toHaveLength(1);
    expect(postsOnX()[0]!.text).toMatch(/ https:\/\/t\.co\/\w+$/);
    expect(row.x_post_ids).toEqual([postsOnX()[0]!.id]);
  });

  it('media that cannot be fetched: the target fails with the fetch code and detail, nothing is posted', async () => {
    const m = await fromUrl('/private.png', png(10, 10), 'image/png');
    const target = await insertTarget([{ body: unique('private media'), media: [{ id: m }] }]);
    const d = deps();
    await publishJobHandler(
      { ...d, media: { ...d.media!, allowPrivate: false } },
      noQueue,
    )({ targetId: target.id });
    const row = await getTarget(target.id);
    expect(row).toMatchObject({
      state: 'failed',
      error_code: 'media_url_forbidden_address',
      error_retryable: false,
    });
    expect(row.error_detail).toMatch(/XPOST_ALLOW_PRIVATE_MEDIA_URLS=true/);
    expect((await db().query<{ state: string }>(posts.get(row.post_id))).rows[0]!.state).toBe('failed');
    expect(server.requests).toEqual([]);
    expect(emulator().requestCounts()['POST /2/media/upload/initialize']).toBeUndefined();
    expect(postsOnX()).toHaveLength(0);
  });

  it('a GIF beside a photo in one post fails with media_invalid_combination before uploading', async () => {
    const p = await uploaded(png(10, 10));
    const g = await fromUrl('/mixed.gif', gif(10, 10), 'image/gif');
    const target = await insertTarget([{ body: unique('mixed'), media: [{ id: p }, { id: g }] }]);
    await publishJobHandler(deps(), noQueue)({ targetId: target.id });
    const row = await getTarget(target.id);
    expect(row).toMatchObject({ state: 'failed', error_code: 'media_invalid_combination' });
    expect(row.error_detail).toMatch(/a GIF or a video must be the only media/);
    expect(emulator().requestCounts()['POST /2/media/upload/initialize']).toBeUndefined();
  });

  it('a 429 from the upload endpoints: requeued at the reset, then uploaded and published', async () => {
    const m = await uploaded(png(50, 50));
    const target = await insertTarget([{ body: unique('limited upload'), media: [{ id: m }] }]);
    emulator().faults.add({
      endpoint: 'POST /2/media/upload/initialize',
      kind: 'rate_limit',
      times: 1,
      resetAfterSecs: 600,
    });
    const scheduled: { runAt?: Date }[] = [];
    const queue = {
      schedulePublish: async (input: { targetId: string; runAt?: Date }) => {
        scheduled.push(input);
        return 'job';
      },
    };
    await publishJobHandler(deps(), queue)({ targetId: target.id });
    let row = await getTarget(target.id);
    expect(row).toMatchObject({
      state: 'queued',
      error_code: 'rate_limited',
      error_retryable: true,
      media_pending: true,
    });
    expect(row.run_at.getTime()).toBeGreaterThan(clock().getTime() + 500_000);
    expect(scheduled).toEqual([{ targetId: target.id, runAt: row.run_at }]);
    clock.set(row.run_at);
    await publishJobHandler(deps(), queue)({ targetId: target.id });
    row = await getTarget(target.id);
    expect(row.state).toBe('published');
    expect(postsOnX()).toHaveLength(1);
  });

  it('5xx from the upload endpoints: backoff, counted as failures, failed after the limit', async () => {
    const m = await uploaded(png(50, 50));
    const target = await insertTarget([{ body: unique('x is down'), media: [{ id: m }] }]);
    emulator().faults.add({ endpoint: 'POST /2/media/upload/initialize', kind: 'status', status: 503 });
    const d = deps({ maxAttempts: 2 });
    await publishJobHandler(d, noQueue)({ targetId: target.id });
    let row = await getTarget(target.id);
    expect(row).toMatchObject({ state: 'queued', error_code: 'x_unavailable', failures: 1 });
    clock.set(row.run_at);
    await publishJobHandler(d, noQueue)({ targetId: target.id });
    row = await getTarget(target.id);
    expect(row).toMatchObject({
      state: 'failed',
      error_code: 'x_unavailable',
      failures: 2,
      error_retryable: false,
    });
    expect(row.error_detail).toMatch(/gave up after 2 failed attempts/);
    expect(postsOnX()).toHaveLength(0);
  });

  it('the file on disk is what was uploaded to X, byte for byte', async () => {
    const bytes = jpeg(1000, 800, 250_000);
    const m = await uploaded(bytes);
    const row = (await db().query<MediaRow>(media.get(m))).rows[0]!;
    expect(await readFile(row.local_path!)).toEqual(bytes);
    const target = await insertTarget([{ body: unique('bytes'), media: [{ id: m }] }]);
    await publishJobHandler(deps(), noQueue)({ targetId: target.id });
    const xId = (await uploadsOf([m]))[0]!.x_media_id;
    expect(emulator().store.media.get(xId)).toMatchObject({
      sha256: sha256(bytes),
      totalBytes: bytes.length,
    });
  });
});
