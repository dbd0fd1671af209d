import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/service/db/open.js';
import type { Db } from '../../../src/service/db/types.js';
import { createBossDbAdapter, isMultiStatement } from '../../../src/service/queue/boss-db-adapter.js';

describe('isMultiStatement', () => {
  it.each([
    ['SELECT version from pgboss.version', false],
    ['SELECT 1;', false],
    ['  SELECT 1 ;\n  ', false],
    ['BEGIN; SELECT 1; COMMIT;', true],
    ['CREATE FUNCTION f() RETURNS void AS $$ BEGIN PERFORM 1; END; $$ LANGUAGE plpgsql', true],
  ])('%j → %s', (text, expected) => {
    expect(isMultiStatement(text)).toBe(expected);
  });
});

describe('the pg-boss db adapter on PGlite', () => {
  // One PGlite for these tests: each leaves it usable, which is what some of them check.
  let db: Db;
  beforeAll(async () => {
    db = await openDatabase({ memory: true });
  });
  afterAll(async () => {
    await db.close();
  });

  it('sends a parameterless script of many statements to exec, where PGlite query would refuse it', async () => {
    const adapter = createBossDbAdapter(db);
    await expect(db.query({ text: 'SELECT 1; SELECT 2' })).rejects.toThrow(/multiple commands/);
    const result = await adapter.executeSql('CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2);');
    expect(result).toEqual({ rows: [], rowCount: 0 });
    expect((await adapter.executeSql('SELECT count(*)::int AS n FROM t WHERE a > $1', [0])).rows).toEqual([
      { n: 2 },
    ]);
  });

  it('rolls back a failed BEGIN … COMMIT script so the one PGlite session stays usable', async () => {
    const adapter = createBossDbAdapter(db);
    await expect(adapter.executeSql('BEGIN; CREATE TABLE u (a int); SELECT 1/0; COMMIT;')).rejects.toThrow(
      /division by zero/,
    );
    expect((await adapter.executeSql('SELECT to_regclass($1) AS t', ['u'])).rows).toEqual([{ t: null }]);
  });

  it('survives two pg-boss starts racing to create the schema on one PGlite', async () => {
    // The loser's `BEGIN; CREATE …` fails with "already exists", which pg-boss swallows; without the
    // adapter's ROLLBACK every later statement on PGlite fails with "current transaction is aborted".
    const boss = () => new PgBoss({ db: createBossDbAdapter(db), schedule: false, supervise: false });
    const [a, b] = [boss(), boss()];
    await Promise.all([a.start(), b.start()]);
    expect((await db.query({ text: 'SELECT 1 AS one' })).rows).toEqual([{ one: 1 }]);
    await Promise.all([a.stop({ graceful: false }), b.stop({ graceful: false })]);
  });

  it('sends undefined values as NULL and returns rows and rowCount', async () => {
    const adapter = createBossDbAdapter(db);
    const result = await adapter.executeSql('SELECT $1::int AS a, $2::text AS b', [undefined, 'x']);
    expect(result).toEqual({ rows: [{ a: null, b: 'x' }], rowCount: 1 });
  });

  it('idle() waits for statements in flight', async () => {
    const adapter = createBossDbAdapter(db);
    const slow = adapter.executeSql('SELECT pg_sleep(0.2)');
    expect(adapter.inFlight).toBe(1);
    await adapter.idle();
    expect(adapter.inFlight).toBe(0);
    await slow;
  });
});
