import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite, type Results } from '@electric-sql/pglite';
import lockfile from 'proper-lockfile';
import { KeyMutex } from '../../x/auth/key-mutex.js';
import { assertOpen, assertOutsideTransaction, runInTransactionScope } from './scope.js';
import type { Db, QueryResult, SqlQuery, Transaction } from './types.js';

export interface EmbeddedOptions {
  /** A folder for the database files (created with mode 0700); absent: in memory. */
  dataDir?: string;
}

/**
 * PGlite: PostgreSQL compiled to WASM, in this process. It is ONE connection, so:
 *
 * - Every `transaction()`, `query()` and `exec()` takes one mutex, in call order. A transaction holds
 *   it from BEGIN to COMMIT/ROLLBACK, so the statements of two concurrent transactions never
 *   interleave, and a plain `query()` called meanwhile waits and runs after COMMIT, as its own
 *   statement (autocommit). It never runs *between* the statements of a transaction: it would see
 *   and take part in that transaction's uncommitted work, and a ROLLBACK would undo it. (PGlite 0.5
 *   also serialises internally; this mutex is ours, so correctness does not rest on its internals.)
 * - Row locks (`FOR UPDATE SKIP LOCKED`) are real but never contended: serialised transactions
 *   cannot both hold a row. The second of two concurrent claimers runs after the first committed and
 *   sees its update, which is what a claim needs.
 * - Calling `db.query()` inside `db.transaction()` throws (see scope.ts) instead of deadlocking.
 * - Only one process may open a data folder: a lock file next to it (`proper-lockfile`, taken over
 *   when its holder crashed) refuses a second one with a clear error. Advisory locks work inside this
 *   process only, which is all the migration runner needs here.
 */
export async function openEmbedded(options: EmbeddedOptions = {}): Promise<Db> {
  let releaseLock: (() => Promise<void>) | undefined;
  let pg: PGlite;
  if (options.dataDir) {
    const dataDir = resolve(options.dataDir);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    releaseLock = await lockDataDir(dataDir);
    try {
      pg = await PGlite.create({ dataDir });
    } catch (error) {
      await releaseLock();
      throw new Error(`could not open the embedded database in ${dataDir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  } else {
    pg = await PGlite.create();
  }
  return new EmbeddedDb(pg, releaseLock);
}

async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dataDir, {
      realpath: false,
      lockfilePath: join(dataDir, '.xpost.lock'),
      stale: 10_000,
      update: 2_500,
      retries: 0,
      // The default throws from a timer and would crash the process; a stalled process keeps running.
      onCompromised: () => {},
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new Error(
        `the embedded database in ${dataDir} is open in another xpost process; PGlite allows one process per data folder (use DATABASE_URL and a PostgreSQL server to run several)`,
      );
    }
    throw error;
  }
}

const LOCK = 'db';

class EmbeddedDb implements Db {
  readonly kind = 'embedded' as const;
  readonly #pg: PGlite;
  readonly #mutex = new KeyMutex();
  readonly #releaseLock: (() => Promise<void>) | undefined;
  #closed = false;

  constructor(pg: PGlite, releaseLock?: () => Promise<void>) {
    this.#pg = pg;
    this.#releaseLock = releaseLock;
  }

  query<Row = Record<string, unknown>>(query: SqlQuery): Promise<QueryResult<Row>> {
    assertOutsideTransaction(this, 'query');
    return this.#exclusive(async () => toResult(await this.#pg.query<Row>(query.text, params(query))));
  }

  exec(sql: string): Promise<void> {
    assertOutsideTransaction(this, 'exec');
    return this.#exclusive(async () => {
      await this.#pg.exec(sql);
    });
  }

  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    assertOutsideTransaction(this, 'transaction');
    return this.#exclusive(() =>
      this.#pg.transaction(async (inner) => {
        let ended = false;
        const tx: Transaction = {
          query: async <Row>(query: SqlQuery) => {
            assertOpen(ended);
            return toResult(await inner.query<Row>(query.text, params(query)));
          },
          exec: async (sql: string) => {
            assertOpen(ended);
            await inner.exec(sql);
          },
        };
        try {
          return await runInTransactionScope(this, () => fn(tx));
        } finally {
          ended = true;
        }
      }),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Waits for the statements already called, then closes.
    await this.#mutex.run(LOCK, () => this.#pg.close());
    await this.#releaseLock?.().catch(() => {});
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the database is closed'));
    return this.#mutex.run(LOCK, fn);
  }
}

function params(query: SqlQuery): unknown[] | undefined {
  return query.values === undefined ? undefined : [...query.values];
}

function toResult<Row>(result: Results<Row>): QueryResult<Row> {
  return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length };
}
