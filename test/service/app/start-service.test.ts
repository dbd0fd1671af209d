import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startEmulator } from '../../../src/emulator/index.js';
import { HTTP_IDLE_TIMEOUT_MS } from '../../../src/service/app.js';
import { createApiKey } from '../../../src/service/auth/api-keys.js';
import { loadServiceConfig } from '../../../src/service/config.js';
import { loadSecretBox } from '../../../src/service/crypto/load-secret-box.js';
import { type RunningService, startService } from '../../../src/service/server.js';
import { apiKeys, type PostTargetRow, posts, targets } from '../../../src/service/store/sql.js';
import { describeDatabases } from '../../helpers/database.js';
import { connectEmulatorUser } from '../../helpers/service-app.js';

let service: RunningService | undefined;
let home: string | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
  if (home) await rm(home, { recursive: true, force: true });
  home = undefined;
});

describeDatabases(
  'startService',
  ({ backend, database }) => {
    it('listens on port 0, serves /health and authenticated routes, and closes (no worker)', async () => {
      home = await mkdtemp(join(tmpdir(), 'xpost-serve-'));
      const env: NodeJS.ProcessEnv = { XPOST_HOME: home, PORT: '0' };
      if (backend === 'postgres') {
        env.DATABASE_URL = database().url!;
        env.XPOST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
      }
      service = await startService({
        config: loadServiceConfig(env),
        logger: false,
        handleSignals: false,
        worker: false,
      });
      expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(service.url).not.toMatch(/:0$/);
      // A client that stops sending (a stalled upload) is cut, not held for ever.
      expect(service.app.server.timeout).toBe(HTTP_IDLE_TIMEOUT_MS);

      const health = await fetch(`${service.url}/health`);
      expect(health.status).toBe(200);
      expect((await health.json()) as { status: string; code: string }).toEqual({
        status: 'ok',
        database: 'ok',
        worker: 'disabled',
      });

      const anonymous = await fetch(`${service.url}/anything`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);

      const created = createApiKey();
      await service.db.query(apiKeys.insert({ name: 'real', ...created }));
      const notFound = await fetch(`${service.url}/anything`, {
        headers: { authorization: `Bearer ${created.key}` },
      });
      expect(notFound.status).toBe(404);
      expect(notFound.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await notFound.json()) as { status: string; code: string }).code).toBe('not_found');

      const url = service.url;
      await service.close();
      service = undefined;
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    });

    async function serviceEnv(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
      home = await mkdtemp(join(tmpdir(), 'xpost-serve-'));
      const env: NodeJS.ProcessEnv = { XPOST_HOME: home, PORT: '0', ...extra };
      if (backend === 'postgres') {
        env.DATABASE_URL = database().url!;
        env.XPOST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
      }
      return env;
    }

    async function publishThrough(running: RunningService, accountId: string, text: string) {
      const post = await running.db.query<{ id: string }>(
        posts.insert({
          apiKeyId: null,
          body: text,
          scheduledAt: null,
          draft: false,
          state: 'processing',
          request: { items: [{ body: text }] },
        }),
      );
      const target = (
        await running.db.query<PostTargetRow>(
          targets.insert({ postId: post.rows[0]!.id, accountId, state: 'queued', runAt: new Date() }),
        )
      ).rows[0]!;
      await running.queue.schedulePublish({ targetId: target.id });
      const deadline = Date.now() + 15_000;
      for (;;) {
        const row = (await running.db.query<PostTargetRow>(targets.get(target.id))).rows[0]!;
        if (row.state === 'published') return row;
        if (Date.now() > deadline) throw new Error(`target still ${row.state}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    it('runs the worker and, without XPOST_CLIENT_ID, the sandbox: a post reaches the emulator', async () => {
      service = await startService({
        config: loadServiceConfig(await serviceEnv()),
        logger: false,
        handleSignals: false,
      });
      expect(service.worker).toBeDefined();
      const sandbox = service.sandbox!;
      expect(sandbox.account.sandbox).toBe(true);
      const health = await fetch(`${service.url}/health`);
      expect(await health.json()).toEqual({ status: 'ok', database: 'ok', worker: 'ok' });

      const text = `through the service ${randomBytes(4).toString('hex')}`;
      const row = await publishThrough(service, sandbox.account.id, text);
      expect(sandbox.emulator.store.postsByAuthor(sandbox.emulator.user.id).map((p) => p.text)).toEqual([
        text,
      ]);
      expect(row.x_post_ids).toHaveLength(1);

      // A stopped worker shows on /health.
      await service.worker!.stop();
      const degraded = await fetch(`${service.url}/health`);
      expect(degraded.status).toBe(200);
      expect(await degraded.json()).toEqual({ status: 'degraded', database: 'ok', worker: 'down' });

      // Shutdown stops the sandbox emulator too.
      const emulatorUrl = sandbox.url;
      await service.close();
      service = undefined;
      await expect(fetch(`${emulatorUrl}/__emulator`)).rejects.toThrow();
    }, 60_000);

    it('with an X app configured, publishes real accounts through it and starts no sandbox', async () => {
      const emu = await startEmulator();
      try {
        service = await startService({
          config: loadServiceConfig(
            await serviceEnv({
              XPOST_CLIENT_ID: emu.app.clientId,
              XPOST_CLIENT_SECRET: emu.app.clientSecret ?? '',
              XPOST_API_BASE: emu.url,
            }),
          ),
          logger: false,
          handleSignals: false,
        });
        expect(service.sandbox).toBeUndefined();
        const box = await loadSecretBox(loadServiceConfig(await serviceEnvFor(home!)));
        const account = await connectEmulatorUser(service.db, box, emu);
        const text = `real mode ${randomBytes(4).toString('hex')}`;
        await publishThrough(service, account.id, text);
        expect(emu.store.postsByAuthor(emu.user.id).map((p) => p.text)).toEqual([text]);
      } finally {
        await service?.close();
        service = undefined;
        await emu.close();
      }
    }, 60_000);

    /** The same configuration again (to load the same secret box). */
    async function serviceEnvFor(dir: string): Promise<NodeJS.ProcessEnv> {
      const env: NodeJS.ProcessEnv = { XPOST_HOME: dir };
      if (backend === 'postgres') {
        env.DATABASE_URL = database().url!;
        env.XPOST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
      }
      return env;
    }
  },
  { truncate: false },
);
