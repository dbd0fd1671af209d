import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildServiceApp } from '../../../src/service/app.js';
import { createApiKey } from '../../../src/service/auth/api-keys.js';
import { loadServiceConfig } from '../../../src/service/config.js';
import { SecretBox } from '../../../src/service/crypto/secret-box.js';
import { generateSecretKey } from '../../../src/service/crypto/secret-key.js';
import type { Db } from '../../../src/service/db/types.js';
import { type ApiKeyRow, apiKeys } from '../../../src/service/store/sql.js';
import { describeDatabases } from '../../helpers/database.js';
import { NO_X } from '../../helpers/service-app.js';

const config = loadServiceConfig({ XPOST_HOME: '/tmp/xpost-app-test' });
const box = new SecretBox(generateSecretKey());

async function buildApp(db: Db): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(
    buildServiceApp({
      config,
      db,
      box,
      clock: () => new Date('2030-01-02T03:04:05Z'),
      ...NO_X,
      routes: false,
    }),
  );
  app.get('/test/whoami', async (request) => ({ apiKeyId: request.apiKeyId }));
  app.get('/test/boom', async () => {
    throw new Error('secret internals: password=hunter2');
  });
  await app.ready();
  return app;
}

async function newKey(db: Db, name = 'test'): Promise<{ key: string; id: string }> {
  const created = createApiKey();
  const { rows } = await db.query<ApiKeyRow>(apiKeys.insert({ name, ...created }));
  return { key: created.key, id: rows[0]!.id };
}

describeDatabases('service app', ({ db }) => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await buildApp(db());
  });
  afterEach(async () => {
    await app.close();
  });

  it('answers /health without a key', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'ok', worker: 'disabled' });
  });

  it.each([
    ['missing', undefined, 'missing_authorization'],
    ['not Bearer', 'Basic dXNlcjpwYXNz', 'malformed_authorization'],
    ['not an xpost key', 'Bearer abc', 'malformed_api_key'],
    ['unknown', `Bearer ${createApiKey().key}`, 'invalid_api_key'],
  ])('answers 401 problem+json for a %s key', async (_what, authorization, code) => {
    const res = await app.inject({
      method: 'GET',
      url: '/test/whoami',
      ...(authorization && { headers: { authorization } }),
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    const body = res.json();
    expect(body).toMatchObject({
      status: 401,
      code,
      title: 'Unauthorized',
      type: `urn:xpost:problem:${code}`,
    });
    expect(typeof body.detail).toBe('string');
    if (authorization) expect(JSON.stringify(body)).not.toContain(authorization.split(' ')[1]);
  });

  it('lets a live key through, records its use, and refuses it once revoked', async () => {
    const { key, id } = await newKey(db());
    const ok = await app.inject({
      method: 'GET',
      url: '/test/whoami',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ apiKeyId: id });
    const listed = (await db().query<ApiKeyRow>(apiKeys.list())).rows[0]!;
    expect(new Date(listed.last_used_at!).toISOString()).toBe('2030-01-02T03:04:05.000Z');

    await db().query(apiKeys.revoke(id, new Date()));
    const revoked = await app.inject({
      method: 'GET',
      url: '/test/whoami',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().code).toBe('invalid_api_key');
  });

  it('answers problem+json 404 for unknown routes (after auth)', async () => {
    const { key } = await newKey(db());
    const anonymous = await app.inject({ method: 'GET', url: '/nope' });
    expect(anonymous.statusCode).toBe(401);
    const res = await app.inject({
      method: 'GET',
      url: '/nope?x=1',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toEqual({
      type: 'urn:xpost:problem:not_found',
      title: 'Not Found',
      status: 404,
      detail: 'no route for GET /nope',
      code: 'not_found',
    });
  });

  it('hides the details of a thrown error', async () => {
    const { key } = await newKey(db());
    const res = await app.inject({
      method: 'GET',
      url: '/test/boom',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ status: 500, code: 'internal_error', title: 'Internal Server Error' });
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('stack');
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });
});

describeDatabases(
  'service app, database down',
  ({ database }) => {
    it('answers 503 from /health when the database is closed', async () => {
      const app = await buildApp(database().db);
      try {
        await database().db.close();
        const res = await app.inject({ method: 'GET', url: '/health' });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toEqual({ status: 'degraded', database: 'down', worker: 'disabled' });
      } finally {
        await app.close();
      }
    });
  },
  { truncate: false },
);
