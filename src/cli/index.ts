#!/usr/bin/env node
import { Command } from 'commander';
import { registerEmulatorCommand } from './commands/emulator.js';
import { readPackageVersion } from './version.js';

const program = new Command();
program
  .name('xpost')
  .description('Post to X from the shell, run a local X API emulator, or serve a posting API.')
  .version(readPackageVersion())
  .showHelpAfterError('(run with --help for usage)');

registerEmulatorCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`xpost: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
