import { afterEach, beforeEach, expect, it } from 'vitest';
import { requestHash } from '../../../src/service/posts/idempotent-request.js';
import { registerPostRoutes } from '../../../src/service/routes/posts.js';
import { claimIdempotencyKey } from '../../../src/service/store/idempotency.js';
import { type AccountRow, sql } from '../../../src/service/store/sql.js';
import { describeDatabases } from '../../helpers/database.js';
import { useEmulator } from '../../helpers/emulator.js';
import {
  buildTestServiceApp,
  connectEmulatorUser,
  insertApiKey,
  type TestServiceApp,
} from '../../helpers/service-app.js';

const emulator = useEmulator();

describeDatabases('POST /api/posts with Idempotency-Key', ({ db }) => {
  let t: TestServiceApp;
  let account: AccountRow;

  beforeEach(async () => {
    t = await buildTestServiceApp({ db: db(), emulator: emulator(), register: registerPostRoutes });
    account = await connectEmulatorUser(db(), t.deps.box, emulator());
  });
  afterEach(async () => {
    await t.app.close();
  });

  const body = (text = 'once only') => ({ post: { body: text }, accounts: [account.id] });
  const create = (payload: unknown, key?: string, auth = t.headers) =>
    t.app.inject({
      method: 'POST',
      url: '/api/posts',
      headers: { ...auth, ...(key === undefined ? {} : { 'idempotency-key': key }) },
      payload: payload as object,
    });
  const postCount = async () => (await db().query(sql('SELECT id FROM xpost.posts'))).rows.length;

  it('replays the first response for the same key and body: same status, body and Location', async () => {
    const first = await create(body(), 'key-1');
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    t.clock.advance(3600_000);
    const again = await create(body(), 'key-1');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.json()).toEqual(first.json());
    expect(await postCount()).toBe(1);
    const row = (
      await db().query<{ idempotency_key: string; request_hash: string }>(sql('SELECT * FROM xpost.posts'))
    ).rows[0]!;
    expect(row).toMatchObject({ idempotency_key: 'key-1', request_hash: requestHash(body()) });
  });

  it('treats the same JSON with its keys in another order as the same body', async () => {
    await create({ post: { draft: true, body: 'x' }, accounts: [account.id] }, 'key-order');
    const again = await create({ accounts: [account.id], post: { body: 'x', draft: true } }, 'key-order');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await postCount()).toBe(1);
  });

  it('replays even when the request would now be refused (its schedule has passed)', async () => {
    const at = new Date(t.clock().getTime() + 120_000).toISOString();
    const payload = { post: { body: 'soon', scheduled_at: at }, accounts: [account.id] };
    expect((await create(payload, 'key-sched')).statusCode).toBe(201);
    t.clock.advance(3600_000);
    const again = await create(payload, 'key-sched');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('answers 409 idempotency_key_reused for the same key with another body', async () => {
    await create(body('one'), 'key-2');
    const other = await create(body('two'), 'key-2');
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ code: 'idempotency_key_reused' });
    expect(other.json().detail).toContain('Idempotency-Key');
    expect(await postCount()).toBe(1);
  });

  it('answers 409 idempotency_key_in_use while the first request with the key is being processed', async () => {
    const payload = body('slow');
    const claim = await claimIdempotencyKey(db(), {
      apiKeyId: t.apiKeyId,
      key: 'key-3',
      requestHash: requestHash(payload),
      now: t.clock(),
    });
    expect(claim.kind).toBe('owner');
    const res = await create(payload, 'key-3');
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('idempotency_key_in_use');
    expect(await postCount()).toBe(0);
  });

  it('creates one post for concurrent requests with one key', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => create(body('race'), 'key-race')));
    const fresh = results.filter(
      (r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined,
    );
    expect(fresh).toHaveLength(1);
    for (const r of results) {
      if (r.statusCode === 201) expect(r.json().id).toBe(fresh[0]!.json().id);
      else expect(r.json().code).toBe('idempotency_key_in_use');
    }
    expect(await postCount()).toBe(1);
  });

  it('forgets a key whose request failed, so the corrected request can use it', async () => {
    const bad = await create({ post: { body: '' }, accounts: [account.id] }, 'key-4');
    expect(bad.statusCode).toBe(422);
    const good = await create(body('fixed'), 'key-4');
    expect(good.statusCode).toBe(201);
    expect(good.headers['idempotent-replayed']).toBeUndefined();
  });

  it('takes a key again after 24 hours', async () => {
    await create(body('day one'), 'key-5');
    t.clock.advance(24 * 3600_000 + 1);
    const next = await create(body('day two'), 'key-5');
    expect(next.statusCode).toBe(201);
    expect(next.json().body).toBe('day two');
    expect(await postCount()).toBe(2);
  });

  it('keeps keys apart per API key, and does nothing without one', async () => {
    const other = await insertApiKey(db(), 'other');
    await create(body(), 'shared');
    const second = await create(body(), 'shared', { authorization: `Bearer ${other.key}` });
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    await create(body());
    await create(body());
    expect(await postCount()).toBe(4);
  });

  it.each([
    ['too long', 'k'.repeat(256)],
    ['not ASCII', 'clé'],
  ])('refuses a key that is %s with a 422 naming the header', async (_name, key) => {
    const res = await create(body(), key);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ field: 'Idempotency-Key', code: 'invalid_idempotency_key' }),
    ]);
    expect(await postCount()).toBe(0);
  });

  it('takes a key of 255 printable characters', async () => {
    const key = `${'k'.repeat(250)} !~{}`;
    expect((await create(body(), key)).statusCode).toBe(201);
  });
});
