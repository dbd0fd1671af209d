import { type Command, InvalidArgumentError, Option } from 'commander';
import { type CreatePostParams, REPLY_SETTINGS, type ReplySettings } from '../../x/index.js';
import { type CliContext, runAction } from '../context.js';
import { usageError } from '../errors.js';
import { knownUsername, postUrl } from '../post-url.js';
import { createUploadProgress, progressMode } from '../progress.js';
import { readTextArgument } from '../read-input.js';
import { measureText, textError, textProblem } from '../text-limit.js';

/** How long a poll runs when `--poll-minutes` is left out: one day, as X's own composer defaults. */
export const DEFAULT_POLL_MINUTES = 1440;

interface PostOptions {
  media: string[];
  alt: string[];
  replyTo?: string;
  quote?: string;
  poll: string[];
  pollMinutes?: number;
  replySettings?: ReplySettings;
}

export function registerPostCommand(program: Command): void {
  program
    .command('post')
    .description(
      'Post to X: text, up to 4 images (or 1 GIF or video) with alt text, a reply, a quote or a poll.',
    )
    .argument(
      '[text]',
      'the text, or - to read stdin (read from stdin when left out and stdin is not a terminal)',
    )
    .option('--media <file>', 'attach a file (repeat for up to 4 images)', collect, [])
    .option(
      '--alt <text>',
      'alt text for the --media of the same position (repeat in the same order)',
      collect,
      [],
    )
    .option('--reply-to <id>', 'reply to this post')
    .option('--quote <id>', 'quote this post')
    .option('--poll <option>', 'a poll option (repeat 2–4 times, each 1–25 characters)', collect, [])
    .option(
      '--poll-minutes <n>',
      `how long the poll runs, 5–10080 (default ${DEFAULT_POLL_MINUTES})`,
      parseMinutes,
    )
    .addOption(
      new Option('--reply-settings <who>', 'who may reply (default everyone)').choices(REPLY_SETTINGS),
    )
    .addHelpText(
      'after',
      `
The text is checked against the account's limit (280, or 25,000 with X Premium) before anything is
sent. Files are uploaded in chunks with progress on stderr; an upload cut short (Ctrl-C, a crash)
resumes when the same command is run again.

Examples:
  $ xpost post "Hello from xpost"
  $ echo "Hello from a pipe" | xpost post
  $ xpost post "Launch day" --media clip.mp4 --alt "Our rocket lifting off"
  $ xpost post "Which one?" --poll Tea --poll Coffee --poll-minutes 60
  $ xpost post "Agreed" --reply-to 1850000000000000000 --json | jq -r .url`,
    )
    .action(runAction(post));
}

async function post(ctx: CliContext, arg: string | undefined, opts: PostOptions): Promise<void> {
  const read = await readTextArgument(arg);
  const text = read === undefined || read === '' ? undefined : read;
  if (text === undefined && opts.media.length === 0) {
    throw usageError('nothing to post', 'pass TEXT, - to read stdin, or --media FILE');
  }
  if (opts.alt.length > opts.media.length) {
    throw usageError(
      `${opts.alt.length} --alt for ${opts.media.length} --media`,
      'each --alt describes the --media at the same position: give no more --alt than --media',
    );
  }
  if (opts.pollMinutes !== undefined && opts.poll.length === 0) {
    throw usageError('--poll-minutes needs a poll', 'add the options with --poll (2–4 times)');
  }
  const settings = await ctx.settings();
  if (text !== undefined) {
    const problem = textProblem(measureText(text, settings.maxWeightedLength), text);
    if (problem) throw textError(problem);
  }

  const params: CreatePostParams = {
    ...(text !== undefined ? { text } : {}),
    ...(opts.media.length > 0
      ? {
          media: opts.media.map((path, i) => ({
            path,
            ...(opts.alt[i] !== undefined ? { alt: opts.alt[i] } : {}),
          })),
        }
      : {}),
    ...(opts.replyTo !== undefined ? { reply: { inReplyTo: opts.replyTo } } : {}),
    ...(opts.quote !== undefined ? { quote: opts.quote } : {}),
    ...(opts.poll.length > 0
      ? { poll: { options: opts.poll, durationMinutes: opts.pollMinutes ?? DEFAULT_POLL_MINUTES } }
      : {}),
    ...(opts.replySettings !== undefined ? { replySettings: opts.replySettings } : {}),
  };

  const client = await ctx.client();
  const progress = createUploadProgress({
    mode: progressMode({ json: ctx.json, stream: process.stderr }),
    stream: process.stderr,
  });
  let created: Awaited<ReturnType<typeof client.posts.create>>;
  try {
    created = await client.posts.create(params, {
      signal: ctx.signal,
      mediaUpload: { journal: ctx.journal(), onProgress: progress.onProgress, premium: settings.premium },
    });
  } catch (error) {
    progress.stop();
    if (ctx.signal.aborted) {
      // Until every file is up, the post has not been sent; after that it may have been.
      ctx.out.info(
        progress.done < opts.media.length
          ? 'upload interrupted, nothing was posted; run the same command again to resume the upload'
          : 'interrupted while posting: the post may have been created; check the account before running the command again',
      );
    }
    throw error;
  }
  progress.stop();
  const url = postUrl(created.id, knownUsername(settings));
  ctx.out.result(`posted ${created.id} ${url}`, { id: created.id, url, text: created.text });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseMinutes(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 5 || n > 10_080) {
    throw new InvalidArgumentError('must be a whole number of minutes from 5 to 10080 (7 days).');
  }
  return n;
}
