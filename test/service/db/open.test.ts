import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseConnectionError, describeDatabaseUrl, openDatabase } from '../../../src/service/db/open.js';
import { describeDatabases, TEST_DATABASE_URL } from '../../helpers/database.js';

describeDatabases(
  'openDatabase',
  ({ backend, db }) => {
    beforeEach(async () => {
      await db().exec('DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY, note text)');
    });

    it('answers { rows, rowCount } for selects and writes alike', async () => {
      expect(await db().query({ text: 'INSERT INTO t VALUES (1, $1), (2, $2)', values: ['a', 'b'] })).toEqual(
        {
          rows: [],
          rowCount: 2,
        },
      );
      const selected = await db().query<{ id: number; note: string }>({
        text: 'SELECT * FROM t ORDER BY id',
      });
      expect(selected).toEqual({
        rows: [
          { id: 1, note: 'a' },
          { id: 2, note: 'b' },
        ],
        rowCount: 2,
      });
      expect((await db().query({ text: 'UPDATE t SET note = $1', values: ['c'] })).rowCount).toBe(2);
    });

    it('parses types the same way on PGlite and on a server', async () => {
      const { rows } = await db().query<Record<string, unknown>>({
        text: `SELECT 5000000000::int8 AS big, 7::int4 AS small, '\\x0102'::bytea AS bytes, '{"a":[1]}'::jsonb AS json,
                 ARRAY['x','y']::text[] AS arr, '2026-06-01T12:00:00Z'::timestamptz AS at, true AS yes, NULL::text AS nothing`,
      });
      const row = rows[0]!;
      expect(row.big).toBe(5_000_000_000);
      expect(row.small).toBe(7);
      expect(row.bytes).toBeInstanceOf(Uint8Array);
      expect([...(row.bytes as Uint8Array)]).toEqual([1, 2]);
      expect(row.json).toEqual({ a: [1] });
      expect(row.arr).toEqual(['x', 'y']);
      expect(row.at).toEqual(new Date('2026-06-01T12:00:00Z'));
      expect(row.yes).toBe(true);
      expect(row.nothing).toBeNull();
      expect(db().kind).toBe(backend === 'pglite' ? 'embedded' : 'server');
    });

    it('commits a transaction that resolves, with its value', async () => {
      const value = await db().transaction(async (tx) => {
        await tx.query({ text: 'INSERT INTO t VALUES (1, $1)', values: ['kept'] });
        await tx.exec("INSERT INTO t VALUES (2, 'two'); INSERT INTO t VALUES (3, 'three')");
        return 'done';
      });
      expect(value).toBe('done');
      expect((await db().query({ text: 'SELECT id FROM t' })).rowCount).toBe(3);
    });

    it('rolls back a transaction that throws, and rethrows its error', async () => {
      const boom = new Error('boom');
      await expect(
        db().transaction(async (tx) => {
          await tx.query({ text: 'INSERT INTO t VALUES (1, $1)', values: ['lost'] });
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect((await db().query({ text: 'SELECT id FROM t' })).rowCount).toBe(0);
      // The connection is usable afterwards (not left inside an aborted transaction).
      await db().transaction((tx) => tx.query({ text: 'INSERT INTO t VALUES (9, $1)', values: ['ok'] }));
      expect((await db().query({ text: 'SELECT id FROM t' })).rowCount).toBe(1);
    });

    it('rolls back when a statement fails inside, and the error reaches the caller', async () => {
      await expect(
        db().transaction(async (tx) => {
          await tx.query({ text: 'INSERT INTO t VALUES (1, $1)', values: ['a'] });
          await tx.query({ text: 'INSERT INTO t VALUES (1, $1)', values: ['duplicate'] });
        }),
      ).rejects.toThrow(/duplicate key/);
      expect((await db().query({ text: 'SELECT id FROM t' })).rowCount).toBe(0);
    });

    it('refuses db.query() inside db.transaction() instead of deadlocking', async () => {
      await expect(
        db().transaction(async () => {
          await db().query({ text: 'SELECT 1' });
        }),
      ).rejects.toThrow(/use the transaction's tx argument/);
      await expect(db().transaction(() => db().transaction(async () => 1))).rejects.toThrow(
        /inside db.transaction/,
      );
    });

    it('refuses a tx used after its transaction ended', async () => {
      const kept = await db().transaction(async (tx) => tx);
      await expect(kept.query({ text: 'SELECT 1' })).rejects.toThrow(/already ended/);
    });

    it('never interleaves the statements of two concurrent transactions that touch one row', async () => {
      await db().query({ text: "INSERT INTO t VALUES (1, '0')" });
      // Read, wait, write back + 1: two interleaved transactions would both read 0 (a lost update)
      // on PGlite, or one would block on the row lock on a server (FOR UPDATE) and then read 1.
      const bump = () =>
        db().transaction(async (tx) => {
          const { rows } = await tx.query<{ note: string }>({
            text: 'SELECT note FROM t WHERE id = 1 FOR UPDATE',
          });
          await sleep(30);
          await tx.query({
            text: 'UPDATE t SET note = $1 WHERE id = 1',
            values: [String(Number(rows[0]!.note) + 1)],
          });
        });
      await Promise.all([bump(), bump(), bump()]);
      const { rows } = await db().query<{ note: string }>({ text: 'SELECT note FROM t WHERE id = 1' });
      expect(rows[0]!.note).toBe('3');
    });

    if (backend === 'pglite') {
      it('runs a plain query called during a transaction after it commits, never between its statements', async () => {
        const order: string[] = [];
        const tx = db().transaction(async (t) => {
          order.push('tx begin');
          await t.query({ text: "INSERT INTO t VALUES (1, 'in tx')" });
          await sleep(30);
          order.push('tx end');
        });
        await sleep(5);
        const outside = db()
          .query<{ n: number }>({ text: 'SELECT count(*)::int AS n FROM t' })
          .then((r) => {
            order.push(`query saw ${r.rows[0]!.n}`);
          });
        await Promise.all([tx, outside]);
        expect(order).toEqual(['tx begin', 'tx end', 'query saw 1']);
      });
    }
  },
  { migrate: false },
);

describe('openDatabase: PGlite in a data folder', () => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'xpost-db-'));
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('creates the folder with mode 0700, keeps data across reopening, and refuses a second opener', async () => {
    const dataDir = join(base, 'nested', 'pg');
    const db = await openDatabase({ dataDir });
    try {
      if (process.platform !== 'win32') expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      await db.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
      await expect(openDatabase({ dataDir })).rejects.toThrow(/open in another xpost process/);
    } finally {
      await db.close();
    }
    const again = await openDatabase({ dataDir });
    try {
      expect((await again.query({ text: 'SELECT v FROM kept' })).rows).toEqual([{ v: 'still here' }]);
    } finally {
      await again.close();
    }
  }, 60_000);

  it('asks for url, dataDir or memory rather than guessing', async () => {
    await expect(openDatabase({})).rejects.toThrow(/pass url .*, dataDir .* or memory: true/);
  });

  it('refuses statements after close', async () => {
    const db = await openDatabase({ memory: true });
    await db.close();
    await expect(db.query({ text: 'SELECT 1' })).rejects.toThrow(/closed/);
  });
});

describe('openDatabase: server URLs', () => {
  it('names DATABASE_URL for a malformed URL or another scheme, without echoing the URL', async () => {
    await expect(openDatabase({ url: 'not a url' })).rejects.toThrow(DatabaseConnectionError);
    await expect(openDatabase({ url: 'not a url' })).rejects.toThrow(/^DATABASE_URL is not a valid URL/);
    const wrong = openDatabase({ url: 'mysql://root:hunter2@db/x' });
    await expect(wrong).rejects.toThrow(/DATABASE_URL must start with postgres:\/\//);
    await expect(wrong).rejects.not.toThrow(/hunter2/);
  });

  it('describes a URL without its password', () => {
    expect(describeDatabaseUrl('postgres://app:s3cret@db.internal:6543/xpost')).toBe(
      'app@db.internal:6543/xpost',
    );
    expect(describeDatabaseUrl('postgresql://db/x')).toBe('db/x');
  });

  it('fails at open, naming the variable and the server but not the password, when nothing listens', async () => {
    const error = await openDatabase({ url: 'postgres://app:s3cret@127.0.0.1:1/xpost' }).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(DatabaseConnectionError);
    expect((error as Error).message).toMatch(
      /^could not connect to PostgreSQL at app@127\.0\.0\.1:1\/xpost \(DATABASE_URL\): /,
    );
    expect((error as Error).message).not.toContain('s3cret');
  });

  it.skipIf(!TEST_DATABASE_URL)('fails at open on a wrong password, without printing it', async () => {
    const url = new URL(TEST_DATABASE_URL!);
    url.password = 'definitely-wrong-pw';
    url.hostname = '127.0.0.1';
    const error = await openDatabase({ url: url.toString(), source: 'XPOST_TEST_DATABASE_URL' }).catch(
      (e: Error) => e,
    );
    // A trust-authenticated local server accepts any password; then there is nothing to check.
    if (!(error instanceof Error)) return (error as { close(): Promise<void> }).close();
    expect(error.message).toMatch(/\(XPOST_TEST_DATABASE_URL\)/);
    expect(error.message).not.toContain('definitely-wrong-pw');
  });
});
