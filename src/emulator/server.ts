import type { FastifyInstance } from 'fastify';
import { buildEmulatorApp } from './app.js';
import type { EmulatorClock } from './clock.js';
import { EmulatorContext } from './context.js';
import type { FaultRule, FaultRuleInput } from './faults.js';
import type { EmulatorOptions } from './options.js';
import type { LimitSpec, RateLimitPreset, RateLimitTable } from './rate-limits.js';
import { ALL_POSTING_SCOPES, createReadyUser, type ReadyUser } from './state/fixtures.js';
import type { EmulatorStore, IssuedTokens } from './state/store.js';
import type { EmulatorApp, RequestLogEntry } from './state/types.js';

export interface EmulatorHandle {
  /** Base URL, e.g. `http://127.0.0.1:54321`: use it as the API base and as the authorize host. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The ready-made confidential app (client id and secret, consumer key and secret). */
  readonly app: EmulatorApp;
  /** The ready-made public app (PKCE with `client_id` in the body). */
  readonly publicApp: EmulatorApp;
  /** A user with an access token, a refresh token and OAuth 1.0a credentials for `app`. */
  readonly user: ReadyUser;
  /** A second user, for ownership and reply rules. */
  readonly otherUser: ReadyUser;
  /** The emulator's clock: `advance(ms)`, `set(epochMs)`, `setScale(n)`, `now()`. */
  readonly clock: EmulatorClock;
  /** Every record (posts, media, tokens, request log), to read in assertions. */
  readonly store: EmulatorStore;
  readonly faults: {
    add(rule: FaultRuleInput): FaultRule;
    remove(id: string): boolean;
    clear(): void;
    list(): FaultRule[];
  };
  readonly rateLimits: {
    set(endpoint: string, limits: LimitSpec[]): void;
    usePreset(preset: RateLimitPreset): void;
    resetWindows(): void;
    table(): RateLimitTable;
  };
  setPremium(userId: string, premium: boolean): void;
  createUser(fields: { username: string; name?: string; id?: string; premium?: boolean }): ReadyUser;
  issueToken(options?: {
    userId?: string;
    clientId?: string;
    scopes?: string[];
    ttlSecs?: number;
  }): IssuedTokens;
  /** Requests received per endpoint (`METHOD /route`). */
  requestCounts(): Record<string, number>;
  /** The request log, optionally for one endpoint. */
  requests(endpoint?: string): RequestLogEntry[];
  /** Forget all posts, media, tokens and counts; fixtures get fresh tokens (read them again from the handle). */
  reset(options?: { faults?: boolean; rateLimits?: boolean; clock?: boolean }): void;
  close(): Promise<void>;
  /** The Fastify instance, for `inject()`. */
  readonly server: FastifyInstance;
}

/** Start the emulator on 127.0.0.1 and a free port (unless told otherwise). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const ctx = new EmulatorContext(options);
  const server = buildEmulatorApp(ctx, { logger: options.logger });
  server.addHook('onClose', async () => ctx.close());
  const host = options.host ?? '127.0.0.1';
  await server.listen({ host, port: options.port ?? 0 });
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('emulator did not bind a TCP port');
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;

  return {
    url,
    host: address.address,
    port: address.port,
    get app() {
      return ctx.fixtures.app;
    },
    get publicApp() {
      return ctx.fixtures.publicApp;
    },
    get user() {
      return ctx.fixtures.user;
    },
    get otherUser() {
      return ctx.fixtures.otherUser;
    },
    clock: ctx.clock,
    store: ctx.store,
    faults: {
      add: (rule) => ctx.faults.add(rule),
      remove: (id) => ctx.faults.remove(id),
      clear: () => ctx.faults.clear(),
      list: () => ctx.faults.list(),
    },
    rateLimits: {
      set: (endpoint, limits) => ctx.limiter.set(endpoint, limits),
      usePreset: (preset) => ctx.limiter.usePreset(preset),
      resetWindows: () => ctx.limiter.resetWindows(),
      table: () => ctx.limiter.table,
    },
    setPremium(userId, premium) {
      const user = ctx.store.users.get(userId);
      if (!user) throw new Error(`no user with id ${userId}`);
      user.premium = premium;
    },
    createUser(fields) {
      return createReadyUser(ctx.store, ctx.fixtures.app, {
        id: fields.id ?? ctx.store.nextId(),
        username: fields.username,
        name: fields.name ?? fields.username,
        premium: fields.premium ?? false,
      });
    },
    issueToken(opts = {}) {
      return ctx.store.issueTokens(
        opts.clientId ?? ctx.fixtures.app.clientId,
        opts.userId ?? ctx.fixtures.user.id,
        opts.scopes ?? ALL_POSTING_SCOPES,
        opts.ttlSecs ?? ctx.settings.oauth.accessTokenTtlSecs,
      );
    },
    requestCounts: () => Object.fromEntries(ctx.store.requestCounts),
    requests: (endpoint) =>
      ctx.store.requestLog.filter((e) => endpoint === undefined || e.endpoint === endpoint),
    reset: (opts) => {
      ctx.reset(opts);
    },
    close: () => server.close(),
    server,
  };
}
