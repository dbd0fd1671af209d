import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ServiceConfig } from './config.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { Db } from './db/types.js';
import type { RouteDeps, XAppAccess } from './deps.js';
import { registerApiKeyAuth } from './plugins/api-key-auth.js';
import { registerOpenApi } from './plugins/openapi.js';
import { registerProblemErrors } from './plugins/problem-errors.js';
import type { QueueName } from './queue/queue.js';
import { registerAccountRoutes } from './routes/accounts.js';
import { registerConnectRoutes } from './routes/connect.js';
import { registerHealthRoute, type WorkerProbe } from './routes/health.js';
import { registerMediaRoutes } from './routes/media.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerPostRoutes } from './routes/posts.js';
import { registerWebhookRoutes } from './routes/webhooks.js';
import type { AccountRow } from './store/sql.js';
import type { XAccess } from './worker/account-client.js';

/**
 * How long a connection may go without a byte either way before it is closed. Fastify sets no
 * request timeout (a large upload may rightly take many minutes), so without this a client that
 * stops sending mid-upload would hold its socket, and its half-written `.part` file, for ever; cut,
 * the upload's stream fails and storage removes the file at once.
 */
export const HTTP_IDLE_TIMEOUT_MS = 60_000;

/**
 * Options for the Fastify instance the service runs on (server.ts, and tests that build their own):
 * schema validation reports every problem (`allErrors`), and an unknown field is an error rather than
 * silently dropped (`removeAdditional: false`; schemas say `additionalProperties: false`), so a typo
 * such as `scheduledAt` gets a 422 instead of a post published now; and an idle connection is closed.
 */
export const SERVICE_FASTIFY_OPTIONS = Object.freeze({
  ajv: { customOptions: { allErrors: true, removeAdditional: false as const } },
  connectionTimeout: HTTP_IDLE_TIMEOUT_MS,
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
  /** How to reach X for an account (`xAccessFromConfig`, or the sandbox's). */
  x: (account: AccountRow) => XAccess;
  /** The X app accounts connect through (`xAppFromConfig`, or the sandbox's). */
  xApp: XAppAccess;
  /**
   * Register the API's routes and its OpenAPI document (default true). Route tests pass false and
   * register only the routes they test beside the core: error handling, API-key auth and /health.
   */
  routes?: boolean;
}

/**
 * The service as a Fastify plugin (STYLE, fastify/demo): `server.ts` creates Fastify, registers
 * this and listens; tests register it on `Fastify()` and use `app.inject()`. Order: error handling,
 * then auth, then routes. It is registered without encapsulation (as fastify-plugin would), so its
 * error handler, auth hook and request decoration also cover routes added beside it.
 */
export function buildServiceApp(options: ServiceAppOptions): FastifyPluginAsync {
  const clock = options.clock ?? (() => new Date());
  const deps: RouteDeps = {
    config: options.config,
    db: options.db,
    box: options.box,
    clock,
    ...(options.queue ? { queue: options.queue } : {}),
    x: options.x,
    xApp: options.xApp,
  };
  const plugin = async (app: FastifyInstance): Promise<void> => {
    registerProblemErrors(app);
    registerApiKeyAuth(app, { db: options.db, clock });
    if (options.routes === false) {
      registerHealthRoute(app, { db: options.db, ...(options.worker && { worker: options.worker }) });
      return;
    }
    // Before any route: @fastify/swagger builds /openapi.json from the routes registered after it.
    await registerOpenApi(app, { config: options.config });
    registerHealthRoute(app, { db: options.db, ...(options.worker && { worker: options.worker }) });
    registerMetricsRoute(app, {
      ...deps,
      ...(options.queue ? { queueSize: (name: string) => options.queue!.size(name as QueueName) } : {}),
    });
    registerPostRoutes(app, deps);
    await registerMediaRoutes(app, deps);
    registerAccountRoutes(app, deps);
    registerConnectRoutes(app, deps);
    registerWebhookRoutes(app, deps);
  };
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'xpost-service',
  });
}
