import { expect, it } from 'vitest';
import { claimIdempotencyKey } from '../../../src/service/store/idempotency.js';
import { type ApiKeyRow, apiKeys, idempotency } from '../../../src/service/store/sql.js';
import { describeDatabases } from '../../helpers/database.js';
import { at } from './fixtures.js';

describeDatabases('idempotency keys', ({ db }) => {
  const apiKey = async (n = 1) =>
    (
      await db().query<ApiKeyRow>(
        apiKeys.insert({ name: `k${n}`, prefix: 'xpk_', hash: String(n).repeat(64) }),
      )
    ).rows[0]!;
  const claim = (apiKeyId: string, requestHash: string, now = at(0), key = 'idem-1') =>
    claimIdempotencyKey(db(), { apiKeyId, key, requestHash, now });

  it('lets the first request own the key, then replays its stored response', async () => {
    const k = await apiKey();
    const first = await claim(k.id, 'h1');
    expect(first.kind).toBe('owner');
    expect((await claim(k.id, 'h1')).kind).toBe('in_progress');
    if (first.kind !== 'owner') throw new Error('unreachable');
    const done = await db().query(
      idempotency.complete({
        apiKeyId: k.id,
        key: 'idem-1',
        ownerToken: first.ownerToken,
        status: 202,
        body: { id: 'p1' },
      }),
    );
    expect(done.rowCount).toBe(1);
    expect(await claim(k.id, 'h1', at(60))).toMatchObject({
      kind: 'replay',
      status: 202,
      body: { id: 'p1' },
    });
    expect((await claim(k.id, 'another body', at(60))).kind).toBe('mismatch');
  });

  it('gives a key to exactly one of many concurrent requests', async () => {
    const k = await apiKey();
    const results = await Promise.all(Array.from({ length: 6 }, () => claim(k.id, 'h1')));
    expect(results.filter((r) => r.kind === 'owner')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'in_progress')).toHaveLength(5);
  });

  it('keeps keys apart per API key', async () => {
    const [a, b] = [await apiKey(1), await apiKey(2)];
    expect((await claim(a.id, 'h1')).kind).toBe('owner');
    expect((await claim(b.id, 'h2')).kind).toBe('owner');
  });

  it('hands an expired key (24 h) to the next request, and expire() deletes old ones', async () => {
    const k = await apiKey();
    await claim(k.id, 'h1', at(0));
    expect((await claim(k.id, 'h2', at(24 * 3600 - 1))).kind).toBe('mismatch');
    const later = await claim(k.id, 'h2', at(24 * 3600));
    expect(later).toMatchObject({ kind: 'owner', row: { request_hash: 'h2', response_status: null } });
    await claim(k.id, 'h3', at(0), 'other-key');
    expect((await db().query(idempotency.expire(at(24 * 3600 + 1)))).rowCount).toBe(1);
  });

  it('frees the key when the owner fails before answering, and only the owner can', async () => {
    const k = await apiKey();
    const first = await claim(k.id, 'h1');
    if (first.kind !== 'owner') throw new Error('expected to own the key');
    expect(
      (await db().query(idempotency.release({ apiKeyId: k.id, key: 'idem-1', ownerToken: 'not-me' })))
        .rowCount,
    ).toBe(0);
    expect(
      (await db().query(idempotency.release({ apiKeyId: k.id, key: 'idem-1', ownerToken: first.ownerToken })))
        .rowCount,
    ).toBe(1);
    expect((await claim(k.id, 'h1')).kind).toBe('owner');
  });
});
