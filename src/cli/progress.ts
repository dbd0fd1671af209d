import cliProgress from 'cli-progress';
import type { UploadProgress } from '../x/index.js';

/**
 * How upload progress is shown, on stderr only (stdout carries the result):
 * - `bar`: stderr is a terminal: a bar for the bytes X acknowledged, with rate and ETA, then one for
 *   X's processing percent (videos, GIFs);
 * - `plain`: stderr is a pipe or a file (CI logs): one line per tenth of the bytes and per processing step;
 * - `off`: `--json` (a script reads stdout and wants nothing else from us) or `--quiet`-like callers.
 */
export type ProgressMode = 'bar' | 'plain' | 'off';

/** Plain mode writes a line each time the upload crosses another tenth of the bytes. */
export const PLAIN_STEP_PERCENT = 10;
/** Redraws per second of the terminal bar. */
const BAR_FPS = 8;

export function progressMode(options: { json: boolean; stream: { isTTY?: boolean } }): ProgressMode {
  if (options.json) return 'off';
  return options.stream.isTTY ? 'bar' : 'plain';
}

export interface UploadProgressDisplay {
  /** Pass as `onProgress` (of `media.upload`, or `posts.create`'s `mediaUpload`). */
  onProgress: (event: UploadProgress) => void;
  /** Media ids that reported `done`. */
  readonly done: number;
  /** Remove the bar (idempotent); call on success and failure alike. */
  stop: () => void;
}

export interface UploadProgressOptions {
  mode: ProgressMode;
  /** Where it draws or writes: stderr. */
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  /** Epoch ms, for the rate. */
  now?: () => number;
}

interface Upload {
  total: number;
  sent: number;
  /** Bytes already acknowledged when this run started (a resumed upload): not part of the rate. */
  resumedBytes: number;
  processingPercent?: number;
  done: boolean;
}

/**
 * One display for every upload of a command: several images of one post are uploaded in parallel, so
 * the bytes are summed over the media ids reporting (each event carries its `mediaId`).
 */
export function createUploadProgress(options: UploadProgressOptions): UploadProgressDisplay {
  const { mode, stream } = options;
  const now = options.now ?? Date.now;
  const uploads = new Map<string, Upload>();
  const startedAt = now();
  let lastStep = -1;
  let lastProcessing: number | undefined;
  let uploadBar: cliProgress.SingleBar | undefined;
  let processingBar: cliProgress.SingleBar | undefined;
  let done = 0;

  const totals = () => {
    let total = 0;
    let sent = 0;
    let resumed = 0;
    for (const u of uploads.values()) {
      total += u.total;
      sent += u.sent;
      resumed += u.resumedBytes;
    }
    return { total, sent, resumed };
  };
  const write = (line: string) => stream.write(`${line}\n`);
  const rate = (sent: number, resumed: number): string => {
    const seconds = (now() - startedAt) / 1000;
    return seconds > 0 ? `${formatSize(Math.max(0, sent - resumed) / seconds)}/s` : '';
  };

  const showBytes = (first: boolean) => {
    const { total, sent, resumed } = totals();
    if (mode === 'plain') {
      const percent = total > 0 ? Math.floor((sent * 100) / total) : 0;
      const step = Math.floor(percent / PLAIN_STEP_PERCENT);
      if (first) {
        // A resumed upload starts part-way: say so once, then count on from there.
        if (sent > 0) write(`resuming: ${formatOf(sent, total)} already uploaded`);
        lastStep = Math.max(lastStep, step);
      } else if (step > lastStep) {
        lastStep = step;
        write(`uploaded ${formatOf(sent, total)} (${percent} %)`);
      }
      return;
    }
    if (mode !== 'bar') return;
    const payload = { sent: formatSize(sent), size: formatSize(total), rate: rate(sent, resumed) };
    if (!uploadBar) {
      uploadBar = new cliProgress.SingleBar(
        {
          stream,
          fps: BAR_FPS,
          hideCursor: true,
          format: 'uploading  [{bar}] {percentage}% | {sent} of {size} | {rate} | ETA {eta_formatted}',
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      uploadBar.start(total, sent, payload);
    } else {
      uploadBar.setTotal(total);
      uploadBar.update(sent, payload);
    }
  };

  const showProcessing = (percent: number) => {
    if (percent === lastProcessing) return;
    lastProcessing = percent;
    if (mode === 'plain') write(`processing ${percent} %`);
    if (mode !== 'bar') return;
    uploadBar?.stop();
    if (!processingBar) {
      processingBar = new cliProgress.SingleBar(
        { stream, fps: BAR_FPS, hideCursor: true, format: 'processing [{bar}] {percentage}%' },
        cliProgress.Presets.shades_classic,
      );
      processingBar.start(100, percent);
    } else processingBar.update(percent);
  };

  const onProgress = (event: UploadProgress) => {
    if (mode === 'off') {
      if (event.phase === 'done') done++;
      return;
    }
    const id = event.mediaId ?? '';
    let upload = uploads.get(id);
    const first = upload === undefined;
    if (!upload) {
      upload = { total: event.totalBytes, sent: event.bytesSent, resumedBytes: event.bytesSent, done: false };
      uploads.set(id, upload);
    }
    upload.total = event.totalBytes;
    upload.sent = event.bytesSent;
    if (first || event.phase === 'append') showBytes(first);
    if (event.phase === 'processing' && event.processingPercent !== undefined) {
      upload.processingPercent = event.processingPercent;
      showProcessing(event.processingPercent);
    }
    if (event.phase === 'done' && !upload.done) {
      upload.done = true;
      done++;
    }
  };

  return {
    onProgress,
    get done() {
      return done;
    },
    stop: () => {
      uploadBar?.stop();
      processingBar?.stop();
    },
  };
}

/** `12.0 of 48.0 MiB`: both figures in the unit of the larger. */
export function formatOf(part: number, whole: number): string {
  const [unit, name] = unitFor(whole);
  return `${(part / unit).toFixed(1)} of ${(whole / unit).toFixed(1)} ${name}`;
}

/** `12.0 MiB`, `512.0 KiB`, `37 B`. */
export function formatSize(bytes: number): string {
  const [unit, name] = unitFor(bytes);
  return unit === 1 ? `${Math.round(bytes)} B` : `${(bytes / unit).toFixed(1)} ${name}`;
}

function unitFor(bytes: number): [number, string] {
  if (bytes >= 1024 ** 3) return [1024 ** 3, 'GiB'];
  if (bytes >= 1024 ** 2) return [1024 ** 2, 'MiB'];
  if (bytes >= 1024) return [1024, 'KiB'];
  return [1, 'B'];
}
