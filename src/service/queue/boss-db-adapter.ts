/**
 * pg-boss on our `Db` (DESIGN, "jobs": pg-boss 10 on the same database, PGlite included).
 *
 * pg-boss accepts a `db` constructor option instead of a connection string: any object with
 * `executeSql(text, values)` that resolves to something with `rows` (its own `Db` returns a
 * node-postgres result). It reads `rows` only (`rows[0].count`, `rows[0].id`, `rows.length`), and
 * never `rowCount`; we return both. Giving it our `Db` means one pool (or one PGlite) for the whole
 * service and lets a job be sent inside the caller's transaction (`bossDbForTransaction`).
 *
 * Why an adapter and not the `Db` itself:
 * - pg-boss sends its schema creation, migrations and maintenance (expire, archive, drop) as ONE
 *   string of many statements wrapped in `BEGIN; … COMMIT;` (plans.locked), always without
 *   parameters. node-postgres runs such a string with the simple query protocol; PGlite's `query`
 *   uses the extended protocol and refuses it ("cannot insert multiple commands into a prepared
 *   statement"). So strings of several statements without parameters go to `db.exec`. pg-boss
 *   ignores the result of every such call, so an empty result is faithful.
 * - When such a string fails after its `BEGIN` on PGlite, PGlite's one session stays in an aborted
 *   transaction and every later statement, from any caller, fails with "current transaction is
 *   aborted". pg-boss expects and swallows some of these failures (two starts racing to create the
 *   schema: "already exists"; two migrating: "division by zero"), so we issue the `ROLLBACK`.
 *   A PostgreSQL server rolls such a string back by itself (checked on 15).
 * - pg-boss fires `complete` and `fail` without awaiting them (manager.js, `watch`), so a caller
 *   that closes the database right after `boss.stop()` can turn them into unhandled rejections.
 *   The adapter counts statements in flight; `idle()` resolves when there are none.
 */

import type { Db, Queryable } from '../db/types.js';

/** The shape pg-boss calls (its `PgBoss.Db`, with the result fields it reads). */
export interface BossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number }>;
}

export interface BossDbAdapter extends BossDb {
  /** Statements sent by pg-boss that have not settled yet. */
  readonly inFlight: number;
  /** Resolves once nothing pg-boss sent is in flight, including statements started meanwhile. */
  idle(): Promise<void>;
}

const EMPTY_RESULT = Object.freeze({ rows: [] as unknown[], rowCount: 0 });
const EXPLICIT_BEGIN = /(^|;)\s*BEGIN\s*;/i;

/**
 * True for a string of more than one statement. pg-boss's single statements without parameters
 * (version, time, queues, schedules, counts) never contain a `;`, and its many-statement strings
 * always do, so the naive test is exact for pg-boss 10; it is not a general SQL splitter.
 */
export function isMultiStatement(text: string): boolean {
  return text.replace(/[\s;]+$/, '').includes(';');
}

/** pg-boss passes `undefined` for options left out; node-postgres sends NULL, PGlite too, but say so. */
function normaliseValues(values: readonly unknown[] | undefined): unknown[] | undefined {
  return values?.map((value) => (value === undefined ? null : value));
}

async function rollbackAfterFailure(db: Db): Promise<void> {
  try {
    await db.exec('ROLLBACK');
  } catch {
    // Nothing to roll back (the failure came before BEGIN): the session is usable as it is.
  }
}

export function createBossDbAdapter(db: Db): BossDbAdapter {
  let inFlight = 0;
  let waiters: Array<() => void> = [];

  const settle = () => {
    inFlight -= 1;
    if (inFlight === 0) {
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve();
    }
  };

  const run = async (text: string, values?: unknown[]) => {
    if ((values === undefined || values.length === 0) && isMultiStatement(text)) {
      try {
        await db.exec(text);
      } catch (error) {
        if (db.kind === 'embedded' && EXPLICIT_BEGIN.test(text)) await rollbackAfterFailure(db);
        throw error;
      }
      return EMPTY_RESULT;
    }
    const result = await db.query({ text, values: normaliseValues(values) });
    return { rows: result.rows, rowCount: result.rowCount };
  };

  return {
    get inFlight() {
      return inFlight;
    },
    async executeSql(text, values) {
      inFlight += 1;
      try {
        return await run(text, values);
      } finally {
        settle();
      }
    },
    async idle() {
      // A statement that settles can start another in the same turn (a worker's fetch resolves and
      // its handler runs): wait for a quiet macrotask before calling it idle.
      for (;;) {
        if (inFlight > 0) await new Promise<void>((resolve) => waiters.push(resolve));
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (inFlight === 0) return;
      }
    },
  };
}

/**
 * pg-boss's per-call `db` option over one transaction, so a job is inserted atomically with the rows
 * that need it (a post and its targets, a webhook delivery): if the transaction rolls back, the job
 * was never queued. Only single statements go through it (`send`, `insert`).
 */
export function bossDbForTransaction(tx: Queryable): BossDb {
  return {
    async executeSql(text, values) {
      const result = await tx.query({ text, values: normaliseValues(values) });
      return { rows: result.rows, rowCount: result.rowCount };
    },
  };
}
