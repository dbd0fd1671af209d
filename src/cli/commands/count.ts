import type { Command } from 'commander';
import { PREMIUM_MAX_WEIGHTED_LENGTH } from '../config.js';
import { type CliContext, runAction } from '../context.js';
import { usageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { readTextArgument } from '../read-input.js';
import { measureText, plural, textProblem } from '../text-limit.js';

interface CountOptions {
  premium?: boolean;
}

export function registerCountCommand(program: Command): void {
  program
    .command('count')
    .description("Count a post's weighted length the way X does, against the account's limit. Sends nothing.")
    .argument(
      '[text]',
      'the text, or - to read stdin (read from stdin when left out and stdin is not a terminal)',
    )
    .option('--premium', 'count against the X Premium limit (25,000) whatever the account says')
    .addHelpText(
      'after',
      `
Exit code 0 when the text fits, ${EXIT.VALIDATION} when it does not. No credentials needed; the limit is
280, or 25,000 for an account configured as X Premium.

Examples:
  $ xpost count "Hello, world 🌍"
  $ xpost count - < draft.txt
  $ xpost count --json "$(cat draft.txt)" | jq .remaining`,
    )
    .action(runAction(count));
}

async function count(ctx: CliContext, arg: string | undefined, opts: CountOptions): Promise<void> {
  const text = await readTextArgument(arg);
  if (text === undefined) {
    throw usageError(
      'no text to count',
      'pass TEXT, or - to read it from stdin (e.g. `xpost count - < draft.txt`)',
    );
  }
  const limit = opts.premium ? PREMIUM_MAX_WEIGHTED_LENGTH : (await ctx.settings()).maxWeightedLength;
  const measure = measureText(text, limit);
  const problem = textProblem(measure, text, 'the text');
  const human = problem
    ? `${problem.message}: does not fit${problem.hint ? `; ${problem.hint}` : ''}`
    : `${plural(measure.weightedLength, 'weighted character')} of ${limit.toLocaleString('en-US')}: fits (${measure.remaining.toLocaleString('en-US')} left)`;
  ctx.out.result(human, {
    weightedLength: measure.weightedLength,
    limit,
    valid: measure.valid,
    remaining: measure.remaining,
  });
  // The answer is printed either way; the exit code is what a script branches on.
  if (!measure.valid) process.exitCode = EXIT.VALIDATION;
}
