import type { Command } from 'commander';
import { createApiKey } from '../../service/auth/api-keys.js';
import { loadServiceConfig, type ServiceConfig, ServiceConfigError } from '../../service/config.js';
import { migrate } from '../../service/db/migrate.js';
import { openDatabase } from '../../service/db/open.js';
import type { Db } from '../../service/db/types.js';
import { type ApiKeyRow, apiKeys } from '../../service/store/sql.js';
import { runAction } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `xpost keys create|list|revoke`: the service's API keys, straight in its database (the same
 * configuration as `xpost serve`: XPOST_HOME, DATABASE_URL). The embedded database opens in one
 * process at a time, so with it these run while `xpost serve` is stopped.
 */
export function registerKeysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description("Manage the posting service's API keys (Authorization: Bearer <key>).")
    .addHelpText(
      'after',
      `
Examples:
  $ xpost keys create --name ci      # prints the key once: store it now
  $ xpost keys list
  $ xpost keys revoke 0b6c…          # the id from create or list`,
    );

  keys
    .command('create')
    .description('Create an API key; it is printed once and only its hash is stored.')
    .option('--name <name>', 'a label for listings', 'default')
    .action(
      runAction(async (ctx, opts: { name: string }) => {
        const name = opts.name.trim();
        if (name === '' || name.length > 200) throw usageError('--name must be 1 to 200 characters');
        const created = createApiKey();
        const row = await withServiceDatabase(async (db) => {
          const { rows } = await db.query<ApiKeyRow>(apiKeys.insert({ name, ...created }));
          return rows[0]!;
        });
        ctx.out.result(
          [
            `API key "${row.name}" created. It is shown only this once: store it now.`,
            '',
            `  ${created.key}`,
            '',
            `  id      ${row.id}`,
            `  prefix  ${row.prefix}`,
            '',
            'Use it as: Authorization: Bearer <key>',
          ].join('\n'),
          { ...describeKey(row), key: created.key },
        );
      }),
    );

  keys
    .command('list')
    .description('List API keys (never the keys themselves).')
    .action(
      runAction(async (ctx) => {
        const rows = await withServiceDatabase(
          async (db) => (await db.query<ApiKeyRow>(apiKeys.list())).rows,
        );
        const lines =
          rows.length === 0
            ? ['no API keys; create one with `xpost keys create`']
            : [
                ['ID', 'NAME', 'PREFIX', 'CREATED', 'LAST USED', 'REVOKED'].join('  '),
                ...rows.map((r) =>
                  [
                    r.id,
                    r.name,
                    `${r.prefix}…`,
                    iso(r.created_at),
                    iso(r.last_used_at) ?? '-',
                    iso(r.revoked_at) ?? '-',
                  ].join('  '),
                ),
              ];
        ctx.out.result(lines.join('\n'), { keys: rows.map(describeKey) });
      }),
    );

  keys
    .command('revoke')
    .description('Revoke an API key: requests with it get 401 from then on.')
    .argument('<id>', 'the key id (from `xpost keys list`)')
    .action(
      runAction(async (ctx, id: string) => {
        if (!UUID.test(id))
          throw usageError(`"${id}" is not a key id`, 'ids are UUIDs; see `xpost keys list`');
        const row = await withServiceDatabase(
          async (db) => (await db.query<ApiKeyRow>(apiKeys.revoke(id, new Date()))).rows[0],
        );
        if (!row) {
          throw new CliError(`no API key with id ${id}`, {
            code: 'not_found',
            hint: 'see `xpost keys list`',
          });
        }
        ctx.out.result(
          `API key ${row.id} ("${row.name}") revoked at ${iso(row.revoked_at)}`,
          describeKey(row),
        );
      }),
    );
}

function describeKey(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    created_at: iso(row.created_at),
    last_used_at: iso(row.last_used_at),
    revoked_at: iso(row.revoked_at),
  };
}

function iso(date: Date | null): string | null {
  return date ? new Date(date).toISOString() : null;
}

/** The service's configuration, with its problems as one usage error (exit 2). */
export function serviceConfigForCli(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  try {
    return loadServiceConfig(env);
  } catch (error) {
    if (error instanceof ServiceConfigError) {
      // The CLI prints errors on one line: the problems joined by "; " read better than the
      // service's bulleted list flattened; --json gets them one by one.
      const count = error.problems.length === 1 ? '1 problem' : `${error.problems.length} problems`;
      throw new CliError(
        `xpost service configuration has ${count}: ${error.problems.map((p) => p.message).join('; ')}`,
        {
          exitCode: EXIT.USAGE,
          code: 'config',
          details: { problems: error.problems.map((p) => ({ ...p })) },
        },
      );
    }
    throw error;
  }
}

/** Open the service's database (migrated), run `fn`, close it. */
async function withServiceDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const config = serviceConfigForCli();
  const db = await openDatabase(
    config.database.kind === 'server'
      ? { url: config.database.url.reveal() }
      : { dataDir: config.database.path },
  );
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}
