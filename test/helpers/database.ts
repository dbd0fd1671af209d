import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { migrate } from '../../src/service/db/migrate.js';
import { openDatabase } from '../../src/service/db/open.js';
import type { Db } from '../../src/service/db/types.js';

/**
 * Databases for service tests: every suite runs on PGlite in memory, and again on the PostgreSQL
 * server named by `XPOST_TEST_DATABASE_URL` when it is set (`.ci/run` sets it). On the server each
 * test file gets its own freshly created database (`xpost_t_<pid>_<random>`), dropped afterwards, so
 * files running in parallel never see each other's rows or schema.
 */
export const TEST_DATABASE_URL = process.env.XPOST_TEST_DATABASE_URL || undefined;

export type BackendName = 'pglite' | 'postgres';

export interface TestDatabase {
  backend: BackendName;
  db: Db;
  /** Another, independent handle on the same database (server: a second pool). PGlite: undefined. */
  url: string | undefined;
  /** Closes every handle and drops the database. */
  drop(): Promise<void>;
}

/** A new, empty database (not migrated). */
export async function createTestDatabase(backend: BackendName): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const db = await openDatabase({ memory: true });
    return { backend, db, url: undefined, drop: () => db.close() };
  }
  if (!TEST_DATABASE_URL) throw new Error('createTestDatabase(postgres): XPOST_TEST_DATABASE_URL is not set');
  const name = `xpost_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = withDatabase(TEST_DATABASE_URL, name);
  const db = await openDatabase({ url, source: 'XPOST_TEST_DATABASE_URL', poolSize: 4 });
  return {
    backend,
    db,
    url,
    drop: async () => {
      await db.close().catch(() => {});
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** The backends this run covers (the server only when XPOST_TEST_DATABASE_URL is set). */
export const BACKENDS: readonly BackendName[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

let warned = false;

/**
 * `describe(title)` once per backend, each with its own database for the file's tests: created and
 * migrated in `beforeAll`, emptied (every table but the migrations') before each test, dropped in
 * `afterAll`. Without XPOST_TEST_DATABASE_URL the PostgreSQL half is a skipped suite that says why.
 */
export function describeDatabases(
  title: string,
  body: (ctx: { backend: BackendName; db: () => Db; database: () => TestDatabase }) => void,
  options: { migrate?: boolean; truncate?: boolean } = {},
): void {
  for (const backend of ['pglite', 'postgres'] as const) {
    if (backend === 'postgres' && !TEST_DATABASE_URL) {
      if (!warned) {
        warned = true;
        console.warn(
          'service database tests: PostgreSQL half skipped; set XPOST_TEST_DATABASE_URL=postgres://… to run it',
        );
      }
      describe.skip(`${title} [postgres] (skipped: set XPOST_TEST_DATABASE_URL to run on a PostgreSQL server)`, () => {
        body({ backend, db: unavailable, database: unavailable });
      });
      continue;
    }
    describe(`${title} [${backend}]`, () => {
      let database: TestDatabase | undefined;
      beforeAll(async () => {
        database = await createTestDatabase(backend);
        if (options.migrate !== false) await migrate(database.db);
      }, 60_000);
      if (options.migrate !== false && options.truncate !== false) {
        beforeEach(async () => {
          await truncateAll(database!.db);
        });
      }
      afterAll(async () => {
        await database?.drop();
      }, 60_000);
      const get = () => {
        if (!database) throw new Error('the test database is not ready yet (use it inside a test or hook)');
        return database;
      };
      body({ backend, db: () => get().db, database: get });
    });
  }
}

function unavailable(): never {
  throw new Error('no PostgreSQL server for this run');
}

/** Empties every table of the service's schema except the migrations' bookkeeping. */
export async function truncateAll(db: Db): Promise<void> {
  const { rows } = await db.query<{ name: string }>({
    text: `SELECT quote_ident(tablename) AS name FROM pg_tables
           WHERE schemaname = 'xpost' AND tablename <> 'schema_migrations'`,
  });
  if (rows.length === 0) return;
  await db.exec(`TRUNCATE ${rows.map((r) => `xpost.${r.name}`).join(', ')} CASCADE`);
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
