/**
 * The worker runtime end to end, on PGlite and on PostgreSQL: pg-boss on the test database, the
 * emulator as X. pg-boss's own waits are real (it polls every 0.5 s and compares `start_after` with
 * the database's clock); what is due is decided by the injected clock.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { saveOAuth2Account } from '../../../src/service/accounts/save-account.js';
import { SecretBox } from '../../../src/service/crypto/secret-box.js';
import type { PostEvent } from '../../../src/service/events.js';
import { ensureMediaDir, mediaFilePath } from '../../../src/service/media/storage.js';
import { createJobQueue, type JobQueue, type JobQueueOptions } from '../../../src/service/queue/queue.js';
import { media } from '../../../src/service/store/media-api.js';
import {
  type AccountRow,
  attempts,
  type PostTargetRow,
  posts,
  targets,
} from '../../../src/service/store/sql.js';
import {
  MEDIA_PURGE_INTERVAL_MS,
  type RunningWorker,
  type StartWorkerOptions,
  startWorker,
} from '../../../src/service/worker/runtime.js';
import { xAccessFromConfig } from '../../../src/service/x-access.js';
import { describeDatabases } from '../../helpers/database.js';
import { api, useEmulator } from '../../helpers/emulator.js';
import { insertUploadedMedia } from '../../helpers/media-rows.js';
import { connectEmulatorUser, emulatorAccess, testClock } from '../../helpers/service-app.js';

const emulator = useEmulator();
const box = new SecretBox(randomBytes(32));

interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function collectingLog() {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

async function waitUntil<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeDatabases('worker runtime', ({ db }) => {
  const queueErrors: Error[] = [];
  let queue: JobQueue | undefined;
  let worker: RunningWorker | undefined;
  let clock = testClock();
  let logged = collectingLog();

  const openQueue = async (options: JobQueueOptions = {}) => {
    queue = createJobQueue(db(), {
      pollingIntervalSeconds: 0.5,
      onError: (error) => queueErrors.push(error),
      ...options,
    });
    await queue.start();
    return queue;
  };

  const start = async (overrides: Partial<StartWorkerOptions> = {}) => {
    const q = queue ?? (await openQueue());
    worker = await startWorker({
      db: db(),
      box,
      config: {
        workerConcurrency: 2,
        dataDir: tmpdir(),
        mediaMaxBytes: 1 << 20,
        allowPrivateMediaUrls: true,
        // Keep media forever, but where a test says otherwise: the data folder here is the system's.
        mediaRetentionMs: 0,
        leaseMs: 300_000,
      },
      queue: q,
      x: () => emulatorAccess(emulator()),
      clock,
      workerId: 'worker-test',
      // The tests sweep by hand (sweepNow); the loop's first sweep runs at start.
      sweepIntervalMs: 60_000,
      log: logged.log,
      ...overrides,
    });
    // Let the start's own sweep finish, so each test's sweepNow sees only its own changes.
    await worker.sweepNow();
    return worker;
  };

  beforeEach(() => {
    clock = testClock();
    logged = collectingLog();
  });

  afterEach(async () => {
    await worker?.stop();
    await queue?.stop({ timeoutMs: 2_000 });
    worker = undefined;
    queue = undefined;
    await db()
      .query({ text: 'DELETE FROM pgboss.job' })
      .catch(() => {});
    expect(queueErrors.splice(0)).toEqual([]);
  });

  const unique = (label: string) => `${label} ${randomBytes(4).toString('hex')}`;

  async function insertTarget(
    text: string,
    options: { account?: AccountRow; state?: 'queued' | 'scheduled'; runAt?: Date } = {},
  ): Promise<PostTargetRow> {
    const account = options.account ?? (await connectEmulatorUser(db(), box, emulator()));
    const post = await db().query<{ id: string }>(
      posts.insert({
        apiKeyId: null,
        body: text,
        scheduledAt: options.state === 'scheduled' ? (options.runAt ?? null) : null,
        draft: false,
        state: options.state === 'scheduled' ? 'scheduled' : 'processing',
        request: { items: [{ body: text }] },
      }),
    );
    const target = await db().query<PostTargetRow>(
      targets.insert({
        postId: post.rows[0]!.id,
        accountId: account.id,
        state: options.state ?? 'queued',
        runAt: options.runAt ?? clock.now(),
      }),
    );
    return target.rows[0]!;
  }

  const getTarget = async (id: string) => (await db().query<PostTargetRow>(targets.get(id))).rows[0]!;
  const published = (id: string) =>
    waitUntil(async () => {
      const row = await getTarget(id);
      return row.state === 'published' && row;
    });
  const postsOnX = (text: string) =>
    emulator()
      .store.postsByAuthor(emulator().user.id)
      .filter((p) => p.text === text);

  it('publishes a target whose job was queued, on the emulator, once', async () => {
    await start();
    const text = unique('queued by a route');
    const target = await insertTarget(text);
    expect(await queue!.schedulePublish({ targetId: target.id })).toBeTruthy();
    const row = await published(target.id);
    expect(row.x_post_ids).toHaveLength(1);
    expect(postsOnX(text).map((p) => p.id)).toEqual(row.x_post_ids);
    expect(worker!.probe()).toBe('ok');
    expect(logged.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: 'published',
        obj: expect.objectContaining({ targetId: target.id }),
      }),
    );
  });

  it('finds a due target that has no job, and publishes it', async () => {
    await start();
    const text = unique('no job');
    const target = await insertTarget(text);
    const swept = await worker!.sweepNow();
    expect(swept).toMatchObject({ due: 1, scheduled: 1, movedForward: 0 });
    expect(swept.targetIds).toEqual([target.id]);
    await published(target.id);
    expect(postsOnX(text)).toHaveLength(1);
    // Published: the next sweep finds nothing due.
    expect(await worker!.sweepNow()).toMatchObject({ due: 0, scheduled: 0 });
  });

  it('takes over an expired lease, reconciles the dead worker’s attempt, and never posts twice', async () => {
    const text = unique('dead worker');
    const target = await insertTarget(text);
    // A worker claimed it, recorded its attempt, X created the post, and the worker died.
    const now = clock.now();
    await db().query(
      targets.claim({
        workerId: 'dead',
        now,
        leaseUntil: new Date(now.getTime() + 60_000),
        targetId: target.id,
      }),
    );
    await db().query(attempts.record({ targetId: target.id, workerId: 'dead', itemIndex: 0, text, now }));
    const sent = await api(emulator(), 'POST', '/2/tweets', { json: { text } });
    expect(sent.status).toBe(201);

    await start();
    // The lease still runs: nothing to do.
    expect(await worker!.sweepNow()).toMatchObject({ due: 0 });
    clock.advance(61_000);
    expect(await worker!.sweepNow()).toMatchObject({ due: 1, scheduled: 1 });
    const row = await published(target.id);
    expect(row.x_post_ids).toEqual([sent.body.data.id]);
    expect(postsOnX(text)).toHaveLength(1);
    const outcomes = (await db().query<{ outcome: string }>(attempts.ofTarget(target.id))).rows.map(
      (a) => a.outcome,
    );
    expect(outcomes).toEqual(['reconciled']);
  });

  it('moves forward a job the database clock holds back when the injected clock says it is due', async () => {
    await start();
    const runAt = new Date(clock.now().getTime() + 3_600_000);
    const text = unique('scheduled in an hour');
    const target = await insertTarget(text, { state: 'scheduled', runAt });
    await queue!.schedulePublish({ targetId: target.id, runAt });
    expect(await worker!.sweepNow()).toMatchObject({ due: 0 });
    clock.advance(3_600_000);
    expect(await worker!.sweepNow()).toMatchObject({ due: 1, movedForward: 1, scheduled: 0 });
    await published(target.id);
    expect(postsOnX(text)).toHaveLength(1);
  });

  it('fails a target of a sandbox account at once when no sandbox runs, with the reason', async () => {
    const events: PostEvent[] = [];
    const emu = emulator();
    const config = {
      x: { sandbox: false as const, clientId: emu.app.clientId, clientSecret: undefined, apiBase: emu.url },
    };
    await start({
      x: xAccessFromConfig(config),
      events: { emit: async (_tx, event) => void events.push(event) },
    });
    const account = await saveOAuth2Account(db(), box, {
      user: { id: emu.user.id, username: emu.user.username },
      tokens: {
        accessToken: emu.user.accessToken,
        refreshToken: emu.user.refreshToken,
        expiresAt: Date.now() + 3_600_000,
        scopes: emu.user.scopes,
        tokenType: 'bearer',
      },
      sandbox: true,
    });
    const text = unique('sandbox account');
    const target = await insertTarget(text, { account });
    await queue!.schedulePublish({ targetId: target.id });
    const row = await waitUntil(async () => {
      const r = await getTarget(target.id);
      return r.state === 'failed' && r;
    });
    expect(row).toMatchObject({ error_code: 'sandbox_account', error_retryable: false, locked_by: null });
    expect(row.error_detail).toMatch(
      /connected to the sandbox; connect a real account with GET \/connect\/x/,
    );
    expect(postsOnX(text)).toHaveLength(0);
    expect((await db().query<{ state: string }>(posts.get(target.post_id))).rows[0]!.state).toBe('failed');
    expect(events).toEqual([
      expect.objectContaining({
        event: 'post.failed',
        targetId: target.id,
        error: expect.objectContaining({ code: 'sandbox_account', retryable: false }),
      }),
    ]);
  });

  it('logs a publish job that ran out of retries and sweeps its target again', async () => {
    await openQueue({ publishRetry: { limit: 0, delaySeconds: 0, backoff: false } });
    await start({
      x: () => {
        throw new Error('boom: the X access is broken');
      },
      leaseMs: 1_000,
    });
    const target = await insertTarget(unique('dead letter'));
    await queue!.schedulePublish({ targetId: target.id });
    const line = await waitUntil(async () =>
      logged.lines.find((l) => l.msg?.startsWith('publish job ran out of retries')),
    );
    expect(line).toMatchObject({ level: 'error', obj: expect.objectContaining({ targetId: target.id }) });
    expect(logged.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        obj: expect.objectContaining({ targetId: target.id, lastAttempt: true }),
      }),
    );
    // The claim holds it for the lease; once that ends, the sweep gives it a new job.
    clock.advance(2_000);
    expect(await worker!.sweepNow()).toMatchObject({ due: 1 });
  });

  it('reports down when a sweep fails, and after stop', async () => {
    await start({ queueSchema: 'no_such_schema' });
    expect(worker!.probe()).toBe('ok');
    await insertTarget(unique('due'));
    await expect(worker!.sweepNow()).rejects.toThrow();
    expect(worker!.probe()).toBe('down');
    expect(logged.lines.some((l) => l.level === 'error' && l.msg?.startsWith('worker sweep failed'))).toBe(
      true,
    );
    await worker!.stop();
    expect(worker!.probe()).toBe('down');
  });

  it('works webhook deliveries with the handler it is given', async () => {
    const seen: string[] = [];
    await start({ webhooks: async (job) => void seen.push(job.deliveryId) });
    await queue!.sendWebhookDelivery({ deliveryId: 'delivery-1' });
    await waitUntil(async () => seen.length > 0);
    expect(seen).toEqual(['delivery-1']);
  });
  it('purges media no post needs at most once an hour, logging what it freed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xpost-worker-media-'));
    try {
      await ensureMediaDir(dataDir);
      const day = 24 * 60 * 60 * 1000;
      const oldMedia = async () =>
        (
          await insertUploadedMedia(db(), {
            dataDir,
            size: 321,
            createdAt: new Date(clock.now().getTime() - 2 * day),
          })
        ).id;
      const gone = async (id: string) =>
        (await db().query(media.get(id))).rows.length === 0 &&
        (await stat(mediaFilePath(dataDir, id)).then(
          () => false,
          () => true,
        ));
      const first = await oldMedia();
      await start({
        config: {
          workerConcurrency: 1,
          dataDir,
          mediaMaxBytes: 1 << 20,
          allowPrivateMediaUrls: true,
          mediaRetentionMs: day,
          leaseMs: 300_000,
        },
      });
      // The start's sweep purged it.
      expect(await gone(first)).toBe(true);
      expect(logged.lines).toContainEqual({
        level: 'info',
        obj: { count: 1, bytes: 321 },
        msg: 'purged media no post needs any more',
      });
      // Within the hour, sweeps leave media alone.
      const second = await oldMedia();
      clock.advance(MEDIA_PURGE_INTERVAL_MS - 1);
      expect((await worker!.sweepNow()).mediaPurge).toBeUndefined();
      expect(await gone(second)).toBe(false);
      clock.advance(1);
      expect((await worker!.sweepNow()).mediaPurge).toEqual({ count: 1, bytes: 321, fileErrors: [] });
      expect(await gone(second)).toBe(true);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('deletes old media files no row owns in the same hourly pass, and none with a retention of 0', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'xpost-worker-orphans-'));
    try {
      const dir = await ensureMediaDir(dataDir);
      const day = 24 * 60 * 60 * 1000;
      /** A media file without a row (its row purged elsewhere), last written two days ago by the clock. */
      const orphan = async () => {
        const path = join(dir, randomUUID());
        await writeFile(path, randomBytes(77));
        const old = new Date(clock.now().getTime() - 2 * day);
        await utimes(path, old, old);
        return path;
      };
      const gone = (path: string) =>
        stat(path).then(
          () => false,
          () => true,
        );
      const config = {
        workerConcurrency: 1,
        dataDir,
        mediaMaxBytes: 1 << 20,
        allowPrivateMediaUrls: true,
        mediaRetentionMs: 0,
        leaseMs: 300_000,
      };
      // Retention 0 keeps media forever: orphans too.
      const kept = await orphan();
      await start({ config });
      clock.advance(MEDIA_PURGE_INTERVAL_MS);
      expect((await worker!.sweepNow()).orphanFiles).toBeUndefined();
      expect(await gone(kept)).toBe(false);
      await worker!.stop();

      // With a retention, the start's sweep deletes it.
      await start({ config: { ...config, mediaRetentionMs: day } });
      expect(await gone(kept)).toBe(true);
      expect(logged.lines).toContainEqual({
        level: 'info',
        obj: { files: 1, bytes: 77 },
        msg: 'deleted media files no media item owns (orphans and stale partial files)',
      });
      // Within the hour, sweeps leave files alone; an hour on, the next one goes.
      const second = await orphan();
      clock.advance(MEDIA_PURGE_INTERVAL_MS - 1);
      expect((await worker!.sweepNow()).orphanFiles).toBeUndefined();
      expect(await gone(second)).toBe(false);
      clock.advance(1);
      expect(await worker!.sweepNow()).toMatchObject({
        mediaPurge: { count: 0 },
        orphanFiles: { files: 1, bytes: 77, errors: [] },
      });
      expect(await gone(second)).toBe(true);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('never purges media with a retention of 0', async () => {
    const { id } = await insertUploadedMedia(db(), {
      dataDir: tmpdir(),
      size: 1,
      file: false,
      createdAt: new Date(clock.now().getTime() - 3650 * 24 * 60 * 60 * 1000),
    });
    await start();
    clock.advance(MEDIA_PURGE_INTERVAL_MS);
    expect((await worker!.sweepNow()).mediaPurge).toBeUndefined();
    expect((await db().query(media.get(id))).rows).toHaveLength(1);
  });
});
