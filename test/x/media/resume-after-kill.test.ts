import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EmulatorHandle, type RequestLogEntry, startEmulator } from '../../../src/emulator/index.js';
import { JOURNAL_PERSIST_EVERY_SEGMENTS } from '../../../src/x/media/journal-session.js';
import type { UploadJournalEntry } from '../../../src/x/media/types.js';

/**
 * The proof behind "an upload killed mid-way continues where it stopped" (issue 4): a separate OS
 * process uploads a 24 MiB video in 1 MiB segments, two at a time, with a file journal, and is
 * SIGKILLed after some segments were acknowledged (APPEND is slowed so the kill lands mid-upload;
 * the parent waits on the child's output, never on a timer). A second process then uploads the same
 * file with the same journal. The emulator's request log shows what each run sent.
 */
const MiB = 1024 * 1024;
const SEGMENTS = 24;
const CHUNK_SIZE = MiB;
const CONCURRENCY = 2;
// The uploader writes its journal every JOURNAL_PERSIST_EVERY_SEGMENTS acknowledged segments (8):
// killing after a few more than that proves a resume skips segments, not only that it can start over.
const KILL_AFTER = JOURNAL_PERSIST_EVERY_SEGMENTS + 2; // acknowledged segments
const APPEND_LATENCY_MS = 150; // real time: ~1.8 s for the whole file; the kill comes at ~0.75 s
const TOKEN_TTL_SECS = 60 * 86_400; // outlives the clock jump past a media id's ~15-day expiry
const INITIALIZE_EXPIRY_SECS = 1_295_999; // the emulator's default (REFERENCE §4.1)

const APPEND = 'POST /2/media/upload/:id/append';
const INITIALIZE = 'POST /2/media/upload/initialize';
const FINALIZE = 'POST /2/media/upload/:id/finalize';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const childScript = join(root, 'test/fixtures/media/upload-child.mjs');
const distDir = join(root, 'dist');

interface ChildLine {
  event: 'segment' | 'done' | 'error' | 'warning';
  segmentsDone?: number;
  mediaId?: string;
  resumed?: boolean;
  name?: string;
  message?: string;
}

interface ChildRun {
  lines: ChildLine[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

let emu: EmulatorHandle;
let work: string;
let videoPath: string;
let videoSha256: string;
let journalDir: string;
let token: string;
const running = new Set<ReturnType<typeof spawn>>();

beforeAll(async () => {
  if (!existsSync(join(distDir, 'x/media/journal/index.js'))) {
    throw new Error(`${distDir} has no built SDK: build first (npm run build)`);
  }
  // Processing that ends at once: this test is about the upload, not the STATUS polling after it.
  emu = await startEmulator({ media: { processingMs: { video: 0 } } });
  work = await mkdtemp(join(tmpdir(), 'xpost-resume-'));
  // An MP4 header (`ftypisom` at offset 4) for the magic-number check, then random bytes.
  const bytes = randomBytes(SEGMENTS * MiB);
  bytes.writeUInt32BE(0x18, 0);
  bytes.write('ftypisom', 4, 'latin1');
  videoPath = join(work, 'launch.mp4');
  await writeFile(videoPath, bytes);
  videoSha256 = createHash('sha256').update(bytes).digest('hex');
});

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await emu?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

beforeEach(async () => {
  emu.reset({ faults: true, clock: true });
  token = emu.issueToken({ ttlSecs: TOKEN_TTL_SECS }).access_token;
  journalDir = await mkdtemp(join(work, 'journal-'));
});

/**
 * Run the child to its end, or SIGKILL it once it has printed `killAfter` acknowledged segments.
 * `emulatedClock`: the child reads the emulator's clock (as it is when the child starts).
 */
function runChild(options: { killAfter?: number; emulatedClock?: boolean } = {}): Promise<ChildRun> {
  const config = {
    dist: distDir,
    apiBase: emu.url,
    token,
    path: videoPath,
    journalDir,
    chunkSize: CHUNK_SIZE,
    concurrency: CONCURRENCY,
    clockOffsetMs: options.emulatedClock ? emu.clock.now() - Date.now() : 0,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    const lines: ChildLine[] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = JSON.parse(buffered.slice(0, nl)) as ChildLine;
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        const { killAfter } = options;
        if (killAfter !== undefined && line.event === 'segment' && (line.segmentsDone ?? 0) >= killAfter) {
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ lines, code, signal, stderr });
    });
  });
}

/** The journal's one entry, as the killed run left it on disk. */
async function journalOnDisk(): Promise<UploadJournalEntry> {
  const files = (await readdir(journalDir)).filter((name) => name.endsWith('.json'));
  expect(files).toHaveLength(1);
  const file = JSON.parse(await readFile(join(journalDir, files[0] as string), 'utf8'));
  return file.entry as UploadJournalEntry;
}

/** Upload until killed after KILL_AFTER acknowledged segments; what the journal then holds. */
async function uploadThenKill(options: { emulatedClock?: boolean } = {}) {
  emu.faults.add({ endpoint: APPEND, kind: 'latency', latencyMs: APPEND_LATENCY_MS });
  const run = await runChild({ killAfter: KILL_AFTER, ...options });
  emu.faults.clear();
  expect(run.signal, `the child was not killed mid-upload: ${JSON.stringify(run.lines)} ${run.stderr}`).toBe(
    'SIGKILL',
  );
  expect(run.lines.some((line) => line.event === 'done')).toBe(false);
  const acknowledged = Math.max(...run.lines.map((line) => line.segmentsDone ?? 0));
  const entry = await journalOnDisk();
  // Writes are batched: at most one batch of acknowledged segments is missing from the journal.
  expect(entry.segmentsDone.length).toBeGreaterThanOrEqual(JOURNAL_PERSIST_EVERY_SEGMENTS);
  expect(acknowledged - entry.segmentsDone.length).toBeLessThanOrEqual(JOURNAL_PERSIST_EVERY_SEGMENTS);
  expect(entry.segmentsDone.length).toBeLessThan(SEGMENTS);
  expect(entry.chunkSize).toBe(CHUNK_SIZE);
  expect(entry.totalBytes).toBe(SEGMENTS * MiB);
  expect(entry.finalized ?? false).toBe(false);
  // The journal records only what X acknowledged.
  const acked = okAppends(emu.requests(APPEND)).filter((r) => r.meta?.mediaId === entry.mediaId);
  const ackedIndexes = new Set(acked.map((r) => r.meta?.segmentIndex));
  for (const index of entry.segmentsDone) expect(ackedIndexes.has(index)).toBe(true);
  return { entry, lastSeq: lastSeq() };
}

function okAppends(entries: RequestLogEntry[]): RequestLogEntry[] {
  return entries.filter((r) => r.status === 200 && r.outcome === 'ok');
}

function lastSeq(): number {
  return emu.requests().reduce((max, r) => Math.max(max, r.seq), 0);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function doneLine(run: ChildRun): ChildLine {
  const done = run.lines.find((line) => line.event === 'done');
  expect(
    done,
    `the rerun did not finish: ${JSON.stringify(run.lines.slice(-3))} ${run.stderr}`,
  ).toBeDefined();
  expect(run.code).toBe(0);
  return done as ChildLine;
}

describe('media.upload() resumes after its process is killed', () => {
  it('continues the same media id from the first missing segment, resending nothing acknowledged', async () => {
    const { entry, lastSeq: killedAt } = await uploadThenKill();

    const rerun = await runChild();
    expect(doneLine(rerun)).toMatchObject({ mediaId: entry.mediaId, resumed: true });
    expect(emu.requestCounts()[INITIALIZE]).toBe(1);
    expect(emu.requestCounts()[FINALIZE]).toBe(1);

    const second = emu.requests(APPEND).filter((r) => r.seq > killedAt);
    expect(second.every((r) => r.meta?.mediaId === entry.mediaId)).toBe(true);
    expect(second.every((r) => r.status === 200)).toBe(true);
    const done = new Set(entry.segmentsDone);
    const missing = range(SEGMENTS).filter((i) => !done.has(i));
    const sent = second.map((r) => r.meta?.segmentIndex as number);
    // Exactly the missing segments, each once, starting from the first missing one.
    expect([...sent].sort((a, b) => a - b)).toEqual(missing);
    expect(Math.min(...sent)).toBe(missing[0]);

    expect(emu.store.media.get(entry.mediaId)?.sha256).toBe(videoSha256);
    // Done: the journal forgets the upload.
    expect((await readdir(journalDir)).filter((name) => name.endsWith('.json'))).toEqual([]);
  });

  it.each([
    ['the uploader sees it from its journal', true],
    ['only X knows (the uploader clock lags behind)', false],
  ])('starts over with a new media id once the old one expired: %s', async (_how, emulatedClock) => {
    const { entry, lastSeq: killedAt } = await uploadThenKill({ emulatedClock });
    emu.clock.advance((INITIALIZE_EXPIRY_SECS + 60) * 1000);

    const rerun = await runChild({ emulatedClock });
    const done = doneLine(rerun);
    expect(done.resumed).toBe(false);
    const mediaId = done.mediaId as string;
    expect(mediaId).not.toBe(entry.mediaId);
    expect(emu.requestCounts()[INITIALIZE]).toBe(2);

    const second = emu.requests(APPEND).filter((r) => r.seq > killedAt);
    // Nothing more reached the old id; the new one got every segment once.
    const toOldId = second.filter((r) => r.url === `/2/media/upload/${entry.mediaId}/append`);
    expect(toOldId.every((r) => r.status === 400)).toBe(true);
    // With the emulated clock the uploader knew from its journal and did not try the old id; without
    // it, X's 400 (`Invalid media_id`) told it to start over.
    if (emulatedClock) expect(toOldId).toEqual([]);
    else expect(toOldId.length).toBeGreaterThan(0);
    const sent = okAppends(second)
      .filter((r) => r.meta?.mediaId === mediaId)
      .map((r) => r.meta?.segmentIndex as number);
    expect([...sent].sort((a, b) => a - b)).toEqual(range(SEGMENTS));

    expect(emu.store.media.get(mediaId)?.sha256).toBe(videoSha256);
    expect((await readdir(journalDir)).filter((name) => name.endsWith('.json'))).toEqual([]);
  });
});
