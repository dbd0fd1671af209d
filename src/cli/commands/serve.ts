import { type Command, InvalidArgumentError } from 'commander';
import { startService } from '../../service/server.js';
import { runAction } from '../context.js';
import { serviceConfigForCli } from './keys.js';

/**
 * `xpost serve`: the posting service. For now the HTTP API (API-key auth, `/health`) only; the
 * worker and the sandbox emulator join through `startService`'s `startExtras` hook.
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the self-hosted posting service (HTTP API) on its database (PGlite by default).')
    .option('-p, --port <port>', 'port to listen on (env PORT; default 3000; 0 picks a free one)', parsePort)
    .option('--host <host>', 'interface to bind (env HOST; default 127.0.0.1)')
    .addHelpText(
      'after',
      `
Examples:
  $ xpost keys create --name me      # a key for the API (run it while the service is stopped)
  $ xpost serve --port 8080
  $ curl http://127.0.0.1:8080/health

Configuration comes from the environment (XPOST_HOME, DATABASE_URL, XPOST_SECRET_KEY, LOG_LEVEL, …).`,
    )
    .action(
      runAction(async (ctx, opts: { port?: number; host?: string }) => {
        const config = serviceConfigForCli();
        for (const warning of config.warnings) ctx.out.warn(warning);
        const service = await startService({
          config,
          ...(opts.port !== undefined && { port: opts.port }),
          ...(opts.host !== undefined && { host: opts.host }),
        });
        ctx.out.result(`xpost service listening on ${service.url}   Stop: Ctrl-C`, { url: service.url });
      }),
    );
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('must be a whole number from 0 to 65535.');
  }
  return port;
}
