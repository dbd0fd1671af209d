import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** The official X API spec, kept beside the checkout in ../shared/x-api/ (not copied into the project). */
export const SPEC_PATH = fileURLToPath(new URL('../../../shared/x-api/openapi.json', import.meta.url));
export const HAVE_SPEC = existsSync(SPEC_PATH);
export const SPEC_ABSENT_MESSAGE = `skipped: ${SPEC_PATH} is absent (see ../shared/x-api/README.md)`;

type Json = Record<string, unknown>;

let spec: Json | undefined;

function loadSpec(): Json {
  spec ??= JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Json;
  return spec;
}

/** Inline every `#/components/...` reference into one self-contained schema. */
function deref(node: unknown, root: Json, seen: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((item) => deref(item, root, seen));
  if (!node || typeof node !== 'object') return node;
  const { $ref, ...rest } = node as Json;
  if (typeof $ref === 'string') {
    if (seen.includes($ref)) throw new Error(`recursive $ref ${$ref}`);
    const target = $ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((at, key) => (at as Json)[key], root);
    return { ...(deref(target, root, [...seen, $ref]) as Json), ...(deref(rest, root, seen) as Json) };
  }
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, deref(v, root, seen)]));
}

/** The JSON request-body schema of one operation of the official spec, `$ref`s inlined. */
export function officialRequestBodySchema(method: 'post' | 'put' | 'patch', path: string): Json {
  const root = loadSpec();
  const operation = ((root.paths as Json)[path] as Json)[method] as Json;
  const content = (operation.requestBody as Json).content as Json;
  return deref((content['application/json'] as Json).schema, root) as Json;
}

/** Compile a schema the way both sides are compared: lenient about unknown keywords, with formats. */
export function compileSchema(schema: object): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  // ajv-formats is CommonJS: its plugin is the module itself, also exported as `default`.
  const plugin = addFormatsModule as unknown as { default?: (a: Ajv) => void } & ((a: Ajv) => void);
  (plugin.default ?? plugin)(ajv);
  return ajv.compile(schema);
}
