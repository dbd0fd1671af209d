import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { loadServiceConfig } from '../../../src/service/config.js';
import { COUNTERS, counters } from '../../../src/service/metrics/counters.js';
import { registerMediaRoutes } from '../../../src/service/routes/media.js';
import { type MediaRow, media } from '../../../src/service/store/media-api.js';
import { posts } from '../../../src/service/store/sql.js';
import { describeDatabases } from '../../helpers/database.js';
import { gif, jpeg, mp4, png, sha256 } from '../../helpers/media.js';
import { buildTestServiceApp, type TestServiceApp } from '../../helpers/service-app.js';

const MiB = 1024 * 1024;

describeDatabases('media routes', ({ db }) => {
  let home: string;
  let t: TestServiceApp;

  async function build(maxBytes = '1MiB'): Promise<TestServiceApp> {
    const config = loadServiceConfig({ XPOST_HOME: home, XPOST_MEDIA_MAX_BYTES: maxBytes });
    return buildTestServiceApp({ db: db(), config, register: (app, deps) => registerMediaRoutes(app, deps) });
  }

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'xpost-media-routes-'));
    t = await build();
    return async () => {
      await t.app.close();
      await rm(home, { recursive: true, force: true });
    };
  });

  const mediaFolder = () => join(home, 'data', 'media');
  const filesOnDisk = async () => readdir(mediaFolder()).catch(() => [] as string[]);

  function form(
    file?: { bytes: Buffer; name?: string; type?: string },
    fields: Record<string, string> = {},
  ): FormData {
    const f = new FormData();
    for (const [name, value] of Object.entries(fields)) f.append(name, value);
    if (file)
      f.append(
        'file',
        new Blob([file.bytes], { type: file.type ?? 'application/octet-stream' }),
        file.name ?? 'upload.bin',
      );
    return f;
  }

  const upload = (payload: FormData, app: TestServiceApp = t) =>
    app.app.inject({ method: 'POST', url: '/api/media', headers: app.headers, payload });

  it('POST /api/media stores an image byte for byte, 0600 under <data>/media, and answers 201 with its facts', async () => {
    const bytes = png(640, 480, 300_000);
    const res = await upload(
      form({ bytes, name: 'holiday.jpg', type: 'image/jpeg' }, { alt: 'A beach at dusk' }),
    );
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      state: 'ready',
      // From the bytes, not the file name or the part's declared type.
      content_type: 'image/png',
      media_category: 'tweet_image',
      size_bytes: bytes.length,
      sha256: sha256(bytes),
      alt: 'A beach at dusk',
      source_url: null,
      error: null,
      created_at: t.clock().toISOString(),
    });
    const path = join(mediaFolder(), body.id);
    expect(await readFile(path)).toEqual(bytes);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(mediaFolder())).mode & 0o777).toBe(0o700);
    expect(await filesOnDisk()).toEqual([body.id]);
    const row = (await db().query<MediaRow>(media.get(body.id))).rows[0]!;
    expect(row).toMatchObject({
      local_path: path,
      api_key_id: t.apiKeyId,
      state: 'ready',
      alt_text: 'A beach at dusk',
    });
    const { rows } = await db().query<{ name: string; labels: string; value: number }>(counters.all());
    expect(rows).toContainEqual({
      name: COUNTERS.mediaBytesIn,
      labels: 'source="upload"',
      value: bytes.length,
    });
  });

  it('POST /api/media takes a video, a GIF and a JPEG, each typed by its bytes', async () => {
    const cases: [Buffer, string, string][] = [
      [mp4(700_000), 'video/mp4', 'tweet_video'],
      [gif(100, 100, 4000), 'image/gif', 'tweet_gif'],
      [jpeg(100, 100, 4000), 'image/jpeg', 'tweet_image'],
    ];
    for (const [bytes, type, category] of cases) {
      const res = await upload(form({ bytes }));
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        content_type: type,
        media_category: category,
        alt: null,
        size_bytes: bytes.length,
      });
      expect(await readFile(join(mediaFolder(), res.json().id))).toEqual(bytes);
    }
  });

  it('a file over XPOST_MEDIA_MAX_BYTES: 413 naming the variable and the limit, and no file left', async () => {
    const res = await upload(form({ bytes: mp4(MiB + 1) }));
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({
      code: 'payload_too_large',
      detail: expect.stringMatching(/larger than 1 MiB \(1048576 bytes\).*XPOST_MEDIA_MAX_BYTES=1048576/),
    });
    expect(await filesOnDisk()).toEqual([]);
    const count = await db().query<{ n: number }>({ text: 'SELECT count(*)::int AS n FROM xpost.media' });
    expect(count.rows[0]!.n).toBe(0);
    // Exactly at the limit is fine.
    expect((await upload(form({ bytes: mp4(MiB) }))).statusCode).toBe(201);
  });

  it("an image over X's 5 MiB: 413 naming X's limit, though the service takes larger files", async () => {
    const big = await build('16MiB');
    try {
      const res = await upload(form({ bytes: png(10, 10, 5 * MiB + 1) }), big);
      expect(res.statusCode).toBe(413);
      expect(res.json().detail).toMatch(/image\/png files \(tweet_image\) can be at most 5 MiB on X/);
      expect(await filesOnDisk()).toEqual([]);
    } finally {
      await big.app.close();
    }
  });

  it('an unsupported type: 415 saying which types work, nothing kept', async () => {
    for (const bytes of [
      Buffer.from('%PDF-1.7 not media'),
      Buffer.concat([Buffer.from('BM'), Buffer.alloc(200)]),
    ]) {
      const res = await upload(form({ bytes, name: 'photo.png', type: 'image/png' }));
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({
        code: 'unsupported_media_type',
        detail: expect.stringMatching(
          /JPEG, PNG, WEBP and GIF images, and MP4 \(or MOV\), WebM and MPEG-TS videos/,
        ),
      });
    }
    expect(await filesOnDisk()).toEqual([]);
  });

  it('alt text over 1000 characters: 422 on the field, and the stored file is deleted', async () => {
    const res = await upload(form({ bytes: png(10, 10) }, { alt: 'é'.repeat(1001) }));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'alt', code: 'too_long', message: expect.stringMatching(/at most 1000 characters/) }],
    });
    expect(await filesOnDisk()).toEqual([]);
    // 1000 characters (of 2 bytes each) are fine.
    expect((await upload(form({ bytes: png(10, 10) }, { alt: 'é'.repeat(1000) }))).statusCode).toBe(201);
  });

  it('no file, an unknown field, two files, an empty file, or not multipart: clear errors', async () => {
    const none = await upload(form(undefined, { alt: 'x' }));
    expect(none.statusCode).toBe(422);
    expect(none.json().errors).toEqual([
      { field: 'file', code: 'required', message: expect.stringMatching(/-F file=@/) },
    ]);

    const extra = await upload(form({ bytes: png(10, 10) }, { caption: 'hi' }));
    expect(extra.statusCode).toBe(422);
    expect(extra.json().errors[0]).toMatchObject({ field: 'caption', code: 'unknown_field' });

    const two = new FormData();
    two.append('file', new Blob([png(10, 10)]), 'a.png');
    two.append('file', new Blob([png(10, 10)]), 'b.png');
    const twice = await upload(two);
    expect(twice.statusCode).toBe(422);
    expect(twice.json().errors[0]).toMatchObject({ field: 'file', code: 'too_many_files' });

    const empty = await upload(form({ bytes: Buffer.alloc(0) }));
    expect(empty.statusCode).toBe(415);
    expect(empty.json().detail).toMatch(/the file is empty/);

    const json = await t.app.inject({
      method: 'POST',
      url: '/api/media',
      headers: t.headers,
      payload: { url: 'x' },
    });
    expect(json.statusCode).toBe(415);
    expect(json.json().detail).toMatch(/multipart\/form-data/);
    expect(await filesOnDisk()).toEqual([]);
  });

  it('needs an API key', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/media',
      payload: form({ bytes: png(10, 10) }),
    });
    expect(res.statusCode).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/media/00000000-0000-4000-8000-000000000000' }))
        .statusCode,
    ).toBe(401);
    expect(await filesOnDisk()).toEqual([]);
  });

  it('GET /api/media/:id shows an uploaded file and URL media; unknown ids are 404', async () => {
    const created = (await upload(form({ bytes: jpeg(10, 10) }, { alt: 'dog' }))).json();
    const shown = await t.app.inject({ method: 'GET', url: `/api/media/${created.id}`, headers: t.headers });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toEqual(created);

    const { rows } = await db().query<MediaRow>(
      media.insertFromUrl({ apiKeyId: null, sourceUrl: 'https://cdn.example.com/a.png', now: t.clock() }),
    );
    const pending = await t.app.inject({
      method: 'GET',
      url: `/api/media/${rows[0]!.id}`,
      headers: t.headers,
    });
    expect(pending.json()).toMatchObject({
      state: 'pending',
      content_type: null,
      size_bytes: null,
      source_url: 'https://cdn.example.com/a.png',
      error: null,
    });

    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const missing = await t.app.inject({ method: 'GET', url: `/api/media/${id}`, headers: t.headers });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({
        code: 'not_found',
        detail: expect.stringMatching(/POST \/api\/media/),
      });
    }
  });

  it('DELETE /api/media/:id: 409 while an unfinished post uses it, then deletes row and file', async () => {
    const created = (await upload(form({ bytes: png(10, 10) }))).json();
    const other = (await upload(form({ bytes: png(20, 20) }))).json();
    const post = await db().query<{ id: string }>(
      posts.insert({
        apiKeyId: null,
        body: 'with media',
        scheduledAt: null,
        draft: false,
        state: 'scheduled',
        request: {
          version: 1,
          items: [
            { body: 'first', media: [{ id: other.id }] },
            { body: 'second', media: [{ id: other.id }, { id: created.id, alt: 'x' }] },
          ],
          x: {},
        },
      }),
    );
    const del = () => t.app.inject({ method: 'DELETE', url: `/api/media/${created.id}`, headers: t.headers });
    const refused = await del();
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'media_in_use',
      detail: expect.stringContaining(post.rows[0]!.id),
    });
    expect(await filesOnDisk()).toContain(created.id);

    await db().query({
      text: `UPDATE xpost.posts SET state = 'published' WHERE id = $1`,
      values: [post.rows[0]!.id],
    });
    const deleted = await del();
    expect(deleted.statusCode).toBe(204);
    expect(await filesOnDisk()).toEqual([other.id]);
    expect((await db().query(media.get(created.id))).rows).toEqual([]);
    expect((await del()).statusCode).toBe(404);
  });
  it('an upload that stops sending is cut after the idle timeout, and leaves no file or row behind', async () => {
    const config = loadServiceConfig({ XPOST_HOME: home });
    const idle = await buildTestServiceApp({
      db: db(),
      config,
      register: (app, deps) => registerMediaRoutes(app, deps),
      fastify: { connectionTimeout: 300 },
    });
    try {
      const address = await idle.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = new URL(address);
      const socket = connect(Number(port), '127.0.0.1');
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('error', () => {});
      const boundary = 'xpost-stalled';
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`;
      socket.write(
        `POST /api/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${idle.headers.authorization}\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${10 * MiB}\r\n\r\n${head}`,
      );
      socket.write(png(64, 64, 200_000).subarray(0, 100_000));
      // The upload has begun: its temporary file is on disk.
      for (let started = Date.now(); !(await filesOnDisk()).some((f) => f.endsWith('.part')); ) {
        if (Date.now() - started > 5_000) throw new Error('the upload never reached the disk');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // Then nothing more: the server closes the connection (well before this test's own timeout).
      await closed;
      for (let started = Date.now(); (await filesOnDisk()).length > 0; ) {
        if (Date.now() - started > 5_000) throw new Error(`left behind: ${await filesOnDisk()}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const { rows } = await db().query({ text: 'SELECT id FROM xpost.media' });
      expect(rows).toEqual([]);
    } finally {
      await idle.app.close();
    }
  });
});
