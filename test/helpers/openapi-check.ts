import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatParamUrl } from '@fastify/swagger';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

/**
 * Checks of the service's own OpenAPI document (`/openapi.json`), for any test that builds the app:
 *
 *   const app = Fastify(SERVICE_FASTIFY_OPTIONS);
 *   const routes = recordRoutes(app);              // before anything registers a route
 *   await registerOpenApi(app, { config });
 *   await app.register(buildServiceApp(...));
 *   await app.ready();
 *   const doc = (await app.inject({ url: '/openapi.json' })).json();
 *   expect(undocumentedRoutes(doc, routes)).toEqual([]);
 *   expect(openApiProblems(doc)).toEqual([]);
 *
 * `openApiProblems` checks the structure itself (always), then validates against the official
 * OpenAPI 3.1 JSON schema and runs `openapi-spec-validator` when Python has that package (the node
 * machine image does); `openApiValidators()` says which ran.
 */

type Json = Record<string, unknown>;

export interface RecordedRoute {
  method: string;
  /** Fastify's form: `/api/posts/:id`. */
  url: string;
  public: boolean;
  hidden: boolean;
}

/** Every route registered from now on (HEAD routes Fastify adds for GETs left out). */
export function recordRoutes(app: FastifyInstance): RecordedRoute[] {
  const routes: RecordedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push({
        method,
        url: route.url,
        public: route.config?.public === true,
        hidden: route.schema?.hide === true,
      });
    }
  });
  return routes;
}

/** `/api/posts/:id` → `/api/posts/{id}`, as @fastify/swagger writes paths. */
export function openApiPath(url: string): string {
  return formatParamUrl(url);
}

/**
 * Routes under `under` (default `/api`) that the document lacks, as `GET /api/posts/:id`, plus those
 * whose security disagrees with the route: a public route must have `security: []`, any other the
 * global bearer requirement (`security` absent or non-empty).
 */
export function undocumentedRoutes(
  doc: Json,
  routes: readonly RecordedRoute[],
  options: { under?: string } = {},
): string[] {
  const under = options.under ?? '/api';
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  const problems: string[] = [];
  for (const route of routes) {
    if (route.url !== under && !route.url.startsWith(`${under}/`)) continue;
    const operation = paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
    if (!operation) {
      problems.push(`${route.method} ${route.url}: not in the document`);
      continue;
    }
    const security = operation.security as unknown[] | undefined;
    const open = Array.isArray(security) && security.length === 0;
    if (route.public && !open)
      problems.push(`${route.method} ${route.url}: public but documented as needing a key`);
    if (!route.public && open)
      problems.push(`${route.method} ${route.url}: needs a key but documented as public`);
  }
  return problems;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Problems of structure that hold for any valid OpenAPI 3.1 document, plus the service's own rules. */
export function openApiStructureProblems(doc: Json): string[] {
  const problems: string[] = [];
  const add = (text: string) => problems.push(text);
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi))
    add(`openapi: ${String(doc.openapi)}`);
  const info = doc.info as Json | undefined;
  if (typeof info?.title !== 'string' || info.title === '') add('info.title is missing');
  if (typeof info?.version !== 'string' || info.version === '') add('info.version is missing');
  const components = (doc.components ?? {}) as Json;
  const schemes = (components.securitySchemes ?? {}) as Record<string, Json>;
  const tagNames = new Set(((doc.tags ?? []) as Json[]).map((t) => t.name));
  const checkSecurity = (where: string, security: unknown) => {
    if (security === undefined) return;
    if (!Array.isArray(security)) return add(`${where}.security is not an array`);
    for (const requirement of security as Json[]) {
      for (const name of Object.keys(requirement)) {
        if (!schemes[name]) add(`${where}.security names an unknown scheme ${name}`);
      }
    }
  };
  checkSecurity('document', doc.security);
  const operationIds = new Set<string>();
  const paths = doc.paths as Record<string, Json> | undefined;
  if (!paths || typeof paths !== 'object') return [...problems, 'paths is missing'];
  for (const [path, item] of Object.entries(paths)) {
    if (!path.startsWith('/')) add(`path ${path} does not start with /`);
    if (path.includes(':') || path.includes('*')) add(`path ${path} has a Fastify parameter left in it`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const [method, value] of Object.entries(item)) {
      if (method === 'parameters' || method === 'summary' || method === 'description') continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (!METHODS.includes(method)) {
        add(`${where}: not an HTTP method`);
        continue;
      }
      const operation = value as Json;
      const responses = operation.responses as Record<string, Json> | undefined;
      if (!responses || Object.keys(responses).length === 0) add(`${where}: no responses`);
      for (const [status, response] of Object.entries(responses ?? {})) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) add(`${where}: response key ${status}`);
        if (typeof response.description !== 'string') add(`${where}: response ${status} has no description`);
      }
      const parameters = (operation.parameters ?? []) as Json[];
      const seen = new Set<string>();
      for (const p of parameters) {
        const key = `${String(p.in)}:${String(p.name)}`;
        if (seen.has(key)) add(`${where}: parameter ${key} twice`);
        seen.add(key);
        if (p.in === 'path' && p.required !== true)
          add(`${where}: path parameter ${String(p.name)} not required`);
        if (p.in === 'path' && !templated.includes(String(p.name)))
          add(`${where}: path parameter ${String(p.name)} not in the path`);
      }
      for (const name of templated) {
        if (!seen.has(`path:${name}`)) add(`${where}: {${name}} has no path parameter`);
      }
      if (typeof operation.operationId === 'string') {
        if (operationIds.has(operation.operationId))
          add(`${where}: operationId ${operation.operationId} twice`);
        operationIds.add(operation.operationId);
      }
      for (const tag of (operation.tags ?? []) as string[]) {
        if (!tagNames.has(tag)) add(`${where}: tag ${tag} is not declared in the document's tags`);
      }
      checkSecurity(where, operation.security);
    }
  }
  for (const ref of refs(doc)) {
    if (!ref.startsWith('#/')) add(`$ref ${ref} is not local`);
    else if (resolvePointer(doc, ref) === undefined) add(`$ref ${ref} does not resolve`);
  }
  return problems;
}

function refs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refs(item, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refs(value, found);
    }
  }
  return found;
}

function resolvePointer(doc: Json, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((part) => decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Json)[key] : undefined), doc);
}

// ---------------------------------------------------------------------------------------------
// The official validators, when Python's openapi-spec-validator is installed

let validatorHome: string | null | undefined;

/** The folder of Python's `openapi_spec_validator` package, or null when there is none. */
function specValidatorHome(): string | null {
  if (validatorHome === undefined) {
    const run = spawnSync(
      'python3',
      ['-c', 'import os, openapi_spec_validator as v; print(os.path.dirname(v.__file__))'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    const home = run.status === 0 ? run.stdout.trim() : '';
    validatorHome = home !== '' && existsSync(home) ? home : null;
  }
  return validatorHome;
}

/** Which validators `openApiProblems` runs here: always `structure`, the others when installed. */
export function openApiValidators(): string[] {
  const home = specValidatorHome();
  return home ? ['structure', 'official JSON schema (ajv)', 'openapi-spec-validator'] : ['structure'];
}

/** Problems against the official OpenAPI 3.1 JSON schema (spec.openapis.org/oas/3.1/schema), via ajv. */
export function officialSchemaProblems(doc: Json): string[] | undefined {
  const home = specValidatorHome();
  const file = home && join(home, 'resources', 'schemas', 'v3.1', 'schema.json');
  if (!file || !existsSync(file)) return undefined;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  // ajv-formats is CommonJS: its plugin is the module itself, also exported as `default`.
  const plugin = addFormatsModule as unknown as { default?: (a: Ajv2020) => void } & ((a: Ajv2020) => void);
  (plugin.default ?? plugin)(ajv);
  // Not checked by the official schema either (it is "without schema validation"); ajv does not know it.
  ajv.addFormat('media-range', true);
  // ajv resolves the schema's `$dynamicRef: "#meta"` to the wrong anchor (every Schema Object is then
  // checked as a Parameter Object). Without an extending dialect it means the base dialect's `meta`
  // anchor, `#/$defs/schema`, so it is pointed there; openapi-spec-validator checks the schemas' contents.
  const text = readFileSync(file, 'utf8').replaceAll('"$dynamicRef": "#meta"', '"$ref": "#/$defs/schema"');
  const validate = ajv.compile(JSON.parse(text) as Json);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

/**
 * `python3 -m openapi_spec_validator` on the document: the reference validator, which also checks
 * every Schema Object against the 3.1 dialect and the path parameters. Undefined when not installed.
 */
export function specValidatorProblems(doc: Json): string[] | undefined {
  if (!specValidatorHome()) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'xpost-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const run = spawnSync('python3', ['-m', 'openapi_spec_validator', '--validation-errors', 'all', file], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status === 0 && run.stdout.includes('OK')) return [];
    return [`openapi-spec-validator (exit ${String(run.status)}): ${run.stdout}${run.stderr}`.trim()];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Everything wrong with the document that any available validator finds; [] when it is valid. */
export function openApiProblems(doc: Json): string[] {
  return [
    ...openApiStructureProblems(doc),
    ...(officialSchemaProblems(doc) ?? []),
    ...(specValidatorProblems(doc) ?? []),
  ];
}
