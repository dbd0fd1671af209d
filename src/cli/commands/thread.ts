import type { Command } from 'commander';
import { splitThread, XThreadError } from '../../x/index.js';
import { type CliContext, runAction } from '../context.js';
import { CliError, describeError, usageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { knownUsername, postUrl } from '../post-url.js';
import { readFileArgument } from '../read-input.js';
import { measureText, textProblem } from '../text-limit.js';
import { deleteThreadState, readThreadState, threadStatePath, writeThreadState } from '../thread-state.js';

interface ThreadOptions {
  split?: boolean;
  number?: boolean;
}

/** Items are separated by a blank line: one holding nothing but spaces and tabs counts. */
const ITEM_SEPARATOR = /\r?\n[ \t]*\r?\n/;

export function registerThreadCommand(program: Command): void {
  program
    .command('thread')
    .description(
      'Post a thread: each post replies to the one before. Resumes where it stopped when run again.',
    )
    .argument(
      '[file]',
      'the thread, posts separated by blank lines; - reads stdin (also when left out and stdin is not a terminal)',
    )
    .option(
      '--split',
      "treat the whole input as one text and split it into posts that fit the account's limit",
    )
    .option('--number', 'end each post with its number, e.g. " 2/5"')
    .addHelpText(
      'after',
      `
Every post is checked before the first is sent. If the thread stops part-way (a refusal, a rate limit,
Ctrl-C), what was posted is saved under $XPOST_HOME and running the same command again with the same
input continues after the last post on X: nothing is posted twice.

Examples:
  $ xpost thread thread.txt
  $ xpost thread --split --number essay.txt
  $ pbpaste | xpost thread --split --json | jq -r '.posts[].url'`,
    )
    .action(runAction(thread));
}

async function thread(ctx: CliContext, arg: string | undefined, opts: ThreadOptions): Promise<void> {
  const input = await readFileArgument(arg, 'thread');
  const settings = await ctx.settings();
  const limit = settings.maxWeightedLength;
  const items = opts.split
    ? split(input, limit, opts.number === true)
    : paragraphs(input, opts.number === true);
  if (items.length === 0) throw usageError('the thread is empty', 'write the posts separated by blank lines');
  const problems = items.flatMap((item, i) => {
    const problem = textProblem(measureText(item, limit), item, `post ${i + 1} of ${items.length}`);
    return problem ? [problem.message] : [];
  });
  if (problems.length > 0) {
    throw new CliError(problems.join('; '), {
      exitCode: EXIT.VALIDATION,
      hint: opts.split ? 'shorten it' : 'shorten those posts, or let xpost cut the text with --split',
    });
  }

  const client = await ctx.client();
  const stateFile = threadStatePath(ctx.home, ctx.accountName(), ctx.apiBase, items);
  const saved = await readThreadState(stateFile, items.length);
  if (saved === 'damaged') ctx.out.warn(`${stateFile} is damaged; starting the thread from its first post`);
  const resume = typeof saved === 'object' ? saved : undefined;
  if (resume) {
    ctx.out.info(
      `resuming: ${resume.postedIds.length} of ${items.length} posts are on X already (${stateFile})`,
    );
  }

  let ids: string[];
  try {
    const result = await client.posts.thread(items, {
      signal: ctx.signal,
      ...(resume
        ? {
            resumeFrom: {
              postedIds: resume.postedIds,
              ...(resume.since ? { since: new Date(resume.since) } : {}),
            },
          }
        : {}),
    });
    ids = result.ids;
  } catch (error) {
    if (!(error instanceof XThreadError)) throw error;
    throw await stopped(ctx, error, items, stateFile, knownUsername(settings));
  }
  await deleteThreadState(stateFile);
  const start = resume?.postedIds.length ?? 0;
  const username = knownUsername(settings);
  const posts = ids.map((id, i) => ({
    id,
    url: postUrl(id, username),
    text: items[i] as string,
    resumed: i < start,
  }));
  ctx.out.result(
    posts
      .map((p, i) => `${i + 1}/${posts.length} ${p.id} ${p.url}${p.resumed ? ' (posted before)' : ''}`)
      .join('\n'),
    { ids, posts },
  );
}

/** Save how far the thread got, say what is on X and how to go on; the error to exit with. */
async function stopped(
  ctx: CliContext,
  error: XThreadError,
  items: string[],
  stateFile: string,
  username: string | undefined,
): Promise<CliError> {
  const posted = error.postedIds;
  const resumable = posted.length > 0 || error.outcomeUnknown;
  if (resumable) {
    await writeThreadState(stateFile, {
      apiBase: ctx.apiBase,
      items: items.length,
      postedIds: [...posted],
      ...(error.resumeFrom.since ? { since: error.resumeFrom.since.toISOString() } : {}),
    });
  }
  posted.forEach((id, i) => {
    ctx.out.info(`posted ${i + 1}/${items.length} ${id} ${postUrl(id, username)}`);
  });
  const interrupted = ctx.signal.aborted;
  const cause = describeError(interrupted ? ctx.signal.reason : error.cause, { account: ctx.accountName() });
  const whole = describeError(error);
  const where = `thread stopped at post ${error.failedIndex + 1} of ${items.length} after posting ${posted.length}`;
  const maybe = error.outcomeUnknown
    ? ` (post ${error.failedIndex + 1} may have been posted; the rerun checks first)`
    : '';
  const hint = resumable
    ? `run the same command again to resume; nothing already posted is sent again (progress saved in ${stateFile})`
    : 'nothing was posted; fix the cause and run the command again';
  // After Ctrl-C the run reports the interruption itself, not this error: say how to go on here.
  if (interrupted) ctx.out.info(`${where}${maybe}: interrupted; ${hint}`);
  return new CliError(`${where}${maybe}: ${cause.line}`, {
    exitCode: interrupted ? EXIT.INTERRUPTED : whole.exitCode,
    code: interrupted ? 'interrupted' : whole.code,
    hint,
    cause: error,
    details: {
      postedIds: [...posted],
      failedIndex: error.failedIndex,
      outcomeUnknown: error.outcomeUnknown,
      ...(resumable ? { resumeFile: stateFile } : {}),
    },
  });
}

function split(text: string, limit: number, number: boolean): string[] {
  try {
    return splitThread(text, { maxWeightedLength: limit, numbering: number ? 'suffix' : 'none' });
  } catch (error) {
    if (error instanceof RangeError) throw usageError(error.message);
    throw error;
  }
}

/** Posts separated by blank lines; `--number` without `--split` numbers them as written. */
function paragraphs(text: string, number: boolean): string[] {
  const items = text
    .split(ITEM_SEPARATOR)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (!number || items.length < 2) return items;
  return items.map((item, i) => `${item} ${i + 1}/${items.length}`);
}
