import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { type AccountRow, type PostTargetRow, sql, targets } from '../../../src/service/store/sql.js';
import { publishTarget } from '../../../src/service/worker/publish.js';
import { describeDatabases } from '../../helpers/database.js';
import { useEmulator } from '../../helpers/emulator.js';
import type { TestServiceApp } from '../../helpers/service-app.js';
import { usePostsApp } from './posts-fixture.js';

const emulator = useEmulator();

const sentences = (n: number) =>
  Array.from({ length: n }, (_, i) => `Sentence number ${i + 1} says something worth reading today.`).join(
    ' ',
  );

describeDatabases('PATCH /api/posts/:id', ({ db }) => {
  let t: TestServiceApp;
  let alice: AccountRow;

  usePostsApp(
    db,
    emulator,
    (app) => {
      ({ t, alice } = app);
    },
    { bob: false },
  );

  const hours = (n: number) => new Date(t.clock().getTime() + n * 3600_000);
  const create = async (payload: Record<string, unknown>) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/posts',
      headers: t.headers,
      payload: { accounts: [alice.id], ...payload },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const patch = (id: string, payload: unknown) =>
    t.app.inject({
      method: 'PATCH',
      url: `/api/posts/${id}`,
      headers: t.headers,
      payload: payload as object,
    });
  const get = async (id: string) =>
    (await t.app.inject({ method: 'GET', url: `/api/posts/${id}`, headers: t.headers })).json();
  const targetOf = async (postId: string) =>
    (await db().query<PostTargetRow>(targets.ofPost(postId))).rows[0]!;
  const jobsOf = async (targetId: string) =>
    (
      await db().query<{ state: string; start_after: Date }>(
        sql(
          `SELECT state, start_after FROM pgboss.job WHERE name = 'publish' AND singleton_key = $1 ORDER BY created_on`,
          [`target:${targetId}`],
        ),
      )
    ).rows;

  it('edits the text of a scheduled post and keeps its time (and a job at that time)', async () => {
    const at = hours(2);
    const post = await create({ post: { body: 'typo', scheduled_at: at.toISOString() } });
    const res = await patch(post.id, { post: { body: 'fixed' }, x: { reply_settings: 'verified' } });
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json();
    expect(view).toMatchObject({ body: 'fixed', state: 'scheduled', scheduled_at: at.toISOString() });
    expect(view.request).toEqual({
      items: [{ body: 'fixed', media: [] }],
      x: { reply_settings: 'verified' },
    });
    expect(view.targets[0]).toMatchObject({ state: 'scheduled', run_at: at.toISOString() });
    const jobs = await jobsOf(view.targets[0].id);
    expect(jobs.filter((j) => j.state === 'created').map((j) => j.start_after.toISOString())).toEqual([
      at.toISOString(),
    ]);
  });

  it('reschedules: the target and its job move to the new time', async () => {
    const post = await create({ post: { body: 'move me', scheduled_at: hours(2).toISOString() } });
    const later = hours(5);
    const res = await patch(post.id, { post: { scheduled_at: later.toISOString() } });
    expect(res.statusCode).toBe(200);
    expect(res.json().targets[0]).toMatchObject({ state: 'scheduled', run_at: later.toISOString() });
    const jobs = await jobsOf(res.json().targets[0].id);
    expect(jobs.map((j) => j.state)).toEqual(['cancelled', 'created']);
    expect(jobs[1]!.start_after.toISOString()).toBe(later.toISOString());
  });

  it('scheduled_at: null publishes now; a draft stays a draft until draft: false', async () => {
    const post = await create({ post: { body: 'now please', scheduled_at: hours(2).toISOString() } });
    const now = await patch(post.id, { post: { scheduled_at: null } });
    expect(now.json()).toMatchObject({ state: 'processing', scheduled_at: null });
    expect(now.json().targets[0]).toMatchObject({ state: 'queued', run_at: t.clock().toISOString() });

    const draft = await create({ post: { body: 'a draft', draft: true } });
    const scheduled = await patch(draft.id, { post: { draft: false, scheduled_at: hours(1).toISOString() } });
    expect(scheduled.json()).toMatchObject({ state: 'scheduled', draft: false });
    const back = await patch(draft.id, { post: { draft: true } });
    expect(back.json()).toMatchObject({ state: 'draft', draft: true });
    expect(back.json().targets[0].state).toBe('draft');
    const queued = await patch(draft.id, { post: { draft: false, scheduled_at: null } });
    expect(queued.json().targets[0]).toMatchObject({ state: 'queued' });
    expect((await jobsOf(queued.json().targets[0].id)).filter((j) => j.state === 'created')).toHaveLength(1);
  });

  it('takes a stored schedule that has passed as now, but refuses a new one in the past', async () => {
    const post = await create({ post: { body: 'soon', scheduled_at: hours(1).toISOString() } });
    t.clock.advance(2 * 3600_000);
    const edited = await patch(post.id, { post: { body: 'soon, edited' } });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().targets[0]).toMatchObject({ state: 'queued', run_at: t.clock().toISOString() });
    const past = await patch(post.id, { post: { scheduled_at: hours(-1).toISOString() } });
    expect(past.statusCode).toBe(422);
    expect(past.json().errors).toEqual([
      expect.objectContaining({ field: 'post.scheduled_at', code: 'in_the_past' }),
    ]);
  });

  it('revalidates the merged request and changes nothing when it is refused', async () => {
    const post = await create({
      post: { body: 'with media', draft: true },
      media: ['https://example.com/a.jpg'],
    });
    const res = await patch(post.id, {
      post: { body: 'x'.repeat(281) },
      x: { poll: { options: ['a', 'b'], duration_minutes: 60 } },
      thread: [{ body: '' }],
    });
    expect(res.statusCode).toBe(422);
    expect(
      res
        .json()
        .errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)
        .sort(),
    ).toEqual(['post.body:too_long', 'thread[0].body:empty', 'x.poll:poll_with_media'].sort());
    expect(await get(post.id)).toEqual(post);
  });

  it('replaces media and the thread, removes X options with null, and keeps media_pending right', async () => {
    const post = await create({
      post: { body: 'first', draft: true },
      thread: [{ body: 'second' }],
      x: { reply_to: '123', reply_settings: 'following' },
    });
    expect((await targetOf(post.id)).media_pending).toBe(false);
    const withMedia = await patch(post.id, { media: [{ url: 'https://example.com/b.png', alt: 'b' }] });
    expect(withMedia.statusCode).toBe(200);
    expect(withMedia.json().request.items.map((i: { body: string }) => i.body)).toEqual(['first', 'second']);
    expect(withMedia.json().request.items[0].media).toEqual([{ id: expect.any(String), alt: 'b' }]);
    expect((await targetOf(post.id)).media_pending).toBe(true);

    const edited = await patch(post.id, {
      media: [],
      thread: [{ body: 'new second' }, { body: 'third' }],
      x: { reply_to: null },
    });
    expect(edited.json().request).toEqual({
      items: [
        { body: 'first', media: [] },
        { body: 'new second', media: [] },
        { body: 'third', media: [] },
      ],
      x: { reply_settings: 'following' },
    });
    expect((await targetOf(post.id)).media_pending).toBe(false);
  });

  it('auto_thread: keeps the split for other edits, splits a new body again, refuses a thread beside it', async () => {
    const post = await create({ post: { body: sentences(10), draft: true }, x: { auto_thread: true } });
    const items = post.request.items;
    expect(items.length).toBeGreaterThan(1);
    const other = await patch(post.id, { x: { reply_settings: 'following' } });
    expect(other.statusCode, other.body).toBe(200);
    expect(other.json().request.items).toEqual(items);

    const rewritten = await patch(post.id, { post: { body: sentences(14) } });
    expect(rewritten.statusCode).toBe(200);
    expect(rewritten.json().request.items.length).toBeGreaterThan(items.length);

    const refused = await patch(post.id, { thread: [{ body: 'mine' }] });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors[0]).toMatchObject({
      field: 'x.auto_thread',
      code: 'auto_thread_with_thread',
    });

    const own = await patch(post.id, {
      thread: [{ body: 'mine' }],
      x: { auto_thread: null },
      post: { body: 'short now' },
    });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().request).toEqual({
      items: [
        { body: 'short now', media: [] },
        { body: 'mine', media: [] },
      ],
      x: { reply_settings: 'following' },
    });
  });

  it('refuses to edit once publishing has started, or is over (409 post_not_editable)', async () => {
    const published = await create({ post: { body: `done ${randomUUID().slice(0, 8)}` } });
    const target = await targetOf(published.id);
    const deps = { db: db(), box: t.deps.box, clock: { now: t.clock }, workerId: 'w1', x: t.deps.x };
    expect((await publishTarget(deps, target.id)).outcome).toBe('published');
    const res = await patch(published.id, { post: { body: 'too late' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('post_not_editable');

    const held = await create({ post: { body: 'being published' } });
    const now = t.clock();
    await db().query(
      targets.claim({
        workerId: 'w2',
        now,
        leaseUntil: new Date(now.getTime() + 60_000),
        targetId: (await targetOf(held.id)).id,
      }),
    );
    const busy = await patch(held.id, { post: { body: 'edit' } });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().code).toBe('post_not_editable');
    expect((await get(held.id)).body).toBe('being published');
  });

  it('refuses to turn a queued post back into a draft', async () => {
    const post = await create({ post: { body: 'already queued' } });
    const res = await patch(post.id, { post: { draft: true } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'post_not_editable' });
    expect(res.json().detail).toContain('DELETE');
    expect((await targetOf(post.id)).state).toBe('queued');
  });

  it('cannot change the accounts, and answers 404 for an unknown post', async () => {
    const post = await create({ post: { body: 'fixed accounts', draft: true } });
    const res = await patch(post.id, { accounts: [alice.id] });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ field: 'accounts', code: 'unknown_field' });
    expect((await patch(randomUUID(), { post: { body: 'x' } })).statusCode).toBe(404);
  });
});
