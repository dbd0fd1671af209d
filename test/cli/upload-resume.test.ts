import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { JOURNAL_PERSIST_EVERY_SEGMENTS } from '../../src/x/media/journal-session.js';
import type { UploadJournalEntry } from '../../src/x/media/types.js';
import { type CliProcess, type Home, json, makeHome } from '../fixtures/cli/posting.js';
import { useEmulator } from '../helpers/emulator.js';
import { sha256 } from '../helpers/media.js';

/**
 * `xpost upload` cut short (SIGKILL, or Ctrl-C) continues on the next run of the same command: the
 * same media id, and no segment sent again that the journal under $XPOST_HOME recorded. APPEND is
 * slowed so the interruption lands mid-upload; the test waits on the journal file, never on a timer.
 */
const MiB = 1024 * 1024;
const SEGMENTS = 16;
const APPEND_LATENCY_MS = 300; // 4 APPENDs in flight: ~1.2 s for the file; the journal has 8 at ~0.6 s
const APPEND = 'POST /2/media/upload/:id/append';
const INITIALIZE = 'POST /2/media/upload/initialize';

const emulator = useEmulator({ media: { processingMs: { video: 0 } } });

let files: string;
let video: string;
let videoBytes: Buffer;
let home: Home;
const running = new Set<CliProcess>();

beforeAll(async () => {
  files = await mkdtemp(join(tmpdir(), 'xpost-upload-resume-'));
  videoBytes = randomBytes(SEGMENTS * MiB);
  videoBytes.writeUInt32BE(0x18, 0);
  videoBytes.write('ftypisom', 4, 'latin1');
  video = join(files, 'launch.mp4');
  await writeFile(video, videoBytes);
});

afterAll(async () => {
  for (const p of running) p.child.kill('SIGKILL');
  await rm(files, { recursive: true, force: true });
});

beforeEach(async () => {
  home = await makeHome(emulator());
});

afterEach(async () => {
  await home.remove();
});

const uploadArgs = () => ['upload', video, '--chunk-size', '1'];

/** The one journal entry under the home, if written yet. */
async function journalEntry(): Promise<UploadJournalEntry | undefined> {
  const dir = join(home.dir, 'accounts', 'default', 'uploads');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
  if (names.length === 0) return undefined;
  expect(names).toHaveLength(1);
  try {
    return (
      JSON.parse(await readFile(join(dir, names[0] as string), 'utf8')) as { entry: UploadJournalEntry }
    ).entry;
  } catch {
    return undefined; // caught between the atomic write's steps: look again
  }
}

/** Resolve once the journal holds at least `segments` acknowledged segments. */
async function journalReaches(segments: number, upload: CliProcess): Promise<UploadJournalEntry> {
  const started = Date.now();
  for (;;) {
    const entry = await journalEntry();
    if (entry && entry.segmentsDone.length >= segments) return entry;
    if (upload.child.exitCode !== null) throw new Error(`upload ended first:\n${upload.stderr()}`);
    if (Date.now() - started > 10_000)
      throw new Error(`the journal never reached ${segments}:\n${upload.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function startSlowUpload(): CliProcess {
  emulator().faults.add({ endpoint: APPEND, kind: 'latency', latencyMs: APPEND_LATENCY_MS });
  const upload = home.spawn(uploadArgs());
  running.add(upload);
  void upload.exited.then(() => running.delete(upload));
  return upload;
}

function lastSeq(): number {
  return emulator()
    .requests()
    .reduce((max, r) => Math.max(max, r.seq), 0);
}

/** Rerun to the end; check it resumed `before`'s media id and sent no segment the journal held. */
async function rerunResumes(before: UploadJournalEntry, since: number): Promise<void> {
  emulator().faults.clear();
  const rerun = await home.run([...uploadArgs(), '--json']);
  expect(rerun.code, rerun.stderr).toBe(0);
  const out = json<{ mediaId: string; resumed: boolean }>(rerun);
  expect(out).toMatchObject({ mediaId: before.mediaId, resumed: true });
  expect(emulator().requestCounts()[INITIALIZE]).toBe(1);
  const resent = emulator()
    .requests(APPEND)
    .filter((r) => r.seq > since)
    .map((r) => r.meta?.segmentIndex as number);
  const held = new Set(before.segmentsDone);
  expect(resent.filter((i) => held.has(i))).toEqual([]);
  expect(new Set([...held, ...resent]).size).toBe(SEGMENTS);
  expect(emulator().store.media.get(before.mediaId)?.sha256).toBe(sha256(videoBytes));
  expect(await journalEntry()).toBeUndefined();
}

describe('xpost upload resumes what was cut short', () => {
  it('after the process is killed: same media id, nothing resent that the journal held', async () => {
    const upload = startSlowUpload();
    await journalReaches(JOURNAL_PERSIST_EVERY_SEGMENTS, upload);
    upload.child.kill('SIGKILL');
    const killed = await upload.exited;
    expect(killed.signal).toBe('SIGKILL');
    const since = lastSeq();
    const before = (await journalEntry()) as UploadJournalEntry;
    expect(before.segmentsDone.length).toBeLessThan(SEGMENTS);

    await rerunResumes(before, since);
  });

  it('after Ctrl-C: stops cleanly with exit code 130 and a message, and the rerun resumes', async () => {
    const upload = startSlowUpload();
    await journalReaches(JOURNAL_PERSIST_EVERY_SEGMENTS, upload);
    upload.child.kill('SIGINT');
    const interrupted = await upload.exited;
    expect(interrupted.code).toBe(EXIT.INTERRUPTED);
    expect(interrupted.stderr).toContain('upload interrupted; run the same command again to resume');
    expect(interrupted.stderr).not.toMatch(/\n\s+at /);
    expect(interrupted.stdout).toBe('');
    const since = lastSeq();
    // On the way out the journal got every segment X had acknowledged.
    const before = (await journalEntry()) as UploadJournalEntry;
    const acked = emulator()
      .requests(APPEND)
      .filter((r) => r.status === 200 && r.meta?.mediaId === before.mediaId);
    expect(before.segmentsDone.length).toBeGreaterThanOrEqual(JOURNAL_PERSIST_EVERY_SEGMENTS);
    expect(before.segmentsDone.length).toBeLessThanOrEqual(acked.length);

    await rerunResumes(before, since);
  });
});
