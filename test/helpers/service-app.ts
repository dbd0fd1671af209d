import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { EmulatorHandle, ReadyUser } from '../../src/emulator/index.js';
import { saveOAuth2Account } from '../../src/service/accounts/save-account.js';
import { buildServiceApp, SERVICE_FASTIFY_OPTIONS } from '../../src/service/app.js';
import { createApiKey } from '../../src/service/auth/api-keys.js';
import { loadServiceConfig, type ServiceConfig } from '../../src/service/config.js';
import { SecretBox } from '../../src/service/crypto/secret-box.js';
import type { Db } from '../../src/service/db/types.js';
import type { RouteDeps, XAppAccess } from '../../src/service/deps.js';
import { type AccountRow, type ApiKeyRow, apiKeys } from '../../src/service/store/sql.js';
import type { XAccess } from '../../src/service/worker/account-client.js';
import { xAccessUnavailable } from '../../src/service/x-access.js';

/**
 * Building blocks for service route tests: the real app (auth, problem+json) on Fastify with the
 * service's options, an API key, an injected clock, and the emulator as X. Routes under test are
 * registered beside the app by `register`, the way `buildServiceApp` registers its own.
 */

export interface TestClock {
  (): Date;
  now(): Date;
  set(at: Date | number): void;
  advance(ms: number): void;
}

/** A clock tests move by hand. It starts at real time: the emulator's tokens and posts use real time. */
export function testClock(start: Date | number = Date.now()): TestClock {
  let time = typeof start === 'number' ? start : start.getTime();
  const clock = (() => new Date(time)) as TestClock;
  clock.now = () => new Date(time);
  clock.set = (at) => {
    time = typeof at === 'number' ? at : at.getTime();
  };
  clock.advance = (ms) => {
    time += ms;
  };
  return clock;
}

/** How the service reaches the emulator: its app's client, fast retries. */
export function emulatorAccess(emulator: EmulatorHandle): XAccess {
  return {
    clientId: emulator.app.clientId,
    ...(emulator.app.clientSecret ? { clientSecret: emulator.app.clientSecret } : {}),
    client: { apiBase: emulator.url, retryBaseDelayMs: 1, retryMaxDelayMs: 5 },
  };
}

export function emulatorApp(emulator: EmulatorHandle): XAppAccess {
  return {
    clientId: emulator.app.clientId,
    ...(emulator.app.clientSecret ? { clientSecret: emulator.app.clientSecret } : {}),
    apiBase: emulator.url,
    authorizeUrl: `${emulator.url}/i/oauth2/authorize`,
    sandbox: false,
  };
}

export interface TestServiceApp {
  app: FastifyInstance;
  /** `{ authorization: 'Bearer xpk_…' }` for `app.inject({ headers })`. */
  headers: { authorization: string };
  apiKey: string;
  apiKeyId: string;
  deps: RouteDeps;
  clock: TestClock;
}

export interface TestServiceAppOptions {
  db: Db;
  emulator?: EmulatorHandle;
  clock?: TestClock;
  box?: SecretBox;
  config?: ServiceConfig;
  queue?: RouteDeps['queue'];
  /**
   * Registers the routes under test, with the deps the app was built from, beside the app's core
   * (errors, auth, /health). Absent: the whole API, as `xpost serve` runs it.
   */
  register?: (app: FastifyInstance, deps: RouteDeps) => void | Promise<void>;
  /** Fastify options over the service's own (a short `connectionTimeout`, say). */
  fastify?: FastifyServerOptions;
}

/** For apps that never reach X (tests of the core): any use of X throws. */
export const NO_X = Object.freeze({
  x: (): XAccess => {
    throw new Error('this test app has no X to reach');
  },
  xApp: {
    clientId: 'none',
    apiBase: 'http://127.0.0.1:9',
    authorizeUrl: 'http://127.0.0.1:9/',
    sandbox: false,
  },
});

export async function buildTestServiceApp(options: TestServiceAppOptions): Promise<TestServiceApp> {
  const clock = options.clock ?? testClock();
  const box = options.box ?? new SecretBox(randomBytes(32));
  const config =
    options.config ??
    loadServiceConfig({
      XPOST_HOME: `/tmp/xpost-test-${process.pid}`,
      XPOST_ALLOW_PRIVATE_MEDIA_URLS: 'true',
    });
  const emulator = options.emulator;
  const deps: RouteDeps = {
    config,
    db: options.db,
    box,
    clock,
    ...(options.queue ? { queue: options.queue } : {}),
    x: (account) => {
      if (!emulator) throw new Error('buildTestServiceApp: pass an emulator to reach X');
      // As in production (x-access.ts), with the emulator playing X: a sandbox account is unreachable.
      const asX = { sandbox: false as const, clientId: emulator.app.clientId, apiBase: emulator.url };
      const refused = xAccessUnavailable({ x: { ...asX, clientSecret: undefined } }, account);
      if (refused) throw refused;
      return emulatorAccess(emulator);
    },
    xApp: emulator
      ? emulatorApp(emulator)
      : {
          clientId: 'none',
          apiBase: 'http://127.0.0.1:9',
          authorizeUrl: 'http://127.0.0.1:9/',
          sandbox: false,
        },
  };
  const app = Fastify({ ...SERVICE_FASTIFY_OPTIONS, logger: false, ...options.fastify });
  await app.register(
    buildServiceApp({
      config,
      db: options.db,
      box,
      clock,
      ...(deps.queue ? { queue: deps.queue } : {}),
      x: deps.x,
      xApp: deps.xApp,
      routes: options.register === undefined,
    }),
  );
  await options.register?.(app, deps);
  await app.ready();
  const { key, id } = await insertApiKey(options.db);
  return { app, headers: { authorization: `Bearer ${key}` }, apiKey: key, apiKeyId: id, deps, clock };
}

export async function insertApiKey(db: Db, name = 'test'): Promise<{ key: string; id: string }> {
  const created = createApiKey();
  const { rows } = await db.query<ApiKeyRow>(apiKeys.insert({ name, ...created }));
  return { key: created.key, id: rows[0]!.id };
}

/** Connects an emulator user (default its ready user) as an OAuth 2.0 account, tokens sealed. */
export async function connectEmulatorUser(
  db: Db,
  box: SecretBox,
  emulator: EmulatorHandle,
  options: { user?: ReadyUser; now?: number; premium?: boolean } = {},
): Promise<AccountRow> {
  const user = options.user ?? emulator.user;
  return saveOAuth2Account(db, box, {
    user: { id: user.id, username: user.username, subscription_type: options.premium ? 'Premium' : 'None' },
    tokens: {
      accessToken: user.accessToken,
      refreshToken: user.refreshToken,
      expiresAt: (options.now ?? Date.now()) + 2 * 3600_000,
      scopes: [...user.scopes],
      tokenType: 'bearer',
    },
  });
}
