import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createUploadProgress, formatOf, progressMode } from '../../src/cli/progress.js';
import type { UploadProgress } from '../../src/x/index.js';

const MiB = 1024 * 1024;

/** A stream that keeps what is written; `tty` adds what a terminal offers (cli-progress redraws with it). */
function sink(tty: boolean): Writable & { text: () => string; isTTY?: boolean } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  }) as Writable & { text: () => string; isTTY?: boolean; columns?: number } & Record<string, unknown>;
  stream.text = () => text;
  if (tty) {
    stream.isTTY = true;
    stream.columns = 120;
    stream.cursorTo = (_x: number, _y?: number, cb?: () => void) => {
      text += '\r';
      cb?.();
      return true;
    };
    stream.clearLine = (_dir: number, cb?: () => void) => {
      cb?.();
      return true;
    };
    stream.moveCursor = (_dx: number, _dy: number, cb?: () => void) => {
      cb?.();
      return true;
    };
  }
  return stream;
}

/** The events `media.upload` sends for a video of `segments` MiB, the first `resumed` already on X. */
function events(segments: number, resumed = 0): UploadProgress[] {
  const base = { mediaId: '7', totalBytes: segments * MiB, segmentsTotal: segments };
  const list: UploadProgress[] = [
    { ...base, phase: 'initialize', bytesSent: resumed * MiB, segmentsDone: resumed },
  ];
  for (let done = resumed + 1; done <= segments; done++) {
    list.push({ ...base, phase: 'append', bytesSent: done * MiB, segmentsDone: done });
  }
  const end = { ...base, bytesSent: segments * MiB, segmentsDone: segments };
  list.push({ ...end, phase: 'finalize', processingState: 'pending', processingPercent: 0 });
  list.push({ ...end, phase: 'processing', processingState: 'in_progress', processingPercent: 40 });
  list.push({ ...end, phase: 'processing', processingState: 'succeeded', processingPercent: 100 });
  list.push({ ...end, phase: 'done' });
  return list;
}

describe('upload progress', () => {
  it('draws bars on a terminal, prints plain lines elsewhere, and nothing with --json', () => {
    expect(progressMode({ json: false, stream: { isTTY: true } })).toBe('bar');
    expect(progressMode({ json: false, stream: { isTTY: false } })).toBe('plain');
    expect(progressMode({ json: true, stream: { isTTY: true } })).toBe('off');
  });

  it('prints a line per tenth of the bytes and per processing step when not a terminal', () => {
    const stream = sink(false);
    const display = createUploadProgress({ mode: 'plain', stream });
    for (const e of events(20)) display.onProgress(e);
    display.stop();
    const lines = stream.text().trim().split('\n');
    expect(lines.filter((l) => l.startsWith('uploaded'))).toHaveLength(10);
    expect(lines[0]).toBe('uploaded 2.0 of 20.0 MiB (10 %)');
    expect(lines).toContain('uploaded 20.0 of 20.0 MiB (100 %)');
    expect(lines.slice(-2)).toEqual(['processing 40 %', 'processing 100 %']);
    expect(display.done).toBe(1);
  });

  it('says a resumed upload starts part-way', () => {
    const stream = sink(false);
    const display = createUploadProgress({ mode: 'plain', stream });
    for (const e of events(4, 3)) display.onProgress(e);
    expect(stream.text().split('\n').slice(0, 2)).toEqual([
      'resuming: 3.0 of 4.0 MiB already uploaded',
      'uploaded 4.0 of 4.0 MiB (100 %)',
    ]);
  });

  it('sums the bytes of several files uploaded at once', () => {
    const stream = sink(false);
    const display = createUploadProgress({ mode: 'plain', stream });
    const a = { totalBytes: 2 * MiB, segmentsTotal: 2, segmentsDone: 0, bytesSent: 0 };
    display.onProgress({ ...a, mediaId: '1', phase: 'initialize' });
    display.onProgress({ ...a, mediaId: '2', phase: 'initialize' });
    display.onProgress({ ...a, mediaId: '1', phase: 'append', bytesSent: 2 * MiB, segmentsDone: 2 });
    expect(stream.text()).toBe('uploaded 2.0 of 4.0 MiB (50 %)\n');
  });

  it('draws an upload bar with size, rate and ETA, then a processing bar, on a terminal', () => {
    const stream = sink(true);
    let now = 0;
    const display = createUploadProgress({ mode: 'bar', stream, now: () => now });
    for (const e of events(8)) {
      now += 250;
      display.onProgress(e);
    }
    display.stop();
    const text = stream.text();
    expect(text).toMatch(/uploading +\[[^\]]+\] +\d+% \| [\d.]+ MiB of 8\.0 MiB \| [\d.]+ MiB\/s \| ETA /);
    expect(text).toMatch(/processing \[[^\]]+\] 100%/);
  });

  it('writes sizes in the unit of the whole', () => {
    expect(formatOf(12 * MiB, 48 * MiB)).toBe('12.0 of 48.0 MiB');
    expect(formatOf(512, 300 * 1024)).toBe('0.5 of 300.0 KiB');
  });
});
