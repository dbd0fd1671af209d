import { type DescribeOptions, describeError } from './errors.js';
import type { ExitCode } from './exit-codes.js';

/**
 * Where a command's words go. stdout carries the result only: the human text, or with `--json`
 * exactly one JSON document (the result, or `{ "error": … }`), so `xpost … --json | jq` always
 * parses. Progress, notes and warnings go to stderr and are silent with `--json`; an error's line goes
 * to stderr (and, with `--json`, its JSON document to stdout).
 */
export interface Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** stderr is a terminal: progress bars and prompts may be drawn. */
  readonly isTTY: boolean;
  /** The command's result: `human` on stdout, or `json` as one JSON document with `--json`. */
  result(human: string, json: unknown): void;
  /** A note on stderr (the login URL, progress); silent with `--json`. */
  info(line: string): void;
  /** A warning on stderr, prefixed `warning: `; silent with `--json`. */
  warn(line: string): void;
  /** Print the error (one line; stack with `--verbose`) and return the exit code for it. */
  printError(error: unknown, options?: DescribeOptions): ExitCode;
}

export interface OutputOptions {
  json?: boolean;
  verbose?: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createOutput(options: OutputOptions = {}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const json = options.json ?? false;
  const verbose = options.verbose ?? false;
  let resultWritten = false;
  return {
    json,
    verbose,
    isTTY: Boolean(stderr.isTTY),
    result(human, value) {
      if (json) {
        // One document per run: a second result would break `| jq`.
        if (resultWritten) throw new Error('Output.result() called twice with --json');
        resultWritten = true;
        stdout.write(`${JSON.stringify(value ?? null, null, 2)}\n`);
      } else if (human !== '') {
        stdout.write(human.endsWith('\n') ? human : `${human}\n`);
      }
    },
    info(line) {
      if (!json) stderr.write(`${line}\n`);
    },
    warn(line) {
      if (!json) stderr.write(`warning: ${line}\n`);
    },
    printError(error, describe = {}) {
      const d = describeError(error, { verbose, ...describe });
      stderr.write(`xpost: ${d.line}\n`);
      if (d.stack) stderr.write(`${d.stack}\n`);
      if (json && !resultWritten) {
        resultWritten = true;
        const body = { error: { code: d.code, message: d.line, exitCode: d.exitCode, ...d.details } };
        stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      }
      return d.exitCode;
    },
  };
}
