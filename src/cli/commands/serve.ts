import { type Command, InvalidArgumentError } from 'commander';
import { createApiKey } from '../../service/auth/api-keys.js';
import { describeDatabaseUrl } from '../../service/db/open.js';
import type { Db } from '../../service/db/types.js';
import { noWorkerWarning, startService } from '../../service/server.js';
import { apiKeys } from '../../service/store/sql.js';
import { runAction } from '../context.js';
import { serviceConfigForCli } from './keys.js';

/**
 * `xpost serve`: the posting service. The HTTP API, and in the same process the worker that
 * publishes (unless `--no-worker`) and, without an X app configured, the sandbox emulator.
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the self-hosted posting service: the HTTP API and the worker that publishes, on PGlite by default.',
    )
    .option('-p, --port <port>', 'port to listen on (env PORT; default 3000; 0 picks a free one)', parsePort)
    .option('--host <host>', 'interface to bind (env HOST; default 127.0.0.1)')
    .option('--no-worker', 'serve the HTTP API only; `xpost worker` processes publish (needs DATABASE_URL)')
    .addHelpText(
      'after',
      `
One machine (embedded PGlite in $XPOST_HOME/data, API and worker in one process):
  $ xpost keys create --name me      # a key for the API (run it while the service is stopped)
  $ xpost serve --port 8080
  $ curl http://127.0.0.1:8080/health

Many processes on a PostgreSQL server (on one machine or many, same DATABASE_URL and XPOST_SECRET_KEY):
  $ export DATABASE_URL=postgres://xpost:secret@db:5432/xpost XPOST_SECRET_KEY=...
  $ export XPOST_CLIENT_ID=... XPOST_CLIENT_SECRET=...
  $ xpost serve --no-worker          # the API
  $ xpost worker                     # as many as you like, on any machine

Without XPOST_CLIENT_ID the service runs in sandbox mode: posts go to an X API emulator inside this
process, and an account connected to it is ready to use. Set XPOST_CLIENT_ID and XPOST_CLIENT_SECRET
to post to X.

Configuration comes from the environment (XPOST_HOME, DATABASE_URL, XPOST_SECRET_KEY, XPOST_CLIENT_ID,
XPOST_WORKER_CONCURRENCY, LOG_LEVEL, …).`,
    )
    .action(
      runAction(async (ctx, opts: { port?: number; host?: string; worker: boolean }) => {
        // --port as PORT, so the default public URL and OAuth callback name the port actually used.
        const config = serviceConfigForCli(
          opts.port === undefined ? process.env : { ...process.env, PORT: String(opts.port) },
        );
        for (const warning of config.warnings) ctx.out.warn(warning);
        const service = await startService({
          config,
          worker: opts.worker,
          ...(opts.host !== undefined && { host: opts.host }),
        });
        // Ctrl-C or SIGTERM while starting: runAction held the signal until now.
        if (ctx.signal.aborted) {
          await service.close();
          throw ctx.signal.reason;
        }
        if (service.sandbox) for (const line of service.sandbox.notice) ctx.out.info(line);
        const firstKey = await firstApiKey(service.db, config.database.kind === 'embedded', service.url);
        if (firstKey) for (const line of firstKey) ctx.out.info(line);
        const idle = service.worker ? undefined : noWorkerWarning(config);
        if (idle) ctx.out.warn(idle);
        const database =
          config.database.kind === 'server'
            ? `PostgreSQL ${describeDatabaseUrl(config.database.url.reveal())}`
            : `embedded PGlite in ${config.database.path}`;
        const worker = service.worker
          ? `worker ${service.worker.workerId} in this process`
          : 'no worker in this process (start `xpost worker`)';
        ctx.out.result(
          `xpost service listening on ${service.url}   (${database}; ${worker})   Stop: Ctrl-C`,
          {
            url: service.url,
            worker: service.worker ? service.worker.workerId : null,
            sandbox: service.sandbox
              ? { url: service.sandbox.url, account_id: service.sandbox.account.id }
              : null,
          },
        );
      }),
    );
}

/**
 * A newcomer's first run (`npm start`) should end with a working curl, yet `xpost keys create` cannot
 * open the embedded database while the service holds it. So when an embedded database has no live
 * API key, one is made and shown once, on the terminal only (never in the log). With a database
 * server nothing is made: `xpost keys create` works beside the running service there.
 */
async function firstApiKey(db: Db, embedded: boolean, url: string): Promise<string[] | undefined> {
  const { rows } = await db.query<{ n: number }>({
    text: 'SELECT count(*)::int AS n FROM xpost.api_keys WHERE revoked_at IS NULL',
  });
  if (rows[0]!.n > 0) return undefined;
  if (!embedded) {
    return [
      'No API key exists yet: create one with `xpost keys create --name <name>` (any machine with DATABASE_URL).',
    ];
  }
  const created = createApiKey();
  await db.query(apiKeys.insert({ name: 'first key (made by xpost serve)', ...created }));
  return [
    'No API key existed, so one was made. It is shown only this once: store it now.',
    '',
    `  ${created.key}`,
    '',
    `  curl -H "Authorization: Bearer ${created.key}" ${url}/api/accounts`,
    'Manage keys with `xpost keys list|create|revoke` while the service is stopped.',
  ];
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('must be a whole number from 0 to 65535.');
  }
  return port;
}
