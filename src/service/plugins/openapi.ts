import swagger, { type SwaggerTransform } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { packageVersion } from '../../package-version.js';
import type { ServiceConfig } from '../config.js';
import { ProblemSchema } from '../routes/problem-schema.js';

/**
 * The service's OpenAPI 3.1 document, generated from the routes' TypeBox schemas by @fastify/swagger
 * (dynamic mode), served at `/openapi.json`, with Swagger UI at `/docs` (its assets come from the
 * @fastify/swagger-ui package: no CDN). Both are public, beside `/health`: they describe the API and
 * hold no data, and a newcomer can read them before having a key.
 *
 * OpenAPI 3.1 because its Schema Object is JSON Schema 2020-12, what TypeBox 1.x emits (`const`,
 * `type: 'null'` in unions); 3.0 would need every such schema rewritten.
 *
 * MUST be awaited before any route is registered, on the root instance (or inside a plugin that is
 * not encapsulated, such as `buildServiceApp`): @fastify/swagger collects routes with an `onRoute`
 * hook, so a route added earlier, or outside the context it is registered in, is missing.
 */

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PREFIX = '/docs';
/** The security scheme every operation needs unless its route is `config: { public: true }`. */
export const SECURITY_SCHEME = 'apiKey';

export const OPENAPI_TAGS = Object.freeze([
  {
    name: 'posts',
    description: 'Create, schedule, publish, edit and cancel posts; follow their state per account.',
  },
  { name: 'media', description: 'Upload media files to use in posts.' },
  {
    name: 'accounts',
    description: 'Connect X accounts (OAuth 2.0 or OAuth 1.0a keys), list and remove them.',
  },
  { name: 'webhooks', description: 'Signed notifications of published, failed and retried posts.' },
  { name: 'operations', description: 'Health and Prometheus metrics.' },
]);

export interface OpenApiOptions {
  config: Pick<ServiceConfig, 'publicUrl'>;
}

/** The UI's top bar logo (instead of Fastify's): the name, white on the bar's dark background. */
const LOGO_SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">' +
    '<text x="0" y="29" font-family="sans-serif" font-size="28" font-weight="700" fill="#fff">xpost</text></svg>',
);

const UNAUTHORIZED = {
  description: 'No API key, or one that is malformed, unknown or revoked (`WWW-Authenticate: Bearer`).',
  content: { 'application/problem+json': { schema: ProblemSchema } },
};

export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'xpost service',
        version: packageVersion(),
        description:
          'Self-hosted posting to X: one request in, published exactly once, now or at a scheduled time. ' +
          'Every route but `/health` (and the OAuth callback the browser comes back to) needs ' +
          '`Authorization: Bearer <api key>`; create a key with `xpost keys create`. Errors are ' +
          '`application/problem+json` with a stable `code`.',
      },
      servers: [{ url: options.config.publicUrl }],
      components: {
        securitySchemes: {
          [SECURITY_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'xpost API key',
            description: 'An API key from `xpost keys create`, sent as `Authorization: Bearer <key>`.',
          },
        },
      },
      security: [{ [SECURITY_SCHEME]: [] }],
      tags: OPENAPI_TAGS.map((tag) => ({ ...tag })),
    },
    transform: documentRoute,
  });

  // The document and the UI in their own context, whose `onRoute` hook marks every route in it public
  // (the auth hook reads `routeOptions.config.public`). That covers the routes @fastify/swagger-ui
  // and its @fastify/static register under /docs/*, which take no `config` of ours.
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    docs.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
    await docs.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      // persistAuthorization false: an API key typed into "Authorize" is not kept in localStorage.
      uiConfig: { deepLinking: true, persistAuthorization: false, tryItOutEnabled: false },
      theme: { title: 'xpost service API' },
      logo: { type: 'image/svg+xml', content: LOGO_SVG },
      // Everything from this origin; "Try it out" may call the public URL when it is another origin.
      staticCSP: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'connect-src': ["'self'", new URL(options.config.publicUrl).origin],
        'frame-ancestors': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
      },
    });
  });
}

/**
 * Per route, for the document only (Fastify keeps validating with the route's own schema): a public
 * route gets `security: []` (no key), every other one that declares responses a 401 response; the
 * document and the UI are left out of the document they serve.
 */
const documentRoute: SwaggerTransform = ({ schema, url, route }) => {
  const own: FastifySchema = schema ?? {};
  if (url === OPENAPI_PATH || url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`)) {
    return { schema: { ...own, hide: true }, url };
  }
  if (route.config?.public === true) return { schema: { ...own, security: [] }, url };
  // Without a response schema @fastify/swagger documents a bare 200; adding a 401 would hide it.
  const response = own.response as Record<string, unknown> | undefined;
  if (response === undefined || response['401'] !== undefined) return { schema: own, url };
  return { schema: { ...own, response: { ...response, 401: UNAUTHORIZED } }, url };
};
