import { expect, it } from 'vitest';
import {
  type AccountRow,
  type ApiKeyRow,
  accounts,
  apiKeys,
  type RateLimitRow,
  rateLimits,
} from '../../../src/service/store/sql.js';
import { describeDatabases } from '../../helpers/database.js';
import { at, insertAccount } from './fixtures.js';

describeDatabases('store: api keys, accounts, rate limits', ({ db }) => {
  it('stores API keys by hash, authenticates live ones, lists and revokes them', async () => {
    const hash = 'a'.repeat(64);
    const { rows } = await db().query<ApiKeyRow>(apiKeys.insert({ name: 'ci', prefix: 'xpk_abcd', hash }));
    const key = rows[0]!;
    expect(key).not.toHaveProperty('hash');
    expect((await db().query<ApiKeyRow>(apiKeys.authenticate(hash, at(1)))).rows[0]).toMatchObject({
      id: key.id,
      last_used_at: at(1),
    });
    // Used again within the minute: not written again (a busy client would contend on the row).
    const soon = new Date(at(1).getTime() + 30_000);
    expect((await db().query<ApiKeyRow>(apiKeys.authenticate(hash, soon))).rows[0]?.last_used_at).toEqual(
      at(1),
    );
    const later = new Date(at(1).getTime() + 61_000);
    expect((await db().query<ApiKeyRow>(apiKeys.authenticate(hash, later))).rows[0]?.last_used_at).toEqual(
      later,
    );
    expect((await db().query(apiKeys.list())).rows).toHaveLength(1);
    expect((await db().query<ApiKeyRow>(apiKeys.revoke(key.id, at(2)))).rows[0]?.revoked_at).toEqual(at(2));
    expect((await db().query<ApiKeyRow>(apiKeys.revoke(key.id, at(3)))).rows[0]?.revoked_at).toEqual(at(2));
    expect((await db().query(apiKeys.authenticate(hash, at(4)))).rows).toEqual([]);
    expect((await db().query(apiKeys.findByHash(hash))).rows).toEqual([]);
    await expect(db().query(apiKeys.insert({ name: 'bad', prefix: 'x', hash: 'not hex' }))).rejects.toThrow(
      /api_keys_hash_check/,
    );
  });

  it('connects an account once per X user; reconnecting replaces tokens and clears needs_reconnect', async () => {
    const first = await insertAccount(db(), { xUserId: '42' });
    expect(first.access_token).toBeInstanceOf(Uint8Array);
    await db().query(accounts.markNeedsReconnect(first.id, 'refresh_token_invalid'));
    expect((await db().query<AccountRow>(accounts.get(first.id))).rows[0]).toMatchObject({
      needs_reconnect: true,
      reconnect_reason: 'refresh_token_invalid',
    });
    const again = await insertAccount(db(), { xUserId: '42' });
    expect(again).toMatchObject({ id: first.id, needs_reconnect: false, reconnect_reason: null });
    expect((await db().query(accounts.list())).rows).toHaveLength(1);
  });

  it('soft-deletes an account, wiping its tokens; the X user may connect again as a new row', async () => {
    const account = await insertAccount(db(), { xUserId: '43' });
    expect((await db().query(accounts.softDelete(account.id, at(1)))).rowCount).toBe(1);
    expect((await db().query(accounts.get(account.id))).rows).toEqual([]);
    const { rows } = await db().query<AccountRow>({
      text: 'SELECT * FROM xpost.accounts WHERE id = $1',
      values: [account.id],
    });
    expect(rows[0]!.access_token.length).toBe(0);
    expect(rows[0]!.refresh_token).toBeNull();
    expect((await insertAccount(db(), { xUserId: '43' })).id).not.toBe(account.id);
  });

  it('locks an account row for a token refresh, so a second refresher waits', async () => {
    const account = await insertAccount(db());
    const order: string[] = [];
    const refresh = (name: string) =>
      db().transaction(async (tx) => {
        await tx.query(accounts.lockForRefresh(account.id));
        order.push(`${name} locked`);
        await new Promise((r) => setTimeout(r, 30));
        await tx.query(
          accounts.updateTokens(account.id, {
            accessToken: new Uint8Array([9]),
            refreshToken: null,
            expiresAt: null,
          }),
        );
        order.push(`${name} done`);
      });
    await Promise.all([refresh('a'), refresh('b')]);
    expect(order).toEqual(['a locked', 'a done', 'b locked', 'b done']);
  });

  it('keeps the newest rate-limit observation and paces with take()', async () => {
    const observe = (remaining: number, observedAt: Date) =>
      db().query<RateLimitRow>(
        rateLimits.upsert({
          subject: 'acct',
          endpoint: 'POST /2/tweets',
          limit: 100,
          remaining,
          resetAt: at(900),
          observedAt,
        }),
      );
    await observe(2, at(10));
    expect((await observe(50, at(5))).rows).toEqual([]); // older: ignored
    expect((await db().query<RateLimitRow>(rateLimits.get('acct', 'POST /2/tweets'))).rows[0]).toMatchObject({
      request_limit: 100,
      remaining: 2,
      reset_at: at(900),
    });
    const take = (now: Date) => db().query<RateLimitRow>(rateLimits.take('acct', 'POST /2/tweets', now));
    expect((await take(at(11))).rows[0]?.remaining).toBe(1);
    expect((await take(at(12))).rows[0]?.remaining).toBe(0);
    expect((await take(at(13))).rows).toEqual([]); // spent: wait for reset_at
    expect((await take(at(900))).rows).toHaveLength(1); // window over
    await db().query(
      rateLimits.upsert({
        subject: 'app',
        endpoint: 'POST /2/tweets',
        dailyLimit: 10,
        dailyRemaining: 0,
        dailyResetAt: at(86_400),
        observedAt: at(1),
      }),
    );
    expect((await db().query(rateLimits.take('app', 'POST /2/tweets', at(2)))).rows).toEqual([]);
    expect((await db().query(rateLimits.forSubjects(['acct', 'app']))).rows).toHaveLength(2);
  });
});
