import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_API_BASE } from '../x/options.js';
import {
  editDistance,
  isLoopbackUrl,
  parseBoolean,
  parseHttpUrl,
  parseInteger,
  parseSize,
  urlProtocol,
} from './config-values.js';
import { Redacted } from './crypto/redacted.js';
import { parseSecretKey, SECRET_KEY_HINT } from './crypto/secret-key.js';

/**
 * The service's configuration: environment variables only, read once at start by
 * `loadServiceConfig()`, checked all together (every problem named in one `ServiceConfigError`) and
 * returned frozen and fully defaulted. `CONFIG_VARIABLES` holds the same table for docs and `--help`.
 *
 * | variable | type | default | what it does |
 * |---|---|---|---|
 * | `XPOST_HOME` | path | `~/.config/xpost` | xpost's folder, shared with the CLI; the service keeps its data in `$XPOST_HOME/data` |
 * | `DATABASE_URL` | `postgres://` URL | embedded PGlite in `$XPOST_HOME/data/pglite` | a PostgreSQL server, for several processes or machines |
 * | `PORT` | integer 0–65535 | `3000` | HTTP port (0: any free port) |
 * | `HOST` | interface address | `127.0.0.1` | address to listen on; `0.0.0.0` or `::` to accept connections from other machines |
 * | `XPOST_SECRET_KEY` | 32 bytes, base64 or hex | `$XPOST_HOME/data/secret.key`, made on first run | key that encrypts stored tokens; required with `DATABASE_URL` |
 * | `XPOST_SECRET_KEY_OLD` | keys, comma-separated | none | previous keys, to read what they sealed after a rotation |
 * | `XPOST_CLIENT_ID` | string | none: sandbox mode | the X app's OAuth 2.0 client id; without it posts go to an in-process emulator |
 * | `XPOST_CLIENT_SECRET` | string | none | the X app's OAuth 2.0 client secret (confidential clients) |
 * | `XPOST_API_BASE` | http(s) URL | `https://api.x.com` | the X API to call (an emulator's URL, say) |
 * | `XPOST_PUBLIC_URL` | http(s) URL | `http://localhost:$PORT` | where people and X reach the service: OAuth callback and links |
 * | `XPOST_CONNECT_REDIRECT` | URL or `/path` | none: a page saying the account is connected | where to send the browser after an account is connected |
 * | `XPOST_MEDIA_MAX_BYTES` | size (`1048576`, `200MB`, `1GiB`) | `512MiB` | largest media file fetched from a URL or uploaded |
 * | `XPOST_MEDIA_RETENTION_DAYS` | integer 0–3650 | `7` | days a media file is kept after the last post using it finished (or after upload, if no post used it); 0 keeps media forever |
 * | `XPOST_ALLOW_PRIVATE_MEDIA_URLS` | boolean | `false` | fetch media from private, loopback and link-local addresses (turns off an SSRF guard) |
 * | `XPOST_WORKER_CONCURRENCY` | integer 1–100 | `4` | publish jobs one worker process runs at once |
 * | `XPOST_LEASE_SECONDS` | integer 5–3600 | `300` | how long a worker holds a post it works on; a crashed worker's posts are taken over after it |
 * | `XPOST_MAX_ATTEMPTS` | integer 1–100 | `5` | failed runs of one post on one account (network, 5xx, failed uploads) before the last is final |
 * | `XPOST_RETRY_BASE_SECONDS` | integer 1–3600 | `30` | first backoff after a retryable failure; it doubles each time, up to `XPOST_RETRY_MAX_SECONDS` |
 * | `XPOST_RETRY_MAX_SECONDS` | integer 1–86400, at least the base | `3600` | the longest backoff between two runs of a post |
 * | `LOG_LEVEL` | `fatal` `error` `warn` `info` `debug` `trace` `silent` | `info` | pino log level |
 *
 * `HOST` defaults to loopback: a fresh install speaks plain HTTP with bearer API keys and can connect
 * X accounts, so it should not be reachable from the network until someone has put TLS in front of it
 * (a reverse proxy on the same machine reaches loopback). Containers set `HOST=0.0.0.0` on purpose.
 */

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';
/** The CLI's default too (src/cli/config.ts): `xpost login` and `xpost serve` share one home. */
export const DEFAULT_HOME_SUFFIX = join('.config', 'xpost');
export const DATA_DIR_NAME = 'data';
export const PGLITE_DIR_NAME = 'pglite';
/** Raise it toward X's own limits (8 GiB for video, docs/media.md) for long videos; it bounds disk use. */
export const DEFAULT_MEDIA_MAX_BYTES = 512 * 1024 * 1024;
/** Days media are kept once no post needs them (media/retention.ts); 0 keeps them forever. */
export const DEFAULT_MEDIA_RETENTION_DAYS = 7;
export const MAX_MEDIA_RETENTION_DAYS = 3650;
export const DEFAULT_WORKER_CONCURRENCY = 4;
export const MAX_WORKER_CONCURRENCY = 100;
export const DEFAULT_LEASE_SECONDS = 300;
export const MIN_LEASE_SECONDS = 5;
export const MAX_LEASE_SECONDS = 3600;
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_RETRY_BASE_SECONDS = 30;
export const DEFAULT_RETRY_MAX_SECONDS = 3600;
export const MAX_RETRY_MAX_SECONDS = 86_400;
export const DEFAULT_LOG_LEVEL = 'info';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** Where X sends the browser back after authorisation; routes serve it, X's app settings list it. */
export const OAUTH_CALLBACK_PATH = '/connect/x/callback';

export interface ConfigVariable {
  readonly name: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
  /** Its value is a credential: print whether it is set, never the value. */
  readonly secret: boolean;
}

const variable = (name: string, type: string, def: string, description: string, secret = false) =>
  Object.freeze({ name, type, default: def, description, secret });

export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.freeze([
  variable(
    'XPOST_HOME',
    'path',
    '~/.config/xpost',
    "xpost's folder, shared with the CLI; data in $XPOST_HOME/data",
  ),
  variable(
    'DATABASE_URL',
    'postgres:// URL',
    'embedded PGlite in $XPOST_HOME/data/pglite',
    'a PostgreSQL server, for several processes or machines',
    true,
  ),
  variable('PORT', 'integer 0-65535', String(DEFAULT_PORT), 'HTTP port (0: any free port)'),
  variable(
    'HOST',
    'interface address',
    DEFAULT_HOST,
    'address to listen on; 0.0.0.0 or :: for other machines',
  ),
  variable(
    'XPOST_SECRET_KEY',
    '32 bytes, base64 or hex',
    '$XPOST_HOME/data/secret.key, made on first run',
    'key that encrypts stored tokens; required with DATABASE_URL',
    true,
  ),
  variable(
    'XPOST_SECRET_KEY_OLD',
    'keys, comma-separated',
    'none',
    'previous keys, to read data after a rotation',
    true,
  ),
  variable(
    'XPOST_CLIENT_ID',
    'string',
    'none: sandbox mode',
    "the X app's OAuth 2.0 client id; without it, sandbox",
  ),
  variable('XPOST_CLIENT_SECRET', 'string', 'none', "the X app's OAuth 2.0 client secret", true),
  variable('XPOST_API_BASE', 'http(s) URL', DEFAULT_API_BASE, 'the X API to call (an emulator, say)'),
  variable(
    'XPOST_PUBLIC_URL',
    'http(s) URL',
    'http://localhost:$PORT',
    'where people and X reach the service',
  ),
  variable(
    'XPOST_CONNECT_REDIRECT',
    'URL or /path',
    'none: a page saying so',
    'where to go after connecting an account',
  ),
  variable('XPOST_MEDIA_MAX_BYTES', 'size (200MB, 1GiB)', '512MiB', 'largest media file fetched or uploaded'),
  variable(
    'XPOST_MEDIA_RETENTION_DAYS',
    `integer 0-${MAX_MEDIA_RETENTION_DAYS}`,
    String(DEFAULT_MEDIA_RETENTION_DAYS),
    'days media are kept once no post needs them (0: forever)',
  ),
  variable(
    'XPOST_ALLOW_PRIVATE_MEDIA_URLS',
    'boolean',
    'false',
    'fetch media from private addresses (no SSRF guard)',
  ),
  variable(
    'XPOST_WORKER_CONCURRENCY',
    `integer 1-${MAX_WORKER_CONCURRENCY}`,
    '4',
    'publish jobs per worker at once',
  ),
  variable(
    'XPOST_LEASE_SECONDS',
    `integer ${MIN_LEASE_SECONDS}-${MAX_LEASE_SECONDS}`,
    String(DEFAULT_LEASE_SECONDS),
    "how long a worker holds a post; a crashed worker's are taken over after it",
  ),
  variable(
    'XPOST_MAX_ATTEMPTS',
    'integer 1-100',
    String(DEFAULT_MAX_ATTEMPTS),
    'failed runs before a retryable failure (network, 5xx) is final',
  ),
  variable(
    'XPOST_RETRY_BASE_SECONDS',
    'integer 1-3600',
    String(DEFAULT_RETRY_BASE_SECONDS),
    'first backoff after a retryable failure (doubles each time)',
  ),
  variable(
    'XPOST_RETRY_MAX_SECONDS',
    `integer 1-${MAX_RETRY_MAX_SECONDS}`,
    String(DEFAULT_RETRY_MAX_SECONDS),
    'longest backoff between two runs of a post',
  ),
  variable('LOG_LEVEL', LOG_LEVELS.join('|'), DEFAULT_LOG_LEVEL, 'pino log level'),
]);

/** Read by the CLI only, so no typo warning when they are set in the service's environment. */
const CLI_VARIABLES = ['XPOST_ACCOUNT', 'XPOST_NO_BROWSER'];

export type DatabaseConfig =
  | { readonly kind: 'embedded'; readonly path: string }
  | { readonly kind: 'server'; readonly url: Redacted<string> };

export type XAppConfig =
  /** No X app configured: the server starts an emulator in-process and connects an account to it. */
  | { readonly sandbox: true }
  | {
      readonly sandbox: false;
      readonly clientId: string;
      readonly clientSecret: Redacted<string> | undefined;
      readonly apiBase: string;
    };

export interface ServiceConfig {
  readonly home: string;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly port: number;
  readonly host: string;
  /** From `XPOST_SECRET_KEY`; undefined in embedded mode without it: use `<dataDir>/secret.key`. */
  readonly secretKey: Redacted<Buffer> | undefined;
  readonly previousSecretKeys: readonly Redacted<Buffer>[];
  readonly sandbox: boolean;
  readonly x: XAppConfig;
  /** No trailing slash. */
  readonly publicUrl: string;
  /** `publicUrl` + `/connect/x/callback`: register it as the X app's callback URL. */
  readonly oauthCallbackUrl: string;
  /** Absolute; undefined: the service's own "connected" page. */
  readonly connectRedirect: string | undefined;
  readonly mediaMaxBytes: number;
  /**
   * How long (ms) a media file and its row are kept after the last post using it finished, or after
   * its upload if no post used it; 0 keeps media forever. The worker's sweep purges them hourly.
   */
  readonly mediaRetentionMs: number;
  readonly allowPrivateMediaUrls: boolean;
  readonly workerConcurrency: number;
  /** How long a claim on a target lasts (ms), extended while the worker works on it. */
  readonly leaseMs: number;
  /** Failed runs of one target (`post_targets.failures`) before a retryable failure is final. */
  readonly maxAttempts: number;
  /** First retry backoff (ms); doubles per failed run, up to `retryMaxMs`. */
  readonly retryBaseMs: number;
  /** The longest backoff (`XPOST_RETRY_MAX_SECONDS`). */
  readonly retryMaxMs: number;
  readonly logLevel: LogLevel;
  /** Worth logging at start, not worth refusing to start: unknown `XPOST_*` names and the like. */
  readonly warnings: readonly string[];
}

export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

export class ServiceConfigError extends Error {
  override readonly name = 'ServiceConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`xpost service configuration has ${count}:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`);
    this.problems = Object.freeze([...problems]);
  }
}

export interface LoadServiceConfigOptions {
  /** Stands in for the user's home folder (tests). */
  homedir?: string;
  /** Relative `XPOST_HOME` is resolved against it; default `process.cwd()`. */
  cwd?: string;
}

export function loadServiceConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: LoadServiceConfigOptions = {},
): ServiceConfig {
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const problem = (name: string, message: string) =>
    problems.push({ variable: name, message: `${name} ${message}` });
  const read = (name: string): string | undefined => {
    // `VAR=` in a compose file or unit means "not set", as it does for the CLI.
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const home = resolveHomeDir(read('XPOST_HOME'), options);
  const dataDir = join(home, DATA_DIR_NAME);

  const port = parseInteger(read('PORT'), DEFAULT_PORT, 0, 65_535);
  if (port === undefined) problem('PORT', `must be a whole number from 0 to 65535 (got "${read('PORT')}")`);

  let host = read('HOST') ?? DEFAULT_HOST;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (!/^[A-Za-z0-9.:%-]+$/.test(host)) {
    problem(
      'HOST',
      `must be an address to listen on such as 127.0.0.1, 0.0.0.0 or :: (got "${host}"); the URL people use goes in XPOST_PUBLIC_URL`,
    );
  }

  let database: DatabaseConfig = { kind: 'embedded', path: join(dataDir, PGLITE_DIR_NAME) };
  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined) {
    const protocol = urlProtocol(databaseUrl);
    if (protocol === 'postgres:' || protocol === 'postgresql:') {
      database = { kind: 'server', url: new Redacted(databaseUrl) };
    } else {
      // Never echo the value: it usually holds a password.
      const got = protocol === undefined ? 'it is not a URL' : `its scheme is ${protocol.slice(0, 20)}`;
      problem(
        'DATABASE_URL',
        `must be postgres://user:password@host:5432/database (${got}); unset it to use the embedded database in ${database.path}`,
      );
    }
  }

  const secretKeyText = read('XPOST_SECRET_KEY');
  let secretKey: Redacted<Buffer> | undefined;
  if (secretKeyText !== undefined) {
    const key = parseSecretKey(secretKeyText);
    if (key) secretKey = new Redacted(key);
    else
      problem(
        'XPOST_SECRET_KEY',
        `is not a valid key (${describeBadKey(secretKeyText)}): ${SECRET_KEY_HINT}`,
      );
  } else if (databaseUrl !== undefined) {
    problem(
      'XPOST_SECRET_KEY',
      'is required with DATABASE_URL: every process sharing the database must use the same key, so it ' +
        `cannot be made in one machine's data folder. ${capitalise(SECRET_KEY_HINT)}, keep it in your ` +
        'secret store, and set it for every `xpost serve` and `xpost worker`',
    );
  }
  const previousSecretKeys: Redacted<Buffer>[] = [];
  const oldKeys = (read('XPOST_SECRET_KEY_OLD') ?? '').split(/[\s,]+/).filter((text) => text !== '');
  oldKeys.forEach((text, index) => {
    const key = parseSecretKey(text);
    if (key) previousSecretKeys.push(new Redacted(key));
    else
      problem(
        'XPOST_SECRET_KEY_OLD',
        `key ${index + 1} of ${oldKeys.length} is not valid (${describeBadKey(text)}): ${SECRET_KEY_HINT}`,
      );
  });

  const clientId = read('XPOST_CLIENT_ID');
  const clientSecret = read('XPOST_CLIENT_SECRET');
  const apiBaseText = read('XPOST_API_BASE');
  const apiBase = parseHttpUrl(apiBaseText ?? DEFAULT_API_BASE);
  if (apiBase === undefined) {
    problem(
      'XPOST_API_BASE',
      `must be an http:// or https:// URL without query or fragment (got "${apiBaseText}"), such as ${DEFAULT_API_BASE}`,
    );
  }
  let x: XAppConfig = { sandbox: true };
  if (clientId !== undefined) {
    x = {
      sandbox: false,
      clientId,
      clientSecret: clientSecret === undefined ? undefined : new Redacted(clientSecret),
      apiBase: apiBase ?? DEFAULT_API_BASE,
    };
  } else if (clientSecret !== undefined) {
    problem(
      'XPOST_CLIENT_SECRET',
      'is set but XPOST_CLIENT_ID is not: set XPOST_CLIENT_ID as well (the OAuth 2.0 client id in the X developer portal), or unset both to run in sandbox mode',
    );
  } else if (apiBaseText !== undefined) {
    warnings.push(
      'XPOST_API_BASE is ignored in sandbox mode (no XPOST_CLIENT_ID): posts go to an in-process emulator',
    );
  }

  const publicUrlText = read('XPOST_PUBLIC_URL');
  const publicUrl =
    publicUrlText === undefined ? `http://localhost:${port ?? DEFAULT_PORT}` : parseHttpUrl(publicUrlText);
  if (publicUrl === undefined) {
    problem(
      'XPOST_PUBLIC_URL',
      `must be the http(s) URL people and X use to reach the service, without query or fragment, such as https://xpost.example.com (got "${publicUrlText}")`,
    );
  } else if (publicUrl.startsWith('http://') && !isLoopbackUrl(publicUrl)) {
    warnings.push(
      `XPOST_PUBLIC_URL (${publicUrl}) is plain http on a non-local host: API keys and OAuth codes would cross the network unencrypted; serve it over https`,
    );
  }

  const redirectText = read('XPOST_CONNECT_REDIRECT');
  let connectRedirect: string | undefined;
  if (redirectText !== undefined) {
    connectRedirect =
      redirectText.startsWith('/') && !redirectText.startsWith('//')
        ? `${publicUrl ?? ''}${redirectText}`
        : parseHttpUrl(redirectText, true);
    if (connectRedirect === undefined) {
      problem(
        'XPOST_CONNECT_REDIRECT',
        `must be an http(s) URL or a path starting with / (got "${redirectText}")`,
      );
    }
  }

  const mediaMaxBytes = parseSize(read('XPOST_MEDIA_MAX_BYTES'), DEFAULT_MEDIA_MAX_BYTES);
  if (mediaMaxBytes === undefined) {
    problem(
      'XPOST_MEDIA_MAX_BYTES',
      `must be a size in bytes, optionally with a unit: 104857600, 100MiB, 1GB (got "${read('XPOST_MEDIA_MAX_BYTES')}")`,
    );
  }

  const allowPrivateMediaUrls = parseBoolean(read('XPOST_ALLOW_PRIVATE_MEDIA_URLS'), false);
  if (allowPrivateMediaUrls === undefined) {
    problem(
      'XPOST_ALLOW_PRIVATE_MEDIA_URLS',
      `must be true or false (got "${read('XPOST_ALLOW_PRIVATE_MEDIA_URLS')}")`,
    );
  }

  const workerConcurrency = parseInteger(
    read('XPOST_WORKER_CONCURRENCY'),
    DEFAULT_WORKER_CONCURRENCY,
    1,
    MAX_WORKER_CONCURRENCY,
  );
  if (workerConcurrency === undefined) {
    problem(
      'XPOST_WORKER_CONCURRENCY',
      `must be a whole number from 1 to ${MAX_WORKER_CONCURRENCY} (got "${read('XPOST_WORKER_CONCURRENCY')}")`,
    );
  }

  const wholeNumber = (name: string, fallback: number, min: number, max: number): number => {
    const value = parseInteger(read(name), fallback, min, max);
    if (value === undefined)
      problem(name, `must be a whole number from ${min} to ${max} (got "${read(name)}")`);
    return value ?? fallback;
  };
  const leaseSeconds = wholeNumber(
    'XPOST_LEASE_SECONDS',
    DEFAULT_LEASE_SECONDS,
    MIN_LEASE_SECONDS,
    MAX_LEASE_SECONDS,
  );
  const maxAttempts = wholeNumber('XPOST_MAX_ATTEMPTS', DEFAULT_MAX_ATTEMPTS, 1, 100);
  const retryBaseSeconds = wholeNumber('XPOST_RETRY_BASE_SECONDS', DEFAULT_RETRY_BASE_SECONDS, 1, 3600);
  const retryMaxSeconds = wholeNumber(
    'XPOST_RETRY_MAX_SECONDS',
    DEFAULT_RETRY_MAX_SECONDS,
    1,
    MAX_RETRY_MAX_SECONDS,
  );
  if (retryMaxSeconds < retryBaseSeconds) {
    problem(
      'XPOST_RETRY_MAX_SECONDS',
      `must be at least XPOST_RETRY_BASE_SECONDS, ${retryBaseSeconds} (got "${retryMaxSeconds}")`,
    );
  }
  const mediaRetentionDays = wholeNumber(
    'XPOST_MEDIA_RETENTION_DAYS',
    DEFAULT_MEDIA_RETENTION_DAYS,
    0,
    MAX_MEDIA_RETENTION_DAYS,
  );

  const logLevel = (read('LOG_LEVEL') ?? DEFAULT_LOG_LEVEL).toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problem('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${read('LOG_LEVEL')}")`);
  }

  warnings.push(...unknownVariableWarnings(env));
  if (problems.length > 0) throw new ServiceConfigError(problems);

  return deepFreeze({
    home,
    dataDir,
    database,
    port: port!,
    host,
    secretKey,
    previousSecretKeys,
    sandbox: x.sandbox,
    x,
    publicUrl: publicUrl!,
    oauthCallbackUrl: `${publicUrl}${OAUTH_CALLBACK_PATH}`,
    connectRedirect,
    mediaMaxBytes: mediaMaxBytes!,
    mediaRetentionMs: mediaRetentionDays * 24 * 60 * 60 * 1000,
    allowPrivateMediaUrls: allowPrivateMediaUrls!,
    workerConcurrency: workerConcurrency!,
    leaseMs: leaseSeconds * 1000,
    maxAttempts,
    retryBaseMs: retryBaseSeconds * 1000,
    retryMaxMs: retryMaxSeconds * 1000,
    logLevel: logLevel as LogLevel,
    warnings,
  });
}

function resolveHomeDir(value: string | undefined, options: LoadServiceConfigOptions): string {
  const user = options.homedir ?? homedir();
  if (value === undefined) return join(user, DEFAULT_HOME_SUFFIX);
  // A shell expands `~` but a unit file or compose file does not.
  if (value === '~' || value.startsWith('~/')) return join(user, value.slice(1));
  return isAbsolute(value) ? resolve(value) : resolve(options.cwd ?? process.cwd(), value);
}

/** Length only: the text may be a real key with a character missing, and this goes to a log. */
function describeBadKey(text: string): string {
  return `${text.length} characters that are neither 64 hex digits nor base64 of 32 bytes`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function unknownVariableWarnings(env: NodeJS.ProcessEnv): string[] {
  const known = [...CONFIG_VARIABLES.map((v) => v.name), ...CLI_VARIABLES];
  return Object.keys(env)
    .filter((name) => name.startsWith('XPOST_') && !known.includes(name))
    .sort()
    .map((name) => {
      const near = known.filter((k) => k.startsWith('XPOST_')).find((k) => editDistance(name, k) <= 2);
      return `${name} is not an xpost setting and is ignored${near ? ` (did you mean ${near}?)` : ''}`;
    });
}

/** Freeze plain objects and arrays; `Redacted` freezes itself and holds its Buffer privately. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
