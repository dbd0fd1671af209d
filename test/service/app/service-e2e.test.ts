import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { buildServiceApp, SERVICE_FASTIFY_OPTIONS } from '../../../src/service/app.js';
import { createApiKey } from '../../../src/service/auth/api-keys.js';
import { loadServiceConfig } from '../../../src/service/config.js';
import { SecretBox } from '../../../src/service/crypto/secret-box.js';
import { generateSecretKey } from '../../../src/service/crypto/secret-key.js';
import { type RunningService, startService } from '../../../src/service/server.js';
import { apiKeys } from '../../../src/service/store/sql.js';
import { describeDatabases } from '../../helpers/database.js';
import { png } from '../../helpers/media.js';
import { openApiProblems, recordRoutes, undocumentedRoutes } from '../../helpers/openapi-check.js';
import { NO_X } from '../../helpers/service-app.js';
import { useReceiver } from '../webhooks/receiver.js';

/**
 * The service as `npm start` runs it: a real listening server in sandbox mode (no X app configured,
 * an emulator in-process, its user connected), the worker in the same process, and the whole API.
 * One request in, published once, a signed webhook out, and the figures in /metrics.
 */

const receiver = useReceiver();
let service: RunningService | undefined;
let home: string | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
  if (home) await rm(home, { recursive: true, force: true });
  home = undefined;
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeDatabases(
  'the service end to end (sandbox)',
  ({ backend, database }) => {
    it('publishes a post with uploaded media and a thread once, signs its webhook, and counts it', async () => {
      home = await mkdtemp(join(tmpdir(), 'xpost-e2e-'));
      const env: NodeJS.ProcessEnv = { XPOST_HOME: home, PORT: '0' };
      if (backend === 'postgres') {
        env.DATABASE_URL = database().url!;
        env.XPOST_SECRET_KEY = Buffer.alloc(32, 9).toString('base64');
      }
      service = await startService({
        config: loadServiceConfig(env),
        logger: false,
        handleSignals: false,
        workerOptions: { sweepIntervalMs: 200 },
      });
      const created = createApiKey();
      await service.db.query(apiKeys.insert({ name: 'e2e', ...created }));
      const call = async (
        method: string,
        path: string,
        body?: unknown,
        headers: Record<string, string> = {},
      ) => {
        const response = await fetch(`${service!.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${created.key}`,
            ...(body === undefined || body instanceof FormData ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: body instanceof FormData ? body : JSON.stringify(body) }),
        });
        const text = await response.text();
        return { status: response.status, json: text ? JSON.parse(text) : null };
      };

      const health = await call('GET', '/health');
      expect(health.json).toEqual({ status: 'ok', database: 'ok', worker: 'ok' });
      const accounts = await call('GET', '/api/accounts');
      expect(accounts.status).toBe(200);
      expect(accounts.json.data).toHaveLength(1);
      expect(accounts.json.data[0]).toMatchObject({ sandbox: true, auth_kind: 'oauth2' });

      const hook = await call('POST', '/api/webhooks', {
        url: `${receiver().url}/hooks`,
        events: ['post.published', 'post.failed'],
      });
      expect(hook.status).toBe(201);
      receiver().secrets.set('/hooks', hook.json.secret);

      const form = new FormData();
      form.append('alt', 'a tiny square');
      form.append('file', new Blob([png(8, 8, 2048)], { type: 'image/png' }), 'square.png');
      const media = await call('POST', '/api/media', form);
      expect(media.status).toBe(201);

      const body = {
        post: { body: 'end to end, with a picture' },
        profiles: ['x'],
        media: [{ id: media.json.id }],
        thread: [{ body: 'and a reply under it' }],
      };
      const first = await call('POST', '/api/posts', body, { 'idempotency-key': 'e2e-1' });
      expect(first.status).toBe(201);
      const again = await call('POST', '/api/posts', body, { 'idempotency-key': 'e2e-1' });
      expect(again.json.id).toBe(first.json.id);

      const published = await until('the post to be published', async () => {
        const view = await call('GET', `/api/posts/${first.json.id}`);
        return view.json.state === 'published' ? view.json : undefined;
      });
      const target = published.targets[0];
      expect(target.x_post_ids).toHaveLength(2);
      const emulator = service.sandbox!.emulator;
      const onX = [...emulator.store.posts.values()];
      // X appends the media's t.co link to the text of a post with media.
      expect(onX.map((p) => p.text).sort()).toEqual([
        'and a reply under it',
        expect.stringMatching(/^end to end, with a picture https:\/\/t\.co\/\w+$/),
      ]);
      const [head, reply] = target.x_post_ids.map((id: string) => emulator.store.posts.get(id)!);
      expect(head.mediaIds).toHaveLength(1);
      expect(reply.inReplyToTweetId).toBe(target.x_post_ids[0]);

      const [delivery] = await receiver().waitFor(1, '/hooks', 10_000);
      expect(delivery!.check).toMatchObject({ ok: true });
      expect(delivery!.json).toMatchObject({
        type: 'post.published',
        data: { post_id: first.json.id, x_post_ids: target.x_post_ids },
      });

      const metrics = await fetch(`${service.url}/metrics`, {
        headers: { authorization: `Bearer ${created.key}` },
      });
      const text = await metrics.text();
      expect(text).toMatch(/^xpost_x_api_calls_total\{endpoint="POST \/2\/tweets",status="201"\} 2$/m);
      expect(text).toMatch(/^xpost_posts\{state="published"\} 1$/m);
      expect(text).toMatch(/^xpost_publish_latency_seconds_count 1$/m);
    });
  },
  { migrate: false },
);

it('documents every /api route with the right security in a valid OpenAPI document', async () => {
  const { openDatabase } = await import('../../../src/service/db/open.js');
  const { migrate } = await import('../../../src/service/db/migrate.js');
  const db = await openDatabase({ memory: true });
  await migrate(db);
  const app = Fastify({ ...SERVICE_FASTIFY_OPTIONS, logger: false });
  const routes = recordRoutes(app);
  const config = loadServiceConfig({ XPOST_HOME: '/tmp/xpost-openapi-all' });
  await app.register(buildServiceApp({ config, db, box: new SecretBox(generateSecretKey()), ...NO_X }));
  await app.ready();
  try {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(routes.filter((r) => r.url.startsWith('/api/')).length).toBeGreaterThan(15);
    expect(undocumentedRoutes(doc, routes)).toEqual([]);
    expect(undocumentedRoutes(doc, routes, { under: '/connect' })).toEqual([]);
    expect(openApiProblems(doc)).toEqual([]);
  } finally {
    await app.close();
    await db.close();
  }
});
