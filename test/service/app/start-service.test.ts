import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createApiKey } from '../../../src/service/auth/api-keys.js';
import { loadServiceConfig } from '../../../src/service/config.js';
import { type RunningService, startService } from '../../../src/service/server.js';
import { apiKeys } from '../../../src/service/store/sql.js';
import { describeDatabases } from '../../helpers/database.js';

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
    it('listens on port 0, serves /health and authenticated routes, and closes', async () => {
      home = await mkdtemp(join(tmpdir(), 'xpost-serve-'));
      const env: NodeJS.ProcessEnv = { XPOST_HOME: home, PORT: '0' };
      if (backend === 'postgres') {
        env.DATABASE_URL = database().url!;
        env.XPOST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
      }
      service = await startService({ config: loadServiceConfig(env), logger: false, handleSignals: false });
      expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(service.url).not.toMatch(/:0$/);

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
  },
  { truncate: false },
);
