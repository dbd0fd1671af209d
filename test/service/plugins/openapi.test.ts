import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServiceApp, SERVICE_FASTIFY_OPTIONS } from '../../../src/service/app.js';
import { loadServiceConfig } from '../../../src/service/config.js';
import { SecretBox } from '../../../src/service/crypto/secret-box.js';
import { generateSecretKey } from '../../../src/service/crypto/secret-key.js';
import { migrate } from '../../../src/service/db/migrate.js';
import { openDatabase } from '../../../src/service/db/open.js';
import type { Db } from '../../../src/service/db/types.js';
import { OPENAPI_TAGS, registerOpenApi, SECURITY_SCHEME } from '../../../src/service/plugins/openapi.js';
import {
  officialSchemaProblems,
  openApiProblems,
  openApiStructureProblems,
  openApiValidators,
  type RecordedRoute,
  recordRoutes,
  specValidatorProblems,
  undocumentedRoutes,
} from '../../helpers/openapi-check.js';
import { insertApiKey, NO_X } from '../../helpers/service-app.js';

/**
 * The document is built from routes, not from the database, so one PGlite (for the auth hook and
 * /health) serves every test here; the routes' own suites run on both backends.
 */

const PUBLIC_URL = 'https://xpost.example.com';
const config = loadServiceConfig({ XPOST_HOME: '/tmp/xpost-openapi-test', XPOST_PUBLIC_URL: PUBLIC_URL });
const packageVersion = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

type Json = Record<string, any>;

const Post = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'The post id.' }),
    state: Type.Union([Type.Literal('draft'), Type.Literal('scheduled')], { description: 'Its state.' }),
    scheduled_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);

/** A few routes shaped like the real ones: params, query, body, responses, tags, a public one. */
function registerSampleRoutes(app: FastifyInstance): void {
  app.post(
    '/api/posts',
    {
      schema: {
        tags: ['posts'],
        summary: 'Create a post',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 255 })) }),
        body: Type.Object(
          {
            post: Type.Object(
              { body: Type.String({ minLength: 1 }), draft: Type.Optional(Type.Boolean()) },
              { additionalProperties: false },
            ),
            accounts: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { minItems: 1 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Post },
      },
    },
    async (_request, reply) =>
      reply.status(201).send({ id: crypto.randomUUID(), state: 'draft', scheduled_at: null }),
  );
  app.get(
    '/api/posts/:id',
    {
      schema: {
        tags: ['posts'],
        summary: 'Get a post',
        params: Type.Object({ id: Type.String({ format: 'uuid', description: 'The post id.' }) }),
        response: { 200: Post },
      },
    },
    async (request) => ({ id: (request.params as { id: string }).id, state: 'draft', scheduled_at: null }),
  );
  app.get(
    '/api/posts',
    {
      schema: {
        tags: ['posts'],
        summary: 'List posts',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          cursor: Type.Optional(Type.String()),
        }),
        response: {
          200: Type.Object({ data: Type.Array(Post), next_cursor: Type.Union([Type.String(), Type.Null()]) }),
        },
      },
    },
    async () => ({ data: [], next_cursor: null }),
  );
  app.delete(
    '/api/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null({ description: 'Deleted.' }) },
      },
    },
    async (_request, reply) => reply.status(204).send(),
  );
  app.get(
    '/connect/x/callback',
    {
      config: { public: true },
      schema: {
        tags: ['accounts'],
        summary: 'OAuth callback',
        querystring: Type.Object({ code: Type.Optional(Type.String()), state: Type.Optional(Type.String()) }),
      },
    },
    async (_request, reply) => reply.redirect('/'),
  );
}

async function buildApp(db: Db): Promise<{ app: FastifyInstance; routes: RecordedRoute[] }> {
  const app = Fastify({ ...SERVICE_FASTIFY_OPTIONS, logger: false });
  const routes = recordRoutes(app);
  await registerOpenApi(app, { config });
  await app.register(
    buildServiceApp({ config, db, box: new SecretBox(generateSecretKey()), ...NO_X, routes: false }),
  );
  registerSampleRoutes(app);
  await app.ready();
  return { app, routes };
}

describe('OpenAPI document and /docs', () => {
  let db: Db;
  let app: FastifyInstance;
  let routes: RecordedRoute[];
  let doc: Json;
  let authorization: string;

  beforeAll(async () => {
    db = await openDatabase({ memory: true });
    await migrate(db);
    ({ app, routes } = await buildApp(db));
    authorization = `Bearer ${(await insertApiKey(db)).key}`;
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('serves /openapi.json without a key: OpenAPI 3.1 with the service info, server and tags', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('xpost service');
    expect(doc.info.version).toBe(packageVersion);
    expect(doc.info.description).toMatch(/xpost keys create/);
    expect(doc.servers).toEqual([{ url: PUBLIC_URL }]);
    expect(doc.tags.map((t: Json) => t.name)).toEqual([
      'posts',
      'media',
      'accounts',
      'webhooks',
      'operations',
    ]);
    expect(doc.tags.map((t: Json) => t.name)).toEqual(OPENAPI_TAGS.map((t) => t.name));
  });

  it('lists every route with its methods, parameters, body and responses', () => {
    expect(Object.keys(doc.paths).sort()).toEqual(
      ['/api/posts', '/api/posts/{id}', '/api/webhooks/{id}', '/connect/x/callback', '/health'].sort(),
    );
    expect(Object.keys(doc.paths['/api/posts']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/posts/{id}'])).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/webhooks/{id}'])).toEqual(['delete']);

    const create = doc.paths['/api/posts'].post;
    expect(create.tags).toEqual(['posts']);
    expect(create.summary).toBe('Create a post');
    const body = create.requestBody.content['application/json'].schema;
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(['post']);
    expect(create.parameters).toEqual([
      expect.objectContaining({ in: 'header', name: 'idempotency-key', required: false }),
    ]);
    const created = create.responses['201'].content['application/json'].schema;
    // TypeBox's literal unions and nullable types stay JSON Schema 2020-12, valid in 3.1.
    expect(created.properties.state.anyOf).toEqual([
      { type: 'string', enum: ['draft'] },
      { type: 'string', enum: ['scheduled'] },
    ]);
    expect(created.properties.scheduled_at.anyOf).toContainEqual({ type: 'null' });

    const get = doc.paths['/api/posts/{id}'].get;
    expect(get.parameters).toEqual([
      expect.objectContaining({ in: 'path', name: 'id', required: true, description: 'The post id.' }),
    ]);
    const list = doc.paths['/api/posts'].get;
    expect(list.parameters.map((p: Json) => `${p.in}:${p.name}`).sort()).toEqual([
      'query:cursor',
      'query:limit',
    ]);
  });

  it('requires the bearer key globally, and drops it on public routes only', () => {
    expect(doc.components.securitySchemes[SECURITY_SCHEME]).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ [SECURITY_SCHEME]: [] }]);
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.paths['/connect/x/callback'].get.security).toEqual([]);
    for (const [path, method] of [
      ['/api/posts', 'post'],
      ['/api/posts', 'get'],
      ['/api/posts/{id}', 'get'],
      ['/api/webhooks/{id}', 'delete'],
    ] as const) {
      const operation = doc.paths[path][method];
      expect(operation.security, `${method} ${path}`).toBeUndefined();
      expect(operation.responses['401'].content['application/problem+json'].schema.required).toContain(
        'code',
      );
    }
    // The Authorization header is the scheme's business, not a parameter.
    expect(JSON.stringify(doc)).not.toMatch(/"name":"authorization"/i);
  });

  it('leaves /docs and /openapi.json out of the document they serve', () => {
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/docs') || p === '/openapi.json')).toEqual([]);
  });

  it('has every recorded /api route documented with the right security (the check the lead reuses)', () => {
    expect(routes.some((r) => r.url === '/api/posts/:id' && r.method === 'GET')).toBe(true);
    expect(undocumentedRoutes(doc, routes)).toEqual([]);
    expect(undocumentedRoutes(doc, routes, { under: '/connect' })).toEqual([]);
    // The check fails when a route is missing or its security is wrong.
    const missing = [...routes, { method: 'PATCH', url: '/api/posts/:id', public: false, hidden: false }];
    expect(undocumentedRoutes(doc, missing)).toEqual(['PATCH /api/posts/:id: not in the document']);
    const wrong = routes.map((r) => (r.url === '/api/posts/:id' ? { ...r, public: true } : r));
    expect(undocumentedRoutes(doc, wrong)).toEqual([
      'GET /api/posts/:id: public but documented as needing a key',
    ]);
  });

  it(`is a valid OpenAPI 3.1 document (validators here: ${openApiValidators().join(', ')})`, () => {
    expect(openApiStructureProblems(doc)).toEqual([]);
    expect(openApiProblems(doc)).toEqual([]);
  });

  it('the validators catch an invalid document', () => {
    const broken = structuredClone(doc);
    delete broken.info.version;
    broken.paths['/api/posts/{id}'].get.parameters = [];
    broken.paths['/api/posts'].get.responses = {};
    expect(openApiStructureProblems(broken)).toEqual(
      expect.arrayContaining([
        'info.version is missing',
        'GET /api/posts: no responses',
        'GET /api/posts/{id}: {id} has no path parameter',
      ]),
    );
    const official = officialSchemaProblems(broken);
    if (official) expect(official.length).toBeGreaterThan(0);
    const reference = specValidatorProblems(broken);
    if (reference) expect(reference.join('\n')).toMatch(/version|required/);
  });

  it('serves the Swagger UI page at /docs without a key, with its assets from the package', async () => {
    for (const url of ['/docs', '/docs/']) {
      const page = await app.inject({ method: 'GET', url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('swagger-ui');
      expect(page.body).not.toMatch(/src="https?:\/\//);
    }
    const page = await app.inject({ method: 'GET', url: '/docs/' });
    const assets = [...page.body.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(expect.arrayContaining(['static/swagger-ui-bundle.js', 'static/swagger-ui.css']));
    for (const asset of assets) {
      const res = await app.inject({ method: 'GET', url: `/docs/${asset}` });
      expect(res.statusCode, asset).toBe(200);
      expect(res.body.length, asset).toBeGreaterThan(0);
    }
    const bundle = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect(bundle.body.length).toBeGreaterThan(100_000);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    // The UI loads the same document.
    const json = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(json.json().paths).toEqual(doc.paths);
  });

  it('still asks for a key on every other route, and on unknown paths under /docs too', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/posts' })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'GET', url: '/api/posts', headers: { authorization } })).statusCode,
    ).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    // A file that is not there is a 404 of the static plugin, never a file outside the package.
    const traversal = await app.inject({ method: 'GET', url: '/docs/static/..%2f..%2fpackage.json' });
    expect(traversal.statusCode).toBeGreaterThanOrEqual(400);
    expect(traversal.body).not.toContain('"dependencies"');
  });

  it('documents a route registered before registerOpenApi nowhere, which is why it must come first', async () => {
    const late = Fastify({ logger: false });
    late.get('/api/early', { schema: { tags: ['posts'] } }, async () => ({}));
    await registerOpenApi(late, { config });
    late.get('/api/later', { schema: { tags: ['posts'] } }, async () => ({}));
    await late.ready();
    const paths = Object.keys((late.swagger() as Json).paths);
    await late.close();
    expect(paths).toEqual(['/api/later']);
  });
});
