import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { buildServiceApp, SERVICE_FASTIFY_OPTIONS } from '../../../src/service/app.js';
import { loadServiceConfig } from '../../../src/service/config.js';
import { SecretBox } from '../../../src/service/crypto/secret-box.js';
import { registerOpenApi } from '../../../src/service/plugins/openapi.js';
import { registerMediaRoutes } from '../../../src/service/routes/media.js';
import { describeDatabases } from '../../helpers/database.js';

describeDatabases('media routes in the OpenAPI document', ({ db }) => {
  it('documents POST /api/media as a multipart form with a binary file, and GET/DELETE by id', async () => {
    const config = loadServiceConfig({ XPOST_HOME: `/tmp/xpost-media-openapi-${process.pid}` });
    const box = new SecretBox(randomBytes(32));
    const app = Fastify({ ...SERVICE_FASTIFY_OPTIONS, logger: false });
    await registerOpenApi(app, { config });
    const x = () => ({ clientId: 'none' });
    const xApp = {
      clientId: 'none',
      apiBase: 'http://127.0.0.1:9',
      authorizeUrl: 'http://127.0.0.1:9/',
      sandbox: false,
    };
    // The core only (errors, auth), and the media routes beside it, after the document's plugin.
    await app.register(buildServiceApp({ config, db: db(), box, x, xApp, routes: false }));
    registerMediaRoutes(app, { config, db: db(), box, clock: () => new Date(), x, xApp });
    await app.ready();
    try {
      const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
      const upload = doc.paths['/api/media'].post;
      expect(upload.tags).toEqual(['media']);
      expect(upload.summary).toBe('Upload a media file');
      const form = upload.requestBody.content['multipart/form-data'].schema;
      expect(form.properties.file).toMatchObject({ type: 'string', format: 'binary' });
      expect(form.properties.alt).toMatchObject({ type: 'string', maxLength: 1000 });
      expect(form.required).toEqual(['file']);
      expect(Object.keys(upload.responses)).toEqual(
        expect.arrayContaining(['201', '401', '413', '415', '422']),
      );
      expect(upload.responses['201'].content['application/json'].schema.properties).toHaveProperty('sha256');
      expect(doc.paths['/api/media/{id}'].get.summary).toBe('Show a media item');
      expect(doc.paths['/api/media/{id}'].delete.responses).toHaveProperty('409');
    } finally {
      await app.close();
    }
  });
});
