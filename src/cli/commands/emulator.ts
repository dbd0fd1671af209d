import { type Command, InvalidArgumentError, Option } from 'commander';
import { RATE_LIMIT_PRESETS, type RateLimitPreset } from '../../emulator/rate-limits.js';
import { startEmulator } from '../../emulator/server.js';

const DEFAULT_PORT = 8787;

export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('Run the local X API emulator: a sandbox X with OAuth, posts, media and rate limits.')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', parsePort, DEFAULT_PORT)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--premium', 'make the ready-made user an X Premium account (25,000 characters)', false)
    .option('--clock-scale <n>', 'run the emulated clock n times faster than real time', parseNonNegative, 1)
    .addOption(
      new Option('--rate-limits <preset>', 'rate-limit table to apply')
        .choices(RATE_LIMIT_PRESETS)
        .default('pay-per-use'),
    )
    .option('--quiet', 'do not log requests', false)
    .addHelpText(
      'after',
      `
Examples:
  $ xpost emulator                      # http://127.0.0.1:${DEFAULT_PORT}
  $ xpost emulator --port 0 --premium   # any free port, a Premium user
  $ curl -H "Authorization: Bearer <token printed at start>" http://127.0.0.1:${DEFAULT_PORT}/2/users/me

Control API: GET http://127.0.0.1:${DEFAULT_PORT}/__emulator (see docs/emulator.md).`,
    )
    .action(
      async (opts: {
        port: number;
        host: string;
        premium: boolean;
        clockScale: number;
        rateLimits: RateLimitPreset;
        quiet: boolean;
      }) => {
        const emulator = await startEmulator({
          host: opts.host,
          port: opts.port,
          clock: { scale: opts.clockScale },
          rateLimits: { preset: opts.rateLimits },
          fixtures: { user: { premium: opts.premium } },
          logger: !opts.quiet,
        });
        const { app, publicApp, user } = emulator;
        process.stdout.write(
          [
            `xpost X API emulator listening on ${emulator.url}`,
            '',
            'Point a client at it: API base and authorize host are both this URL,',
            `  e.g. ${emulator.url}/i/oauth2/authorize and ${emulator.url}/2/tweets`,
            '',
            'App (confidential, Basic auth at the token endpoint):',
            `  client id       ${app.clientId}`,
            `  client secret   ${app.clientSecret}`,
            `  consumer key    ${app.consumerKey}`,
            `  consumer secret ${app.consumerSecret}`,
            `  redirect URIs   ${app.redirectUris.join(', ')}`,
            `Public app (PKCE, client_id in the body): ${publicApp.clientId}`,
            '',
            `User @${user.username} (id ${user.id}${user.premium ? ', Premium' : ''}):`,
            `  access token    ${user.accessToken}   (expires in 2 h on the emulator's clock)`,
            `  refresh token   ${user.refreshToken}`,
            `  OAuth 1.0a      token ${user.oauth1.token}  secret ${user.oauth1.tokenSecret}`,
            '',
            `Try: curl -H "Authorization: Bearer ${user.accessToken}" ${emulator.url}/2/users/me`,
            `Control API: ${emulator.url}/__emulator   Stop: Ctrl-C`,
            '',
          ].join('\n'),
        );
        const stop = async (): Promise<void> => {
          await emulator.close();
          process.exit(0);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
    );
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('must be a whole number from 0 to 65535.');
  }
  return port;
}

function parseNonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number >= 0.');
  return n;
}
