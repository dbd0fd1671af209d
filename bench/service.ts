/**
 * The posting service's figures (issue 6, "Benchmark"):
 * 1. `POST /api/posts`: accepted posts per second and p50/p99 latency, on the embedded PGlite and on a
 *    PostgreSQL server (XPOST_BENCH_DATABASE_URL or XPOST_TEST_DATABASE_URL; skipped without one),
 *    through a real listening server, 16 requests in flight.
 * 2. Publishing against X's rate limits: two accounts, a backlog larger than the limits allow, the
 *    emulator enforcing a window per user; posts published within four windows as a fraction of what
 *    the limits allow (target above 0.95), and the 429s X had to send (target 0).
 * 3. Scheduled posts: how late each reached X after its `scheduled_at` (target p99 under 1 s).
 * No peer is named for these: the commercial services publish no such figures, and the open-source
 * tools have no service to compare.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type EmulatorHandle, startEmulator } from '../src/emulator/index.js';
import { saveOAuth2Account } from '../src/service/accounts/save-account.js';
import { createApiKey } from '../src/service/auth/api-keys.js';
import { loadServiceConfig } from '../src/service/config.js';
import { SecretBox } from '../src/service/crypto/secret-box.js';
import { type RunningService, startService } from '../src/service/server.js';
import { apiKeys } from '../src/service/store/sql.js';
import { printTable } from './table.js';

const SERVER_URL = process.env.XPOST_BENCH_DATABASE_URL || process.env.XPOST_TEST_DATABASE_URL || undefined;

interface Setup {
  service: RunningService;
  key: string;
  accounts: string[];
  cleanup: () => Promise<void>;
}

/** A service on its own data folder (and its own database on the server), X = the emulator. */
async function setUp(options: {
  backend: 'pglite' | 'postgres';
  emulator: EmulatorHandle;
  worker: boolean;
  users?: EmulatorHandle['user'][];
}): Promise<Setup> {
  const home = await mkdtemp(join(tmpdir(), 'xpost-bench-'));
  const secret = randomBytes(32);
  const env: NodeJS.ProcessEnv = {
    XPOST_HOME: home,
    PORT: '0',
    XPOST_SECRET_KEY: secret.toString('base64'),
    XPOST_CLIENT_ID: options.emulator.app.clientId,
    XPOST_CLIENT_SECRET: options.emulator.app.clientSecret ?? '',
    XPOST_API_BASE: options.emulator.url,
    XPOST_WORKER_CONCURRENCY: '8',
  };
  let dropDatabase = async () => {};
  if (options.backend === 'postgres') {
    const name = `xpost_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(SERVER_URL!);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    dropDatabase = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  const service = await startService({
    config: loadServiceConfig(env),
    logger: false,
    handleSignals: false,
    worker: options.worker,
  });
  const created = createApiKey();
  await service.db.query(apiKeys.insert({ name: 'bench', ...created }));
  const box = new SecretBox(secret);
  const accounts: string[] = [];
  for (const user of options.users ?? [options.emulator.user]) {
    const row = await saveOAuth2Account(service.db, box, {
      user: { id: user.id, username: user.username },
      tokens: {
        accessToken: user.accessToken,
        refreshToken: user.refreshToken,
        expiresAt: Date.now() + 2 * 3600_000,
        scopes: [...user.scopes],
        tokenType: 'bearer',
      },
    });
    accounts.push(row.id);
  }
  return {
    service,
    key: created.key,
    accounts,
    cleanup: async () => {
      await service.close();
      await dropDatabase();
      await rm(home, { recursive: true, force: true });
    },
  };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function post(setup: Setup, body: unknown): Promise<Response> {
  return fetch(`${setup.service.url}/api/posts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${setup.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function acceptThroughput(backend: 'pglite' | 'postgres', emulator: EmulatorHandle): Promise<string[]> {
  const setup = await setUp({ backend, emulator, worker: false });
  try {
    const total = 2000;
    const warmup = 200;
    const inFlight = 16;
    let next = 0;
    const latencies: number[] = [];
    let failures = 0;
    let started = 0;
    const runOne = async (n: number) => {
      const t = performance.now();
      const res = await post(setup, {
        post: { body: `bench post ${n} ${randomBytes(4).toString('hex')}` },
        accounts: setup.accounts,
      });
      await res.arrayBuffer();
      if (res.status !== 201) failures++;
      if (n >= warmup) latencies.push(performance.now() - t);
    };
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (;;) {
          const n = next++;
          if (n >= total) return;
          if (n === warmup) started = performance.now();
          await runOne(n);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return [
      backend === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL 15 (server)',
      String(total - warmup),
      String(inFlight),
      ((total - warmup) / seconds).toFixed(0),
      percentile(latencies, 50).toFixed(1),
      percentile(latencies, 99).toFixed(1),
      String(failures),
    ];
  } finally {
    await setup.cleanup();
  }
}

async function publishRate(backend: 'pglite' | 'postgres'): Promise<string[]> {
  const windowSecs = 15;
  const limit = 30;
  const windows = 4;
  const emulator = await startEmulator({
    rateLimits: { endpoints: { 'POST /2/tweets': [{ scope: 'user', windowSecs, limit }] } },
  });
  const setup = await setUp({
    backend,
    emulator,
    worker: true,
    users: [emulator.user, emulator.otherUser],
  });
  try {
    // A backlog of more than the horizon allows, per account.
    const perAccount = limit * (windows + 1);
    for (let n = 0; n < perAccount; n++) {
      for (const account of setup.accounts) {
        const res = await post(setup, { post: { body: `paced ${n} on ${account}` }, accounts: [account] });
        if (res.status !== 201) throw new Error(`POST /api/posts: ${res.status} ${await res.text()}`);
      }
    }
    const firstCall = async () => {
      for (;;) {
        const first = emulator.store.requestLog.find((r) => r.endpoint === 'POST /2/tweets');
        if (first) return first.at;
        await sleep(20);
      }
    };
    const t0 = await firstCall();
    const horizonMs = windows * windowSecs * 1000;
    await sleep(t0 + horizonMs - Date.now() + 200);
    const published = [...emulator.store.posts.values()].filter((p) => p.createdAt < t0 + horizonMs).length;
    const allowed = setup.accounts.length * limit * windows;
    const tooMany = emulator.store.requestLog.filter(
      (r) => r.endpoint === 'POST /2/tweets' && r.status === 429,
    );
    return [
      backend === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL 15 (server)',
      `${limit} per ${windowSecs} s per account, ${setup.accounts.length} accounts`,
      `${windows} windows (${horizonMs / 1000} s)`,
      String(allowed),
      String(published),
      (published / allowed).toFixed(3),
      String(tooMany.length),
    ];
  } finally {
    await setup.cleanup();
    await emulator.close();
  }
}

async function scheduledLateness(backend: 'pglite' | 'postgres'): Promise<string[]> {
  const emulator = await startEmulator({ rateLimits: { endpoints: { 'POST /2/tweets': [] } } });
  const setup = await setUp({ backend, emulator, worker: true });
  try {
    const count = 100;
    const start = Date.now() + 3_000;
    const spreadMs = 15_000;
    const due = new Map<string, number>();
    for (let n = 0; n < count; n++) {
      const at = start + Math.floor((n / count) * spreadMs) + Math.floor(Math.random() * 100);
      const body = `scheduled ${n} ${randomBytes(3).toString('hex')}`;
      const res = await post(setup, {
        post: { body, scheduled_at: new Date(at).toISOString() },
        accounts: setup.accounts,
      });
      if (res.status !== 201) throw new Error(`POST /api/posts: ${res.status} ${await res.text()}`);
      due.set(body, new Date(new Date(at).toISOString()).getTime());
    }
    const deadline = start + spreadMs + 30_000;
    while (emulator.store.posts.size < count && Date.now() < deadline) await sleep(100);
    const late = [...emulator.store.posts.values()]
      .map((p) => p.createdAt - due.get(p.text)!)
      .sort((a, b) => a - b);
    const early = late.filter((ms) => ms < 0).length;
    return [
      backend === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL 15 (server)',
      `${late.length} of ${count}`,
      (percentile(late, 50) / 1000).toFixed(3),
      (percentile(late, 99) / 1000).toFixed(3),
      (late[late.length - 1]! / 1000).toFixed(3),
      String(early),
    ];
  } finally {
    await setup.cleanup();
    await emulator.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export async function serviceBench(): Promise<void> {
  const backends: ('pglite' | 'postgres')[] = SERVER_URL ? ['pglite', 'postgres'] : ['pglite'];
  if (!SERVER_URL) {
    process.stdout.write(
      'PostgreSQL rows skipped: set XPOST_BENCH_DATABASE_URL (or XPOST_TEST_DATABASE_URL) to a server to include them.\n',
    );
  }
  const quiet = await startEmulator();
  try {
    const rows: string[][] = [];
    for (const backend of backends) rows.push(await acceptThroughput(backend, quiet));
    process.stdout.write('\nPOST /api/posts (validated, stored, queued; no worker), real HTTP server:\n\n');
    printTable(['database', 'requests', 'in flight', 'posts/s', 'p50 ms', 'p99 ms', 'non-201'], rows);
  } finally {
    await quiet.close();
  }

  const paced: string[][] = [];
  for (const backend of backends) paced.push(await publishRate(backend));
  process.stdout.write('\nPublishing against the rate limit of POST /2/tweets (target > 0.95, no 429):\n\n');
  printTable(['database', 'limit', 'horizon', 'allowed', 'published', 'fraction', '429s'], paced);

  const late: string[][] = [];
  for (const backend of backends) late.push(await scheduledLateness(backend));
  process.stdout.write(
    '\nLateness of scheduled posts, from scheduled_at to created on X (target p99 < 1 s):\n\n',
  );
  printTable(['database', 'published', 'p50 s', 'p99 s', 'max s', 'early'], late);
}
