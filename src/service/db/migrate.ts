import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrations as q } from '../store/sql.js';
import type { Db } from './types.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  /** File names applied by this call, in order (empty when the schema was up to date). */
  applied: string[];
}

const FILE = /^(\d{4})_[a-z0-9_-]+\.sql$/;

/**
 * The folder of numbered SQL files: `src/service/migrations/` next to this module when running from
 * the sources (tests, tsx); from `dist/` the build must copy them beside it (`dist/service/migrations`),
 * and until it does the source folder of the package is used.
 */
export function migrationsDir(): string {
  const beside = fileURLToPath(new URL('../migrations/', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../../src/service/migrations/', import.meta.url));
}

/** Reads `NNNN_name.sql` files, in version order; refuses gaps and duplicate numbers. */
export async function loadMigrations(dir = migrationsDir()): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => FILE.test(f)).sort();
  const list: Migration[] = [];
  for (const [i, name] of files.entries()) {
    const version = Number(FILE.exec(name)![1]);
    if (version !== i + 1) {
      throw new Error(
        `migrations in ${dir} must be numbered 0001, 0002, … without gaps or repeats; found ${name}`,
      );
    }
    const sql = await readFile(join(dir, name), 'utf8');
    list.push({
      version,
      name,
      sql,
      checksum: createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex'),
    });
  }
  return list;
}

/**
 * Brings the `xpost` schema up to date: each migration file once, each in its own transaction
 * together with its row in `xpost.schema_migrations`, so a failure leaves the schema at the last
 * good version. Every transaction first takes one advisory lock, so processes starting together
 * (several `xpost worker`s on a server) apply each file once: the others wait, then see it recorded.
 * (On PGlite the lock is per process, and only one process opens a data folder.)
 *
 * A migration already applied whose file has changed since is refused: migrations are append-only;
 * fix forward with a new numbered file.
 */
export async function migrate(db: Db, options: { dir?: string } = {}): Promise<MigrateResult> {
  const files = await loadMigrations(options.dir);
  await bootstrap(db);
  const applied: string[] = [];
  for (const m of files) {
    const didApply = await db.transaction(async (tx) => {
      await tx.query(q.lock());
      const { rows } = await tx.query<{ checksum: string; name: string }>(q.find(m.version));
      const done = rows[0];
      if (done) {
        if (done.checksum !== m.checksum) {
          throw new Error(
            `migration ${m.name} was changed after it was applied to this database (applied as ${done.name}); add a new numbered migration instead of editing an applied one`,
          );
        }
        return false;
      }
      await tx.exec(m.sql);
      await tx.query(q.record(m.version, m.name, m.checksum));
      return true;
    });
    if (didApply) applied.push(m.name);
  }
  return { applied };
}

/**
 * Creates the schema and `schema_migrations` if missing. A process that waited on the advisory lock
 * while another created them can still fail here with a duplicate-object error: the catalog caches
 * of its transaction predate the other's commit (PostgreSQL refreshes them when a table is locked,
 * not when an advisory lock is granted). A new transaction sees the objects, so that is retried.
 */
async function bootstrap(db: Db): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transaction(async (tx) => {
        await tx.query(q.lock());
        await tx.exec(q.bootstrap);
      });
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const raced = code === '23505' || code === '42P06' || code === '42P07';
      if (!raced || attempt >= 3) throw error;
    }
  }
}
