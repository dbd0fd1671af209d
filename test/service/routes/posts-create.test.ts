import { expect, it } from 'vitest';
import type { JobQueue } from '../../../src/service/queue/queue.js';
import { registerPostRoutes } from '../../../src/service/routes/posts.js';
import { type AccountRow, type PostTargetRow, sql, targets } from '../../../src/service/store/sql.js';
import { describeDatabases } from '../../helpers/database.js';
import { useEmulator } from '../../helpers/emulator.js';
import { buildTestServiceApp, type TestServiceApp } from '../../helpers/service-app.js';
import { usePostsApp } from './posts-fixture.js';

const emulator = useEmulator();

describeDatabases('POST /api/posts: accepting and storing', ({ db }) => {
  let queue: JobQueue;
  let t: TestServiceApp;
  let alice: AccountRow;
  let bob: AccountRow;

  usePostsApp(db, emulator, (app) => {
    ({ queue, t, alice } = app);
    bob = app.bob!;
  });

  const create = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/posts',
      headers: { ...t.headers, ...headers },
      payload: payload as object,
    });
  const targetsOf = async (postId: string) => (await db().query<PostTargetRow>(targets.ofPost(postId))).rows;
  const jobsOf = async (targetId: string) =>
    (
      await db().query<{ state: string; start_after: Date }>(
        sql(
          `SELECT state, start_after FROM pgboss.job WHERE name = 'publish' AND singleton_key = $1 ORDER BY created_on`,
          [`target:${targetId}`],
        ),
      )
    ).rows;

  it('queues a post for now on one account: 201, Location, the view, a target and a job', async () => {
    const res = await create({ post: { body: 'hello from xpost' }, accounts: [alice.id] });
    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(res.headers.location).toBe(`/api/posts/${view.id}`);
    expect(view).toMatchObject({
      state: 'processing',
      body: 'hello from xpost',
      scheduled_at: null,
      draft: false,
      request: { items: [{ body: 'hello from xpost', media: [] }], x: {} },
      targets: [
        {
          account: { id: alice.id, username: emulator().user.username },
          state: 'queued',
          x_post_ids: [],
          urls: [],
          attempts: [],
          error: null,
          deleted_on_x_at: null,
          published_at: null,
        },
      ],
    });
    expect(view.targets[0].run_at).toBe(t.clock().toISOString());
    const [target] = await targetsOf(view.id);
    expect(target).toMatchObject({ state: 'queued', media_pending: false });
    const jobs = await jobsOf(target!.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.state).toBe('created');
  });

  it('schedules a future post: targets scheduled at that time, jobs starting then', async () => {
    const at = new Date(t.clock().getTime() + 3 * 3600_000);
    const res = await create({
      post: { body: 'later', scheduled_at: at.toISOString() },
      accounts: [alice.id, bob.id],
    });
    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(view.state).toBe('scheduled');
    expect(view.scheduled_at).toBe(at.toISOString());
    expect(view.targets.map((x: { state: string }) => x.state)).toEqual(['scheduled', 'scheduled']);
    expect(view.targets.map((x: { account: { id: string } }) => x.account.id).sort()).toEqual(
      [alice.id, bob.id].sort(),
    );
    for (const target of await targetsOf(view.id)) {
      expect(target.run_at.toISOString()).toBe(at.toISOString());
      const jobs = await jobsOf(target.id);
      expect(jobs.map((j) => j.start_after.toISOString())).toEqual([at.toISOString()]);
    }
  });

  it('takes a time with an offset, and one up to 60 s in the past as now', async () => {
    const future = await create({
      post: { body: 'offset', scheduled_at: '2999-01-01T12:00:00+02:00' },
      accounts: [alice.id],
    });
    expect(future.json().scheduled_at).toBe('2999-01-01T10:00:00.000Z');
    const nearPast = new Date(t.clock().getTime() - 59_000);
    const res = await create({
      post: { body: 'just now', scheduled_at: nearPast.toISOString() },
      accounts: [alice.id],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().targets[0]).toMatchObject({ state: 'queued', run_at: t.clock().toISOString() });
    expect(res.json().state).toBe('processing');
  });

  it('keeps a draft (even with a schedule) without a job', async () => {
    const at = new Date(t.clock().getTime() + 3600_000);
    const res = await create({
      post: { body: 'draft', draft: true, scheduled_at: at.toISOString() },
      accounts: [alice.id],
    });
    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(view).toMatchObject({ state: 'draft', draft: true, scheduled_at: at.toISOString() });
    expect(view.targets[0].state).toBe('draft');
    const [target] = await targetsOf(view.id);
    expect(await jobsOf(target!.id)).toEqual([]);
  });

  it('profiles: ["x"] posts to every connected account that can post', async () => {
    await db().query(
      sql('UPDATE xpost.accounts SET needs_reconnect = true, reconnect_reason = $2 WHERE id = $1', [
        bob.id,
        'revoked',
      ]),
    );
    const res = await create({ post: { body: 'to all' }, profiles: ['x'] });
    expect(res.statusCode).toBe(201);
    expect(res.json().targets.map((x: { account: { id: string } }) => x.account.id)).toEqual([alice.id]);
  });

  it('profiles: ["x"] leaves out sandbox accounts while the service posts to X', async () => {
    await db().query(sql('UPDATE xpost.accounts SET sandbox = true WHERE id = $1', [bob.id]));
    const res = await create({ post: { body: 'to every real account' }, profiles: ['x'] });
    expect(res.statusCode).toBe(201);
    expect(res.json().targets.map((x: { account: { id: string } }) => x.account.id)).toEqual([alice.id]);

    await db().query(sql('UPDATE xpost.accounts SET sandbox = true WHERE id = $1', [alice.id]));
    const none = await create({ post: { body: 'to nobody' }, profiles: ['x'] });
    expect(none.statusCode).toBe(422);
    expect(none.json().errors).toEqual([expect.objectContaining({ field: 'profiles', code: 'no_accounts' })]);
  });

  it('a sandbox account named while the service posts to X is refused before anything is stored', async () => {
    await db().query(sql('UPDATE xpost.accounts SET sandbox = true WHERE id = $1', [bob.id]));
    const res = await create({ post: { body: 'to a sandbox account' }, accounts: [alice.id, bob.id] });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      {
        field: 'accounts[1]',
        code: 'sandbox_account',
        message: expect.stringMatching(
          /^@\w+: this account was connected to the sandbox; connect a real account/,
        ),
      },
    ]);
    const { rows } = await db().query(
      sql('SELECT count(*)::int AS n FROM xpost.posts WHERE body = $1', ['to a sandbox account']),
    );
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('stores a thread with media: URL media become pending media rows, ids stay, targets know media are pending', async () => {
    const { rows } = await db().query<{ id: string }>(
      sql(
        `INSERT INTO xpost.media (local_path, content_type, media_category, state, size_bytes)
         VALUES ('/tmp/a.png', 'image/png', 'tweet_image', 'ready', 10) RETURNING id`,
      ),
    );
    const uploaded = rows[0]!.id;
    const res = await create({
      post: { body: 'first' },
      accounts: [alice.id],
      media: [
        'https://example.com/a.jpg',
        { url: 'https://example.com/b.png', alt: 'a bee' },
        { id: uploaded, alt: 'mine' },
      ],
      thread: [{ body: 'second' }, { body: '', media: ['https://example.com/c.gif'] }],
      x: { reply_settings: 'following' },
    });
    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(view.request.x).toEqual({ reply_settings: 'following' });
    expect(view.request.items.map((i: { body: string }) => i.body)).toEqual(['first', 'second', '']);
    const [a, b, c] = view.request.items[0].media;
    expect(c).toEqual({ id: uploaded, alt: 'mine' });
    const media = await db().query<{
      id: string;
      source_url: string;
      alt_text: string | null;
      state: string;
    }>(
      sql(
        'SELECT id, source_url, alt_text, state FROM xpost.media WHERE source_url IS NOT NULL ORDER BY source_url',
      ),
    );
    expect(media.rows.map((m) => [m.source_url, m.alt_text, m.state])).toEqual([
      ['https://example.com/a.jpg', null, 'pending'],
      ['https://example.com/b.png', 'a bee', 'pending'],
      ['https://example.com/c.gif', null, 'pending'],
    ]);
    expect(a.id).toBe(media.rows[0]!.id);
    expect(b).toEqual({ id: media.rows[1]!.id, alt: 'a bee' });
    expect(view.request.items[2].media).toEqual([{ id: media.rows[2]!.id }]);
    expect((await targetsOf(view.id))[0]!.media_pending).toBe(true);
  });

  it('stores X options: reply, quote, poll', async () => {
    const res = await create({
      post: { body: 'which?' },
      accounts: [alice.id],
      x: { reply_to: '1790000000000000000', poll: { options: ['yes', 'no'], duration_minutes: 60 } },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().request.x).toEqual({
      reply_to: '1790000000000000000',
      poll: { options: ['yes', 'no'], duration_minutes: 60 },
    });
  });

  it('writes nothing, not even the job, when the transaction fails after queueing', async () => {
    const failing = {
      ...queue,
      schedulePublish: async (input: { targetId: string; runAt?: Date }, options?: { tx?: never }) => {
        await queue.schedulePublish(input, options);
        throw new Error('the database went away');
      },
    } as unknown as JobQueue;
    const other = await buildTestServiceApp({
      db: db(),
      emulator: emulator(),
      queue: failing,
      register: registerPostRoutes,
    });
    const before = await queue.size('publish');
    const res = await other.app.inject({
      method: 'POST',
      url: '/api/posts',
      headers: other.headers,
      payload: { post: { body: 'doomed' }, accounts: [alice.id] },
    });
    await other.app.close();
    expect(res.statusCode).toBe(500);
    expect((await db().query(sql('SELECT id FROM xpost.posts'))).rows).toEqual([]);
    expect(await queue.size('publish')).toBe(before);
  });

  it('needs an API key', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/posts',
      payload: { post: { body: 'x' }, accounts: [alice.id] },
    });
    expect(res.statusCode).toBe(401);
  });
});
