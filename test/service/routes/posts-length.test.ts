import { afterEach, beforeEach, expect, it } from 'vitest';
import { registerPostRoutes } from '../../../src/service/routes/posts.js';
import type { AccountRow } from '../../../src/service/store/sql.js';
import { parsePostText } from '../../../src/x/text/index.js';
import { describeDatabases } from '../../helpers/database.js';
import { useEmulator } from '../../helpers/emulator.js';
import { buildTestServiceApp, connectEmulatorUser, type TestServiceApp } from '../../helpers/service-app.js';

const emulator = useEmulator();

/** Sentences of about 60 characters: a long body that splits at sentence ends. */
const sentences = (n: number) =>
  Array.from({ length: n }, (_, i) => `Sentence number ${i + 1} says something worth reading today.`).join(
    ' ',
  );

describeDatabases('POST /api/posts: length per account, and auto_thread', ({ db }) => {
  let t: TestServiceApp;
  let standard: AccountRow;
  let premium: AccountRow;

  beforeEach(async () => {
    t = await buildTestServiceApp({ db: db(), emulator: emulator(), register: registerPostRoutes });
    standard = await connectEmulatorUser(db(), t.deps.box, emulator());
    premium = await connectEmulatorUser(db(), t.deps.box, emulator(), {
      user: emulator().otherUser,
      premium: true,
    });
  });
  afterEach(async () => {
    await t.app.close();
  });

  const create = (payload: unknown) =>
    t.app.inject({ method: 'POST', url: '/api/posts', headers: t.headers, payload: payload as object });

  it('a Premium account takes up to 25,000; a standard one 280', async () => {
    expect(premium.post_length_limit).toBe(25_000);
    expect(standard.post_length_limit).toBe(280);
    const long = 'a'.repeat(25_000);
    expect((await create({ post: { body: long }, accounts: [premium.id] })).statusCode).toBe(201);
    const over = await create({ post: { body: `${long}a` }, accounts: [premium.id] });
    expect(over.statusCode).toBe(422);
    expect(over.json().errors[0]).toMatchObject({ field: 'post.body', code: 'too_long' });
    expect(over.json().errors[0].message).toContain('25000');
  });

  it('checks against the smallest limit of the chosen accounts, and says whose', async () => {
    const res = await create({ post: { body: 'b'.repeat(500) }, accounts: [premium.id, standard.id] });
    expect(res.statusCode).toBe(422);
    const [problem] = res.json().errors;
    expect(problem).toMatchObject({ field: 'post.body', code: 'too_long' });
    expect(problem.message).toContain(`the limit is 280 for @${standard.username} (the smallest limit`);
    expect(problem.message).toContain('auto_thread');
  });

  it('counts as X does: CJK characters count 2, a URL 23', async () => {
    expect((await create({ post: { body: '漢'.repeat(140) }, accounts: [standard.id] })).statusCode).toBe(
      201,
    );
    const cjk = await create({ post: { body: '漢'.repeat(141) }, accounts: [standard.id] });
    expect(cjk.json().errors[0].message).toContain('is 282 characters');
    const url = `https://example.com/${'p'.repeat(200)}`;
    expect(
      (await create({ post: { body: `${'a'.repeat(256)} ${url}` }, accounts: [standard.id] })).statusCode,
    ).toBe(201);
  });

  it('auto_thread splits a long body into a numbered thread that fits every chosen account', async () => {
    const body = sentences(12);
    const res = await create({
      post: { body },
      accounts: [standard.id, premium.id],
      media: ['https://example.com/a.jpg'],
      x: { auto_thread: true },
    });
    expect(res.statusCode, res.body).toBe(201);
    const view = res.json();
    const items: { body: string; media: unknown[] }[] = view.request.items;
    expect(items.length).toBeGreaterThan(2);
    items.forEach((item, i) => {
      expect(item.body.endsWith(` ${i + 1}/${items.length}`)).toBe(true);
      expect(parsePostText(item.body).weightedLength).toBeLessThanOrEqual(280);
    });
    // The media stay on the first post; the body is the first item's.
    expect(items[0]!.media).toHaveLength(1);
    expect(items.slice(1).every((item) => item.media.length === 0)).toBe(true);
    expect(view.body).toBe(items[0]!.body);
    expect(view.request.x).toEqual({ auto_thread: true });
    // Nothing of the text is lost.
    const words = (s: string) => s.replace(/ \d+\/\d+$/, '').split(/\s+/);
    expect(items.flatMap((item) => words(item.body))).toEqual(body.split(/\s+/));
  });

  it('auto_thread leaves a body that fits as one post (on Premium alone, 25,000 fit)', async () => {
    const short = await create({
      post: { body: 'short' },
      accounts: [standard.id],
      x: { auto_thread: true },
    });
    expect(short.json().request.items).toEqual([{ body: 'short', media: [] }]);
    const body = sentences(12);
    const premiumOnly = await create({ post: { body }, accounts: [premium.id], x: { auto_thread: true } });
    expect(premiumOnly.json().request.items).toEqual([{ body, media: [] }]);
  });
});
