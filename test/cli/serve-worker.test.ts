import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from '../../src/emulator/index.js';
import { SecretBox } from '../../src/service/crypto/secret-box.js';
import { migrate } from '../../src/service/db/migrate.js';
import { createJobQueue, type JobQueue } from '../../src/service/queue/queue.js';
import { type PostTargetRow, posts, targets } from '../../src/service/store/sql.js';
import { type Running, runXpost, startXpost } from '../helpers/cli.js';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/database.js';
import { connectEmulatorUser } from '../helpers/service-app.js';

/** What the spawned processes must not inherit from the test's own environment. */
const CLEAN: NodeJS.ProcessEnv = {
  DATABASE_URL: '',
  XPOST_SECRET_KEY: '',
  XPOST_CLIENT_ID: '',
  XPOST_CLIENT_SECRET: '',
  XPOST_API_BASE: '',
  XPOST_TEST_DATABASE_URL: '',
  LOG_LEVEL: 'warn',
};

const running: Running[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

function start(args: string[], env: NodeJS.ProcessEnv): Running {
  const r = startXpost(args, { ...CLEAN, ...env });
  running.push(r);
  return r;
}

describe('xpost serve (built binary, embedded database, sandbox mode)', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'xpost-serve-cli-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('prints the sandbox notice, answers /health with the worker running, and exits 0 on SIGTERM', async () => {
    const server = start(['serve', '--port', '0'], { XPOST_HOME: home });
    const [, url] = await server.waitFor(/listening on (http:\/\/\S+)/, 60_000);
    await server.waitFor(/SANDBOX MODE/);
    const output = server.output();
    expect(output).toMatch(
      /posts go to the X API emulator running in this process at http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(output).toMatch(/__emulator\/posts/);
    expect(output).toMatch(/set XPOST_CLIENT_ID and XPOST_CLIENT_SECRET/);
    expect(output).toMatch(/GET \/connect\/x/);
    expect(output).toMatch(/worker \S+ in this process/);

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'ok', worker: 'ok' });

    // A fresh install has no API key and cannot run `xpost keys create` beside the embedded
    // database: the first start makes one and shows it once; it works, and posts reach the sandbox.
    const [, key] = await server.waitFor(/^\s+(xpk_live_\S+)$/m);
    const posted = await fetch(`${url}/api/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ post: { body: 'first post from a fresh install' }, profiles: ['x'] }),
    });
    expect(posted.status).toBe(201);
    expect(await server.stop()).toBe(0);
    expect(server.output().match(/xpk_live_/g)).toHaveLength(2); // the key and the curl example

    // The next start has a key already: none is made or shown.
    const again = start(['serve', '--port', '0'], { XPOST_HOME: home });
    await again.waitFor(/listening on (http:\/\/\S+)/, 60_000);
    expect(again.output()).not.toMatch(/xpk_live_/);
    expect(await again.stop()).toBe(0);
  }, 90_000);

  it('--no-worker serves the API only, and warns that with the embedded database nothing publishes', async () => {
    const server = start(['serve', '--port', '0', '--no-worker'], { XPOST_HOME: home });
    const [, url] = await server.waitFor(/listening on (http:\/\/\S+)/, 60_000);
    expect(server.output()).toMatch(/no worker in this process/);
    await server.waitFor(/warning: .*cannot share the embedded database: nothing will be published/);
    const health = await fetch(`${url}/health`);
    expect(await health.json()).toEqual({ status: 'ok', database: 'ok', worker: 'disabled' });
    expect(await server.stop()).toBe(0);
  }, 90_000);
});

describe('xpost serve with a bad configuration (built binary)', () => {
  it('exits 2 naming every variable that is wrong, on one line, and lists them with --json', async () => {
    const env = { ...CLEAN, XPOST_HOME: tmpdir(), PORT: 'abc', XPOST_LEASE_SECONDS: '2' };
    const plain = await runXpost(['serve'], env);
    expect(plain.code).toBe(2);
    expect(plain.output.trim()).toBe(
      'xpost: xpost service configuration has 2 problems: PORT must be a whole number from 0 to 65535 (got "abc"); ' +
        'XPOST_LEASE_SECONDS must be a whole number from 5 to 3600 (got "2")',
    );
    const json = await runXpost(['serve', '--json'], env);
    expect(json.code).toBe(2);
    // stdout carries the JSON document (stderr, merged here, still says it in a line).
    const document = JSON.parse(
      json.output.slice(json.output.indexOf('{'), json.output.lastIndexOf('}') + 1),
    );
    expect(document.error.problems.map((p: { variable: string }) => p.variable)).toEqual([
      'PORT',
      'XPOST_LEASE_SECONDS',
    ]);
  }, 60_000);
});

describe('xpost worker refusals (built binary)', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'xpost-worker-cli-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('refuses the embedded database with exit code 2 and says what to do', async () => {
    const result = await runXpost(['worker'], { ...CLEAN, XPOST_HOME: home, XPOST_CLIENT_ID: 'id' });
    expect(result.code).toBe(2);
    expect(result.output).toContain('the embedded database is used by one process only');
    expect(result.output).toContain('run `xpost serve` (it includes the worker), or set DATABASE_URL');
  }, 30_000);

  it('refuses sandbox mode with exit code 2 and says what to do', async () => {
    const result = await runXpost(['--json', 'worker'], {
      ...CLEAN,
      XPOST_HOME: home,
      // Never connected to: the refusal comes first.
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      XPOST_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'),
    });
    expect(result.code).toBe(2);
    const body = JSON.parse(result.output.slice(result.output.indexOf('{'))) as {
      error: { code: string; message: string };
    };
    expect(body.error.code).toBe('usage');
    expect(body.error.message).toMatch(/sandbox mode/);
    expect(body.error.message).toMatch(/set XPOST_CLIENT_ID and XPOST_CLIENT_SECRET/);
  }, 30_000);

  it('refuses a concurrency out of range', async () => {
    const result = await runXpost(['worker', '--concurrency', '0'], { ...CLEAN, XPOST_HOME: home });
    expect(result.code).toBe(2);
    expect(result.output).toMatch(/from 1 to 100/);
  }, 30_000);
});

describe.skipIf(!TEST_DATABASE_URL)(
  'xpost serve --no-worker and xpost worker on PostgreSQL (built binary)',
  () => {
    let home: string;
    let database: TestDatabase;
    let emulator: EmulatorHandle;
    let queue: JobQueue;
    const key = randomBytes(32);
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      home = await mkdtemp(join(tmpdir(), 'xpost-workers-cli-'));
      database = await createTestDatabase('postgres');
      await migrate(database.db);
      emulator = await startEmulator();
      env = {
        XPOST_HOME: home,
        DATABASE_URL: database.url!,
        XPOST_SECRET_KEY: key.toString('base64'),
        XPOST_CLIENT_ID: emulator.app.clientId,
        XPOST_CLIENT_SECRET: emulator.app.clientSecret ?? '',
        XPOST_API_BASE: emulator.url,
      };
      // Only to send jobs, as the API's routes do: it works none.
      queue = createJobQueue(database.db);
      await queue.start();
    }, 60_000);
    afterAll(async () => {
      await queue?.stop({ timeoutMs: 1_000 });
      await emulator?.close();
      await database?.drop();
      await rm(home, { recursive: true, force: true });
    });

    it('the API without a worker, and two worker processes that publish its posts once each', async () => {
      const api = start(['serve', '--port', '0', '--no-worker'], env);
      const [, url] = await api.waitFor(/listening on (http:\/\/\S+)/, 60_000);
      expect(api.output()).not.toMatch(/SANDBOX MODE/);
      expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ worker: 'disabled' });

      const workers = [start(['worker', '--concurrency', '2'], env), start(['worker'], env)];
      for (const w of workers)
        await w.waitFor(/xpost worker \S+ running \(concurrency \d\) on PostgreSQL/, 60_000);

      const account = await connectEmulatorUser(database.db, new SecretBox(key), emulator);
      const texts = Array.from(
        { length: 6 },
        (_, i) => `from a worker process ${i} ${randomBytes(3).toString('hex')}`,
      );
      const ids: string[] = [];
      for (const text of texts) {
        const post = await database.db.query<{ id: string }>(
          posts.insert({
            apiKeyId: null,
            body: text,
            scheduledAt: null,
            draft: false,
            state: 'processing',
            request: { items: [{ body: text }] },
          }),
        );
        const target = await database.db.query<PostTargetRow>(
          targets.insert({
            postId: post.rows[0]!.id,
            accountId: account.id,
            state: 'queued',
            runAt: new Date(),
          }),
        );
        ids.push(target.rows[0]!.id);
        await queue.schedulePublish({ targetId: target.rows[0]!.id });
      }
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { rows } = await database.db.query<{ state: string; locked_by: string | null }>({
          text: 'SELECT state FROM xpost.post_targets WHERE id = ANY($1::uuid[])',
          values: [ids],
        });
        if (rows.every((r) => r.state === 'published')) break;
        if (Date.now() > deadline) throw new Error(`not all published: ${JSON.stringify(rows)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const onX = emulator.store.postsByAuthor(emulator.user.id).map((p) => p.text);
      expect([...onX].sort()).toEqual([...texts].sort());

      for (const w of workers) expect(await w.stop()).toBe(0);
      expect(await api.stop()).toBe(0);
    }, 120_000);
  },
);
