import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ServiceConfig } from './config.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { Db } from './db/types.js';
import type { RouteDeps, XAppAccess } from './deps.js';
import { registerApiKeyAuth } from './plugins/api-key-auth.js';
import { registerProblemErrors } from './plugins/problem-errors.js';
import { registerHealthRoute, type WorkerProbe } from './routes/health.js';
import type { AccountRow } from './store/sql.js';
import type { XAccess } from './worker/account-client.js';

/**
 * Options for the Fastify instance the service runs on (server.ts, and tests that build their own):
 * schema validation reports every problem (`allErrors`), and an unknown field is an error rather than
 * silently dropped (`removeAdditional: false`; schemas say `additionalProperties: false`), so a typo
 * such as `scheduledAt` gets a 422 instead of a post published now.
 */
export const SERVICE_FASTIFY_OPTIONS = Object.freeze({
  ajv: { customOptions: { allErrors: true, removeAdditional: false as const } },
});

export interface ServiceAppOptions {
  config: ServiceConfig;
  db: Db;
  box: SecretBox;
  /** Now, for `last_used_at` and schedules. Default `new Date()`. */
  clock?: () => Date;
  /** How `/health` learns whether the worker runs; absent: `worker: 'disabled'`. */
  worker?: WorkerProbe;
  /** The job queue (see `RouteDeps.queue`). */
  queue?: RouteDeps['queue'];
  /** How to reach X for an account; default: from `config` (see `xAccessFromConfig`). */
  x?: (account: AccountRow) => XAccess;
  /** The X app accounts connect through; default: from `config`. */
  xApp?: XAppAccess;
}

/**
 * The service as a Fastify plugin (STYLE, fastify/demo): `server.ts` creates Fastify, registers
 * this and listens; tests register it on `Fastify()` and use `app.inject()`. Order: error handling,
 * then auth, then routes. It is registered without encapsulation (as fastify-plugin would), so its
 * error handler, auth hook and request decoration also cover routes added beside it.
 */
export function buildServiceApp(options: ServiceAppOptions): FastifyPluginAsync {
  const clock = options.clock ?? (() => new Date());
  const plugin = async (app: FastifyInstance): Promise<void> => {
    registerProblemErrors(app);
    registerApiKeyAuth(app, { db: options.db, clock });
    registerHealthRoute(app, { db: options.db, ...(options.worker && { worker: options.worker }) });
  };
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'xpost-service',
  });
}
