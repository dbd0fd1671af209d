import { type Command, InvalidArgumentError } from 'commander';
import { MAX_WORKER_CONCURRENCY } from '../../service/config.js';
import { describeDatabaseUrl } from '../../service/db/open.js';
import { startWorkerProcess, WorkerRefusedError } from '../../service/server.js';
import { runAction } from '../context.js';
import { usageError } from '../errors.js';
import { serviceConfigForCli } from './keys.js';

/**
 * `xpost worker`: one more process publishing for the service, beside an `xpost serve --no-worker`
 * (or a full `xpost serve`), sharing their PostgreSQL server. pg-boss hands each job to one worker;
 * the target's row lock and lease make a job run twice harmless. SIGINT/SIGTERM stop it gracefully:
 * no new jobs, the ones in flight finish, exit 0.
 */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'Run a publishing worker for the posting service on a shared PostgreSQL server (DATABASE_URL), without HTTP.',
    )
    .option(
      '-c, --concurrency <n>',
      `publish jobs run at once (env XPOST_WORKER_CONCURRENCY; default 4; at most ${MAX_WORKER_CONCURRENCY})`,
      parseConcurrency,
    )
    .addHelpText(
      'after',
      `
Examples (every process with the same DATABASE_URL, XPOST_SECRET_KEY and XPOST_CLIENT_ID/SECRET):
  $ export DATABASE_URL=postgres://xpost:secret@db:5432/xpost XPOST_SECRET_KEY=...
  $ export XPOST_CLIENT_ID=... XPOST_CLIENT_SECRET=...
  $ xpost serve --no-worker          # the API, on one machine
  $ xpost worker --concurrency 8     # workers, on this machine or others

The embedded database (no DATABASE_URL) is used by one process only: there, \`xpost serve\` runs the
worker itself. Sandbox mode (no XPOST_CLIENT_ID) posts to the emulator inside \`xpost serve\`, so it
has no separate workers either.`,
    )
    .action(
      runAction(async (ctx, opts: { concurrency?: number }) => {
        const config = serviceConfigForCli();
        for (const warning of config.warnings) ctx.out.warn(warning);
        let running: Awaited<ReturnType<typeof startWorkerProcess>>;
        try {
          running = await startWorkerProcess({
            config,
            ...(opts.concurrency !== undefined && { concurrency: opts.concurrency }),
          });
        } catch (error) {
          if (error instanceof WorkerRefusedError) throw usageError(error.message, error.hint);
          throw error;
        }
        // Ctrl-C or SIGTERM while starting: runAction held the signal until now.
        if (ctx.signal.aborted) {
          await running.close();
          throw ctx.signal.reason;
        }
        const concurrency = opts.concurrency ?? config.workerConcurrency;
        const database =
          config.database.kind === 'server' ? describeDatabaseUrl(config.database.url.reveal()) : '';
        ctx.out.result(
          `xpost worker ${running.worker.workerId} running (concurrency ${concurrency}) on PostgreSQL ${database}   Stop: Ctrl-C`,
          { worker: running.worker.workerId, concurrency },
        );
      }),
    );
}

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_WORKER_CONCURRENCY) {
    throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_WORKER_CONCURRENCY}.`);
  }
  return n;
}
