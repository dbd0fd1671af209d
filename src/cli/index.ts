#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { registerAuthCommand } from './commands/auth.js';
import { registerCountCommand } from './commands/count.js';
import { registerDeleteCommand } from './commands/delete.js';
import { registerEmulatorCommand } from './commands/emulator.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerLoginCommand } from './commands/login.js';
import { registerLogoutCommand } from './commands/logout.js';
import { registerPostCommand } from './commands/post.js';
import { registerServeCommand } from './commands/serve.js';
import { registerThreadCommand } from './commands/thread.js';
import { registerUploadCommand } from './commands/upload.js';
import { registerWorkerCommand } from './commands/worker.js';
import { checkAccountName, checkApiBase } from './config.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { createOutput } from './output.js';
import { readPackageVersion } from './version.js';

// `xpost ... | head` closes stdout early: that is the reader saying "enough", not a failure.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const program = new Command();
program
  .name('xpost')
  .description('Post to X from the shell, run a local X API emulator, or serve a posting API.')
  .version(readPackageVersion())
  .addOption(
    new Option(
      '--account <name>',
      'account to act for (env XPOST_ACCOUNT; default: the config\'s, else "default")',
    ).argParser((value) => asUsage(() => checkAccountName(value, '--account'))),
  )
  .addOption(
    new Option(
      '--api-base <url>',
      'X API base URL (env XPOST_API_BASE; default https://api.x.com)',
    ).argParser((value) => asUsage(() => checkApiBase(value))),
  )
  .option('--json', 'print the result as one JSON document on stdout (errors too)')
  .option('--verbose', 'print stack traces and causes with errors')
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError('(run with --help for usage)')
  // Usage errors must exit 2, not commander's 1; the catch below decides.
  .exitOverride()
  .addHelpText(
    'after',
    `
Examples:
  $ xpost login                                  # log in in the browser (OAuth 2.0 with PKCE)
  $ xpost --account work login --client-id ID    # a second account, side by side
  $ xpost auth status --json
  $ xpost emulator --port 0                      # a local X to try everything against
  $ xpost serve                                  # the posting service (sandbox until XPOST_CLIENT_ID is set)

Exit codes: 0 ok, 1 error, 2 usage, 3 auth, 4 rate limit, 5 forbidden, 6 network,
7 unknown outcome, 8 validation, 130 interrupted (docs/cli.md).`,
  );

registerPostCommand(program);
registerThreadCommand(program);
registerUploadCommand(program);
registerDeleteCommand(program);
registerCountCommand(program);
registerLoginCommand(program);
registerAuthCommand(program);
registerLogoutCommand(program);
registerEmulatorCommand(program);
registerServeCommand(program);
registerWorkerCommand(program);
registerKeysCommand(program);

/** Commander turns an InvalidArgumentError into its own one-line usage message. */
function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof CliError)
      throw new InvalidArgumentError(
        error.message.replace(/^--\S+ /, '') + (error.hint ? `: ${error.hint}` : ''),
      );
    throw error;
  }
}

program.parseAsync(process.argv).catch((error: unknown) => {
  const json = process.argv.includes('--json');
  const verbose = process.argv.includes('--verbose');
  if (error instanceof CommanderError) {
    // --help and --version end this way too, with exit code 0.
    if (error.exitCode === 0) {
      process.exitCode = EXIT.OK;
      return;
    }
    // Commander printed the line already; with --json the document follows on stdout.
    if (json) createOutput({ json, stderr: nullStream() }).printError(error);
    process.exitCode = EXIT.USAGE;
    return;
  }
  process.exitCode = createOutput({ json, verbose }).printError(error);
});

function nullStream(): NodeJS.WritableStream {
  return { write: () => true } as unknown as NodeJS.WritableStream;
}
