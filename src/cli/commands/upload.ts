import { basename } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  formatBytes,
  MAX_CHUNK_SIZE,
  MEDIA_CATEGORIES,
  type MediaCategory,
  MIN_CHUNK_SIZE,
} from '../../x/index.js';
import { type CliContext, runAction } from '../context.js';
import { createUploadProgress, progressMode } from '../progress.js';

const MiB = 1024 * 1024;

interface UploadOptions {
  alt?: string;
  category?: MediaCategory;
  chunkSize?: number;
}

export function registerUploadCommand(program: Command): void {
  program
    .command('upload')
    .description('Upload a file to X and print its media id, to attach later (`xpost post` uploads for you).')
    .argument('<file>', 'the image, GIF, video or subtitle file')
    .option('--alt <text>', 'alt text (at most 1000 characters)')
    .addOption(
      new Option('--category <category>', "X's media category (default: from the file's type)").choices(
        MEDIA_CATEGORIES,
      ),
    )
    .option(
      '--chunk-size <MiB>',
      `segment size in MiB, ${MIN_CHUNK_SIZE / MiB}–${MAX_CHUNK_SIZE / MiB} (default ${MAX_CHUNK_SIZE / MiB}); smaller loses less to an interruption`,
      parseChunkSize,
    )
    .addHelpText(
      'after',
      `
Interrupted (Ctrl-C, a crash, a lost connection)? Run the same command again: the upload continues
where X last acknowledged it, with the same media id. A media id must be attached to a post within
24 hours of the upload.

Examples:
  $ xpost upload clip.mp4 --alt "Our rocket lifting off"
  $ xpost upload chart.png --json | jq -r .mediaId
  $ xpost upload clip.mp4 --category amplify_video --json`,
    )
    .action(runAction(upload));
}

async function upload(ctx: CliContext, file: string, opts: UploadOptions): Promise<void> {
  const settings = await ctx.settings();
  const client = await ctx.client();
  const progress = createUploadProgress({
    mode: progressMode({ json: ctx.json, stream: process.stderr }),
    stream: process.stderr,
  });
  let media: Awaited<ReturnType<typeof client.media.upload>>;
  try {
    media = await client.media.upload(file, {
      journal: ctx.journal(),
      premium: settings.premium,
      onProgress: progress.onProgress,
      signal: ctx.signal,
      ...(opts.alt !== undefined ? { altText: opts.alt } : {}),
      ...(opts.category !== undefined ? { mediaCategory: opts.category } : {}),
      ...(opts.chunkSize !== undefined ? { chunkSize: opts.chunkSize } : {}),
    });
  } catch (error) {
    progress.stop();
    // The journal holds every segment X acknowledged: a rerun skips them.
    if (ctx.signal.aborted) ctx.out.info('upload interrupted; run the same command again to resume');
    throw error;
  }
  progress.stop();
  const expiresAt = new Date(media.expiresAt).toISOString();
  ctx.out.info(
    `uploaded ${basename(file)} (${formatBytes(media.size)}, ${media.mediaType}${media.resumed ? ', resumed' : ''}); attach it before ${expiresAt}`,
  );
  ctx.out.result(media.mediaId, {
    mediaId: media.mediaId,
    mediaKey: media.mediaKey ?? null,
    expiresAt,
    processing: media.processing ?? null,
    size: media.size,
    mediaType: media.mediaType,
    mediaCategory: media.mediaCategory,
    resumed: media.resumed,
  });
}

function parseChunkSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n * MiB < MIN_CHUNK_SIZE || n * MiB > MAX_CHUNK_SIZE) {
    throw new InvalidArgumentError(
      `must be a whole number of MiB from ${MIN_CHUNK_SIZE / MiB} to ${MAX_CHUNK_SIZE / MiB}.`,
    );
  }
  return n * MiB;
}
