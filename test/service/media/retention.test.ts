import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { purgeExpiredMedia } from '../../../src/service/media/retention.js';
import { ensureMediaDir, mediaFilePath } from '../../../src/service/media/storage.js';
import { holdMedia } from '../../../src/service/posts/create-post.js';
import type { PostTargetState } from '../../../src/service/states.js';
import { media } from '../../../src/service/store/media-api.js';
import { posts, targets } from '../../../src/service/store/sql.js';
import { describeDatabases } from '../../helpers/database.js';
import { insertUploadedMedia } from '../../helpers/media-rows.js';
import { insertAccount } from '../db/fixtures.js';

const DAY = 24 * 60 * 60 * 1000;
const RETENTION = 7 * DAY;
const NOW = new Date('2026-06-01T12:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'xpost-retention-'));
  await ensureMediaDir(dataDir);
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describeDatabases('media retention', ({ db, database }) => {
  const purge = (options: { now?: Date; retentionMs?: number; batchSize?: number } = {}) =>
    purgeExpiredMedia({
      db: db(),
      now: options.now ?? NOW,
      retentionMs: options.retentionMs ?? RETENTION,
      dataDir,
      ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
    });

  /** An uploaded media item created at `createdAt`, with a real file of `size` bytes. */
  async function uploadedMedia(createdAt: Date, size = 1000): Promise<string> {
    const { id } = await insertUploadedMedia(db(), { dataDir, createdAt, size });
    // An X media id of it on some account: goes with the row by cascade.
    const account = await insertAccount(db());
    await db().query({
      text: `INSERT INTO xpost.media_uploads (media_id, account_id, x_media_id, expires_at, created_at)
             VALUES ($1, $2, '1234567890', NULL, $3)`,
      values: [id, account.id, createdAt],
    });
    return id;
  }

  /** A post using `mediaIds` with one target per state, each last updated at `updatedAt`. */
  async function postUsing(
    mediaIds: readonly string[],
    states: readonly PostTargetState[],
    updatedAt: Date,
  ): Promise<string> {
    const post = await db().query<{ id: string }>(
      posts.insert({
        apiKeyId: null,
        body: 'with media',
        scheduledAt: null,
        draft: false,
        state: 'processing',
        // The media on the second item of a thread: every item counts.
        request: {
          version: 1,
          items: [
            { body: 'first', media: [] },
            { body: 'second', media: mediaIds.map((id) => ({ id })) },
          ],
          x: {},
        },
      }),
    );
    const postId = post.rows[0]!.id;
    for (const state of states) {
      const account = await insertAccount(db());
      const target = await db().query<{ id: string }>(
        targets.insert({ postId, accountId: account.id, state: 'queued', runAt: daysAgo(30) }),
      );
      // The state and the update time written directly: how the target got there is not tested here.
      const published = state === 'published';
      await db().query({
        text: `UPDATE xpost.post_targets SET state = $2, updated_at = $3, x_post_ids = $4::text[],
                 next_item = $5, published_at = $6
               WHERE id = $1`,
        values: [
          target.rows[0]!.id,
          state,
          updatedAt,
          published ? ['1'] : [],
          published ? 1 : 0,
          published ? updatedAt : null,
        ],
      });
    }
    return postId;
  }

  const rowExists = async (id: string) => (await db().query(media.get(id))).rows.length === 1;
  const fileExists = (id: string) =>
    stat(mediaFilePath(dataDir, id)).then(
      () => true,
      () => false,
    );
  const uploadsOf = async (id: string) =>
    (await db().query({ text: 'SELECT 1 FROM xpost.media_uploads WHERE media_id = $1', values: [id] })).rows
      .length;
  const expectGone = async (id: string) => {
    expect(await rowExists(id)).toBe(false);
    expect(await fileExists(id)).toBe(false);
    expect(await uploadsOf(id)).toBe(0);
  };
  const expectKept = async (id: string) => {
    expect(await rowExists(id)).toBe(true);
    expect(await fileExists(id)).toBe(true);
    expect(await uploadsOf(id)).toBe(1);
  };

  it('deletes the file, the row and its X media ids of a published post finished before the retention', async () => {
    const id = await uploadedMedia(daysAgo(10), 1234);
    await postUsing([id], ['published', 'failed', 'cancelled'], daysAgo(8));
    expect(await purge()).toEqual({ count: 1, bytes: 1234, fileErrors: [] });
    await expectGone(id);
    expect(await readdir(join(dataDir, 'media'))).toEqual([]);
  });

  it('keeps media of a post that finished within the retention', async () => {
    const id = await uploadedMedia(daysAgo(10));
    // One target finished long ago, the other six days ago: the newest counts.
    const postId = await postUsing([id], ['published'], daysAgo(9));
    const account = await insertAccount(db());
    const late = await db().query<{ id: string }>(
      targets.insert({ postId, accountId: account.id, state: 'failed', runAt: daysAgo(9) }),
    );
    await db().query({
      text: 'UPDATE xpost.post_targets SET updated_at = $2 WHERE id = $1',
      values: [late.rows[0]!.id, daysAgo(6)],
    });
    expect(await purge()).toMatchObject({ count: 0, bytes: 0 });
    await expectKept(id);
    // A day and a bit later, seven days have passed since it finished.
    expect(await purge({ now: new Date(NOW.getTime() + DAY + 1) })).toMatchObject({ count: 1 });
    await expectGone(id);
  });

  it.each(['draft', 'scheduled', 'queued', 'uploading', 'publishing'] as const)(
    'keeps media of a post with a %s target, however old',
    async (state) => {
      const id = await uploadedMedia(daysAgo(400));
      await postUsing([id], ['published', state], daysAgo(300));
      expect(await purge()).toMatchObject({ count: 0 });
      await expectKept(id);
    },
  );

  it('deletes media no post used once older than the retention, and keeps newer ones', async () => {
    const old = await uploadedMedia(new Date(daysAgo(7).getTime() - 1));
    // Exactly the retention ago is not "more than" it.
    const boundary = await uploadedMedia(daysAgo(7));
    const recent = await uploadedMedia(daysAgo(6));
    expect(await purge()).toMatchObject({ count: 1, bytes: 1000 });
    await expectGone(old);
    await expectKept(boundary);
    await expectKept(recent);
  });

  it('keeps media used by two posts while one of them is still scheduled', async () => {
    const id = await uploadedMedia(daysAgo(30));
    await postUsing([id], ['published'], daysAgo(20));
    const scheduled = await postUsing([id], ['scheduled'], daysAgo(20));
    expect(await purge()).toMatchObject({ count: 0 });
    await expectKept(id);
    // Once the second post is cancelled (and that was long enough ago), the media goes.
    await db().query({
      text: `UPDATE xpost.post_targets SET state = 'cancelled', updated_at = $2 WHERE post_id = $1`,
      values: [scheduled, daysAgo(8)],
    });
    expect(await purge()).toMatchObject({ count: 1 });
    await expectGone(id);
  });

  it('deletes nothing with a retention of 0 (keep forever)', async () => {
    const unused = await uploadedMedia(daysAgo(3000));
    const used = await uploadedMedia(daysAgo(3000));
    await postUsing([used], ['published'], daysAgo(3000));
    expect(await purge({ retentionMs: 0 })).toEqual({ count: 0, bytes: 0, fileErrors: [] });
    await expectKept(unused);
    await expectKept(used);
  });

  it('deletes the row when the file is already missing', async () => {
    const id = await uploadedMedia(daysAgo(10));
    await rm(mediaFilePath(dataDir, id));
    expect(await purge()).toEqual({ count: 1, bytes: 0, fileErrors: [] });
    expect(await rowExists(id)).toBe(false);
    expect(await uploadsOf(id)).toBe(0);
  });

  it('deletes URL media that were never fetched, with their cancelled post', async () => {
    const row = await db().query<{ id: string }>(
      media.insertFromUrl({ apiKeyId: null, sourceUrl: 'https://media.example/a.png', now: daysAgo(9) }),
    );
    const id = row.rows[0]!.id;
    await postUsing([id], ['cancelled'], daysAgo(8));
    expect(await purge()).toEqual({ count: 1, bytes: 0, fileErrors: [] });
    expect(await rowExists(id)).toBe(false);
  });

  it('keeps media a fetch claimed recently, even of a finished post', async () => {
    const row = await db().query<{ id: string }>(
      media.insertFromUrl({ apiKeyId: null, sourceUrl: 'https://media.example/b.png', now: daysAgo(9) }),
    );
    const id = row.rows[0]!.id;
    await postUsing([id], ['cancelled'], daysAgo(8));
    await db().query(media.claimFetch({ id, now: daysAgo(0.01), staleBefore: daysAgo(9) }));
    expect(await purge()).toMatchObject({ count: 0 });
    expect(await rowExists(id)).toBe(true);
  });

  it('keeps media of a post without targets (a draft, as far as anyone can tell)', async () => {
    const id = await uploadedMedia(daysAgo(30));
    await postUsing([id], [], daysAgo(30));
    expect(await purge()).toMatchObject({ count: 0 });
    await expectKept(id);
  });

  it('works through more than one batch, and matches ids in any case', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await uploadedMedia(daysAgo(10), 100));
    // An upper-case id in a request still names the media.
    const kept = await uploadedMedia(daysAgo(10));
    await postUsing([kept.toUpperCase()], ['queued'], daysAgo(10));
    expect(await purge({ batchSize: 2 })).toEqual({ count: 5, bytes: 500, fileErrors: [] });
    for (const id of ids) await expectGone(id);
    await expectKept(kept);
  });

  it('skips media another transaction holds, and never deletes twice', async () => {
    const held = await uploadedMedia(daysAgo(10));
    const free = await uploadedMedia(daysAgo(10));
    if (db().kind === 'embedded') {
      // PGlite has one connection: two purges at once take turns, and the second finds nothing.
      const [a, b] = await Promise.all([purge(), purge()]);
      expect(a.count + b.count).toBe(2);
      await expectGone(held);
      await expectGone(free);
      return;
    }
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = db().transaction(async (tx) => {
      await tx.query(media.lock(held));
      locked();
      await released;
    });
    await isLocked;
    const [a, b] = await Promise.all([purge(), purge()]);
    release();
    await holder;
    expect(a.count + b.count).toBe(1);
    await expectKept(held);
    await expectGone(free);
    expect(await purge()).toMatchObject({ count: 1 });
    await expectGone(held);
  });

  it('never deletes media a post being stored holds, and such a post refuses media already gone', async () => {
    const old = await uploadedMedia(daysAgo(30));
    const request = {
      version: 1 as const,
      items: [{ body: 'with an old picture', media: [{ id: old }] }],
      x: {},
    };
    if (database().backend === 'postgres') {
      // The post's transaction holds the row (KEY SHARE) until it commits: the purge passes it by.
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let held!: () => void;
      const isHeld = new Promise<void>((resolve) => {
        held = resolve;
      });
      const storing = db().transaction(async (tx) => {
        await holdMedia(tx, request);
        held();
        await released;
      });
      await isHeld;
      expect(await purge()).toMatchObject({ count: 0 });
      release();
      await storing;
      await expectKept(old);
    }
    expect(await purge()).toMatchObject({ count: 1 });
    await expectGone(old);
    await expect(db().transaction((tx) => holdMedia(tx, request))).rejects.toMatchObject({
      statusCode: 422,
      errors: [{ field: 'media', code: 'unknown_media' }],
    });
  });
});
