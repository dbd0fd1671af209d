import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadMigrations, migrate, migrationsDir } from '../../../src/service/db/migrate.js';
import { openDatabase } from '../../../src/service/db/open.js';
import { describeDatabases } from '../../helpers/database.js';

const tables = async (db: import('../../../src/service/db/types.js').Db) =>
  (
    await db.query<{ tablename: string }>({
      text: "SELECT tablename FROM pg_tables WHERE schemaname = 'xpost' ORDER BY tablename",
    })
  ).rows.map((r) => r.tablename);

/** The migrations the package ships, in order; each test below expects all of them. */
const SHIPPED = ['0001_init.sql', '0002_service_api.sql', '0003_target_failures.sql'];

describeDatabases(
  'migrate',
  ({ backend, db, database }) => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'xpost-migrations-'));
      await db().exec('DROP SCHEMA IF EXISTS xpost CASCADE');
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('creates the whole schema once; a second run applies nothing', async () => {
      expect(await migrate(db())).toEqual({
        applied: SHIPPED,
      });
      expect(await tables(db())).toEqual([
        'accounts',
        'api_keys',
        'idempotency_keys',
        'media',
        'media_uploads',
        'metric_counters',
        'oauth_states',
        'post_targets',
        'posts',
        'publish_attempts',
        'rate_limits',
        'schema_migrations',
        'upload_journals',
        'webhook_deliveries',
        'webhooks',
      ]);
      expect(await migrate(db())).toEqual({ applied: [] });
      const { rows } = await db().query({ text: 'SELECT version, name FROM xpost.schema_migrations' });
      expect(rows).toEqual(SHIPPED.map((name, i) => ({ version: i + 1, name })));
    });

    it('applies each file in its own transaction: a failing file leaves the earlier ones applied', async () => {
      await writeFile(
        join(dir, '0001_a.sql'),
        'CREATE SCHEMA IF NOT EXISTS xpost; CREATE TABLE xpost.a (id int);',
      );
      await writeFile(join(dir, '0002_b.sql'), 'CREATE TABLE xpost.b (id int); SELECT 1/0;');
      await expect(migrate(db(), { dir })).rejects.toThrow(/division by zero/);
      expect(await tables(db())).toEqual(['a', 'schema_migrations']);
      await writeFile(join(dir, '0002_b.sql'), 'CREATE TABLE xpost.b (id int);');
      expect(await migrate(db(), { dir })).toEqual({ applied: ['0002_b.sql'] });
    });

    it('refuses a migration edited after it was applied', async () => {
      await writeFile(join(dir, '0001_a.sql'), 'CREATE TABLE xpost.a (id int);');
      await migrate(db(), { dir });
      await writeFile(join(dir, '0001_a.sql'), 'CREATE TABLE xpost.a (id bigint);');
      await expect(migrate(db(), { dir })).rejects.toThrow(/0001_a\.sql was changed after it was applied/);
    });

    it('refuses gaps in the numbering', async () => {
      await writeFile(join(dir, '0001_a.sql'), 'SELECT 1;');
      await writeFile(join(dir, '0003_c.sql'), 'SELECT 1;');
      await expect(loadMigrations(dir)).rejects.toThrow(/without gaps or repeats; found 0003_c\.sql/);
    });

    if (backend === 'postgres') {
      it('applies each file once when several processes start together', async () => {
        const others = await Promise.all(
          [1, 2, 3].map(() =>
            openDatabase({ url: database().url!, source: 'XPOST_TEST_DATABASE_URL', poolSize: 1 }),
          ),
        );
        try {
          // Several rounds: the race between the first CREATE SCHEMAs is a matter of timing.
          for (let round = 0; round < 5; round++) {
            await db().exec('DROP SCHEMA IF EXISTS xpost CASCADE');
            const results = await Promise.all([db(), ...others].map((d) => migrate(d)));
            expect(results.flatMap((r) => r.applied)).toEqual(SHIPPED);
            const { rows } = await db().query({
              text: 'SELECT count(*)::int AS n FROM xpost.schema_migrations',
            });
            expect(rows).toEqual([{ n: SHIPPED.length }]);
          }
        } finally {
          await Promise.all(others.map((d) => d.close()));
        }
      });
    } else {
      it('applies each file once when two starts race in one process', async () => {
        const results = await Promise.all([migrate(db()), migrate(db())]);
        expect(results.flatMap((r) => r.applied)).toEqual(SHIPPED);
      });
    }
  },
  { migrate: false },
);

it('finds the migrations folder beside the sources', async () => {
  expect((await loadMigrations(migrationsDir())).map((m) => m.name)).toContain('0001_init.sql');
});
