import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from '../../../src/emulator/index.js';
import { FileTokenStore } from '../../../src/x/auth/file-token-store.js';

/**
 * The proof behind "tokens never get lost" (DESIGN; REFERENCE §1.4): CHILDREN OS processes share one
 * file token store and post while access tokens expire again and again. Refresh tokens are single
 * use, so if two processes ever presented the same one X would answer 400 and the account would be
 * lost. The emulator runs SCALE times faster than real time, so the expiries fit in a couple of
 * seconds with no sleeping; the children read the same scaled clock.
 *
 * Real-time budget at SCALE 600: a token lives 250 ms, is refreshed 150 ms before it expires (so a
 * request has 150 ms in flight before its token can lapse), and is rotated every ~100 ms. The run
 * ends after ROTATIONS refreshes, however busy the machine is.
 */
const CHILDREN = 4;
const SCALE = 600;
const TTL_SECS = 150;
const SKEW_MS = 90_000;
const ROTATIONS = 15;
const RUN_LIMIT_MS = 20_000; // real: give up waiting for the rotations after this
const KEY = 'default';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const childScript = join(root, 'test/fixtures/auth/refresh-child.mjs');
const distDir = join(root, 'dist');

interface ChildReport {
  child: number;
  sent: number;
  posts: number;
  reads: number;
  failures: { endpoint: string; name: string; code?: string; status?: number; message: string }[];
}

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

let emu: EmulatorHandle;
let dir: string;
const children: Child[] = [];

beforeAll(async () => {
  if (!existsSync(join(distDir, 'x/auth/index.js'))) {
    throw new Error(`${distDir} has no built SDK: build first (npm run build)`);
  }
  emu = await startEmulator({
    clock: { scale: SCALE },
    oauth: { accessTokenTtlSecs: TTL_SECS },
    // Over a thousand requests in a few seconds: rate limits are another test's business.
    rateLimits: { endpoints: { 'GET /2/users/me': [], 'POST /2/tweets': [] } },
  });
  dir = await mkdtemp(join(tmpdir(), 'xpost-multi-process-'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill();
  await emu?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Start a child; resolves once it has printed `ready`, with a promise of its final report. */
function startChild(
  config: Record<string, unknown>,
): Promise<{ child: Child; report: Promise<ChildReport> }> {
  return new Promise((resolveReady, rejectReady) => {
    const child = spawn(process.execPath, [childScript, JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    let ready = false;
    const report = new Promise<ChildReport>((resolve, reject) => {
      child.on('close', (code) => {
        if (code !== 0) reject(new Error(`child ${String(config.child)} exited with ${code}: ${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildReport);
      });
    });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!ready && stdout.startsWith('ready\n')) {
        ready = true;
        resolveReady({ child, report });
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', rejectReady);
    report.catch(rejectReady);
  });
}

describe('refresh across processes sharing one file store', () => {
  it(`${CHILDREN} processes post through ${ROTATIONS} rotations without presenting a refresh token twice`, async () => {
    const store = new FileTokenStore({ dir });
    // A login's pair with the short lifetime; tokens minted before it (the fixtures') are not the chain.
    const before = new Set(emu.store.refreshTokens.keys());
    const login = emu.issueToken({ scopes: emu.user.scopes, ttlSecs: TTL_SECS });
    await store.set(KEY, {
      accessToken: login.access_token,
      refreshToken: login.refresh_token!,
      expiresAt: emu.store.accessTokens.get(login.access_token)!.expiresAt,
      scopes: login.scope.split(' '),
      tokenType: 'bearer',
    });
    const config = {
      apiBase: emu.url,
      dist: pathToFileURL(distDir).href,
      dir,
      key: KEY,
      clientId: emu.app.clientId,
      clientSecret: emu.app.clientSecret,
      emulatedRef: emu.clock.now(),
      realRef: Date.now(),
      scale: SCALE,
      skewMs: SKEW_MS,
    };
    const started = await Promise.all(
      Array.from({ length: CHILDREN }, (_, child) => startChild({ ...config, child })),
    );
    // Everyone is loaded: go, and stop once X has rotated the pair ROTATIONS times.
    for (const { child } of started) child.stdin.write('go\n');
    const deadline = Date.now() + RUN_LIMIT_MS;
    while (emu.requests('POST /2/oauth2/token').length < ROTATIONS && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const { child } of started) child.stdin.end('stop\n');
    const reports = await Promise.all(started.map((s) => s.report));

    // Not one request failed, for auth or anything else.
    for (const report of reports) expect(report.failures, `child ${report.child}`).toEqual([]);
    const sent = reports.reduce((n, r) => n + r.sent, 0);
    expect(sent).toBeGreaterThanOrEqual(CHILDREN * 20);

    // Every refresh X saw was accepted: a refresh token presented a second time would be a 400.
    const grants = emu.requests('POST /2/oauth2/token');
    expect(grants.filter((g) => g.status !== 200)).toEqual([]);
    expect(grants.length).toBeGreaterThanOrEqual(ROTATIONS);

    // The refresh tokens form one chain: each spent exactly once, one left active...
    const chain = [...emu.store.refreshTokens.values()].filter((t) => !before.has(t.token));
    expect(chain.filter((t) => t.status === 'used')).toHaveLength(grants.length);
    expect(chain.filter((t) => t.status === 'revoked')).toEqual([]);
    const active = chain.filter((t) => t.status === 'active');
    expect(active).toHaveLength(1);
    // ...and it is the one in the store: the account is still logged in.
    expect((await store.get(KEY))!.refreshToken).toBe(active[0]!.token);

    // A 401 (a token lapsing in flight) is allowed only when the resend after it succeeded.
    const userRequests = [...emu.requests('GET /2/users/me'), ...emu.requests('POST /2/tweets')];
    expect(userRequests.filter((r) => r.status === 200 || r.status === 201)).toHaveLength(sent);
    expect(userRequests.filter((r) => r.status !== 200 && r.status !== 201 && r.status !== 401)).toEqual([]);
  }, 30_000);
});
