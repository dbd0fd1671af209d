import type { Command } from 'commander';
import { type CliContext, runAction } from '../context.js';
import { usageError } from '../errors.js';

export function registerDeleteCommand(program: Command): void {
  program
    .command('delete')
    .description('Delete one of your posts.')
    .argument('<id>', 'the post id (the digits at the end of its URL)')
    .addHelpText(
      'after',
      `
A post that does not exist or was already deleted is not an error: X answers "deleted: false" and so
does xpost (exit code 0), so running it twice is safe.

Examples:
  $ xpost delete 1850000000000000000
  $ xpost delete 1850000000000000000 --json`,
    )
    .action(runAction(remove));
}

async function remove(ctx: CliContext, id: string): Promise<void> {
  // Checked here too so a URL pasted by mistake gets a usage error, not X's validation error.
  if (!/^[0-9]{1,19}$/.test(id)) {
    throw usageError(
      `"${id}" is not a post id`,
      'pass the digits at the end of the post URL, e.g. 1850000000000000000',
    );
  }
  const client = await ctx.client();
  const deleted = await client.posts.delete(id, { signal: ctx.signal });
  ctx.out.result(
    deleted ? `deleted ${id}` : `nothing to delete: ${id} does not exist or was already deleted`,
    { id, deleted },
  );
}
