import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { registerPostRoutes } from '../../../src/service/routes/posts.js';
import { type AccountRow, type PostTargetRow, sql, targets } from '../../../src/service/store/sql.js';
import { publishTarget } from '../../../src/service/worker/publish.js';
import { describeDatabases } from '../../helpers/database.js';
import { useEmulator } from '../../helpers/emulator.js';
import { buildTestServiceApp, connectEmulatorUser, type TestServiceApp } from '../../helpers/service-app.js';

const emulator = useEmulator();

describeDatabases('GET /api/posts and /api/posts/:id', ({ db }) => {
  let t: TestServiceApp;
  let alice: AccountRow;
  let bob: AccountRow;

  beforeEach(async () => {
    t = await buildTestServiceApp({ db: db(), emulator: emulator(), register: registerPostRoutes });
    alice = await connectEmulatorUser(db(), t.deps.box, emulator());
    bob = await connectEmulatorUser(db(), t.deps.box, emulator(), { user: emulator().otherUser });
  });
  afterEach(async () => {
    await t.app.close();
  });

  const create = async (payload: Record<string, unknown>) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/posts', headers: t.headers, payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: t.headers });
  const publishDeps = () => ({
    db: db(),
    box: t.deps.box,
    clock: { now: t.clock },
    workerId: 'w1',
    x: t.deps.x,
  });

  it('shows a published thread: X ids, URLs, attempts, published_at', async () => {
    const unique = randomUUID().slice(0, 8);
    const created = await create({
      post: { body: `first ${unique}` },
      accounts: [alice.id],
      thread: [{ body: `second ${unique}` }],
    });
    const [target] = (await db().query<PostTargetRow>(targets.ofPost(created.id))).rows;
    expect((await publishTarget(publishDeps(), target!.id)).outcome).toBe('published');

    const res = await get(`/api/posts/${created.id}`);
    expect(res.statusCode).toBe(200);
    const view = res.json();
    expect(view.state).toBe('published');
    const [tv] = view.targets;
    const onX = emulator()
      .store.postsByAuthor(emulator().user.id)
      .map((p) => p.id);
    expect(tv.x_post_ids).toHaveLength(2);
    expect(onX).toEqual(expect.arrayContaining(tv.x_post_ids));
    expect(tv.urls).toEqual(
      tv.x_post_ids.map((id: string) => `https://x.com/${alice.username}/status/${id}`),
    );
    expect(tv.state).toBe('published');
    expect(tv.published_at).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    expect(tv.attempts).toEqual([
      expect.objectContaining({
        item_index: 0,
        outcome: 'sent',
        x_post_id: tv.x_post_ids[0],
        error_code: null,
      }),
      expect.objectContaining({ item_index: 1, outcome: 'sent', x_post_id: tv.x_post_ids[1] }),
    ]);
    expect(tv.attempts[0].started_at).toMatch(/Z$/);
    expect(tv.error).toBeNull();
  });

  it("shows a failure with X's own words, our code and whether it is retried", async () => {
    const created = await create({ post: { body: 'will fail' }, accounts: [alice.id] });
    await db().query(
      sql(
        `UPDATE xpost.post_targets SET state = 'failed', error_code = 'duplicate_content',
           error_detail = 'You are not allowed to create a Tweet with duplicate content.', error_retryable = false
         WHERE post_id = $1`,
        [created.id],
      ),
    );
    const view = (await get(`/api/posts/${created.id}`)).json();
    expect(view.targets[0].error).toEqual({
      code: 'duplicate_content',
      detail: 'You are not allowed to create a Tweet with duplicate content.',
      retryable: false,
    });
  });

  it('answers 404 problem+json for an unknown or malformed id', async () => {
    for (const id of [randomUUID(), 'not-a-uuid', "1' OR 1=1"]) {
      const res = await get(`/api/posts/${encodeURIComponent(id)}`);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.json().code).toBe('not_found');
    }
  });

  it('lists newest first, in pages that follow each other without gaps or repeats', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await create({ post: { body: `post ${i}` }, accounts: [alice.id] })).id);
    const seen: string[] = [];
    let url = '/api/posts?limit=2';
    const sizes: number[] = [];
    for (;;) {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      const page = res.json();
      sizes.push(page.data.length);
      seen.push(...page.data.map((p: { id: string }) => p.id));
      if (page.next_cursor === null) break;
      url = `/api/posts?limit=2&cursor=${encodeURIComponent(page.next_cursor)}`;
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual([...ids].reverse());
    const all = (await get('/api/posts')).json();
    expect(all.data).toHaveLength(5);
    expect(all.next_cursor).toBeNull();
    expect(all.data[0].targets[0].account.username).toBe(alice.username);
  });

  it('pages by id when posts share their created_at to the microsecond', async () => {
    for (let i = 0; i < 5; i++) await create({ post: { body: `same time ${i}` }, accounts: [alice.id] });
    await db().query(sql(`UPDATE xpost.posts SET created_at = '2025-01-01T00:00:00.123456Z'`));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { id: string }[]; next_cursor: string | null } = (
        await get(`/api/posts?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      ).json();
      seen.push(...page.data.map((p) => p.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(seen).toEqual([...seen].sort().reverse());
  });

  it('filters by state and by account', async () => {
    const draft = await create({ post: { body: 'a draft', draft: true }, accounts: [alice.id] });
    const toBob = await create({ post: { body: 'to bob' }, accounts: [bob.id] });
    const toBoth = await create({ post: { body: 'to both' }, accounts: [alice.id, bob.id] });
    const ids = async (query: string) =>
      (await get(`/api/posts?${query}`)).json().data.map((p: { id: string }) => p.id);
    expect(await ids('state=draft')).toEqual([draft.id]);
    expect(await ids('state=processing')).toEqual([toBoth.id, toBob.id]);
    expect(await ids(`account=${bob.id}`)).toEqual([toBoth.id, toBob.id]);
    expect(await ids(`account=${alice.id}&state=processing`)).toEqual([toBoth.id]);
    expect(await ids(`account=${randomUUID()}`)).toEqual([]);
    expect(await ids('state=published')).toEqual([]);
  });

  it.each([
    ['state=sent', 'state', 'invalid_value'],
    ['account=bob', 'account', 'invalid_id'],
    ['limit=0', 'limit', 'out_of_range'],
    ['limit=101', 'limit', 'out_of_range'],
    ['limit=ten', 'limit', 'out_of_range'],
    ['limit=2.5', 'limit', 'out_of_range'],
    ['cursor=abc', 'cursor', 'invalid_cursor'],
    [`cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`, 'cursor', 'invalid_cursor'],
  ])('refuses %s with a 422 naming the parameter', async (query, field, code) => {
    const res = await get(`/api/posts?${query}`);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([expect.objectContaining({ field, code })]);
  });

  it('lists every bad parameter at once, and refuses an unknown one', async () => {
    const res = await get('/api/posts?state=x&limit=0&account=1');
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['state', 'account', 'limit']);
    const unknown = await get('/api/posts?page=2');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0]).toMatchObject({ code: 'unknown_field' });
  });
});
