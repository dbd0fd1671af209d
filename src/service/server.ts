import Fastify, { type FastifyInstance } from 'fastify';
import { buildServiceApp, SERVICE_FASTIFY_OPTIONS } from './app.js';
import type { ServiceConfig } from './config.js';
import { loadSecretBox } from './crypto/load-secret-box.js';
import type { SecretBox } from './crypto/secret-box.js';
import { migrate } from './db/migrate.js';
import { openDatabase } from './db/open.js';
import type { Db } from './db/types.js';
import { serviceLoggerOptions } from './log-redaction.js';
import type { WorkerProbe } from './routes/health.js';

/** The parts that run beside the HTTP API in one process (the worker, the sandbox emulator). */
export interface ServiceExtras {
  /** How `/health` reports them. */
  worker?: WorkerProbe;
  /** Called on shutdown after the server stopped taking requests, before the database closes. */
  stop(): Promise<void>;
}

export interface StartServiceOptions {
  config: ServiceConfig;
  /** Override `config.port` / `config.host` (`xpost serve --port`). */
  port?: number;
  host?: string;
  /** Pino options or false; default `serviceLoggerOptions(config.logLevel)`. */
  logger?: false | ReturnType<typeof serviceLoggerOptions>;
  /**
   * Hook point for the worker and sandbox slices: start what runs beside the API, given the open,
   * migrated database and the secret box. Not called by anything yet: `xpost serve` is API only.
   */
  startExtras?: (ctx: { config: ServiceConfig; db: Db; box: SecretBox }) => Promise<ServiceExtras>;
  /** Handle SIGINT and SIGTERM by shutting down (default true; tests pass false). */
  handleSignals?: boolean;
}

export interface RunningService {
  app: FastifyInstance;
  db: Db;
  /** `http://host:port` actually bound (port 0 resolved). */
  url: string;
  /** Graceful: stop taking requests and finish those in flight, stop the extras, close the database. */
  close(): Promise<void>;
}

/** The only place the service listens (DESIGN: `server.ts` alone listens and shuts down gracefully). */
export async function startService(options: StartServiceOptions): Promise<RunningService> {
  const { config } = options;
  const db = await openDatabase(
    config.database.kind === 'server'
      ? { url: config.database.url.reveal() }
      : { dataDir: config.database.path },
  );
  let extras: ServiceExtras | undefined;
  let app: FastifyInstance | undefined;
  try {
    await migrate(db);
    const box = await loadSecretBox(config);
    extras = options.startExtras ? await options.startExtras({ config, db, box }) : undefined;
    app = Fastify({
      ...SERVICE_FASTIFY_OPTIONS,
      logger: options.logger ?? serviceLoggerOptions(config.logLevel),
    });
    await app.register(
      buildServiceApp({ config, db, box, ...(extras?.worker && { worker: extras.worker }) }),
    );
    await app.listen({ port: options.port ?? config.port, host: options.host ?? config.host });
  } catch (error) {
    await app?.close().catch(() => {});
    await extras?.stop().catch(() => {});
    await db.close().catch(() => {});
    throw error;
  }
  const server = app;
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? config.port);
  const host = options.host ?? config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    server.log.info({ signal }, 'shutting down');
    void close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const close = (): Promise<void> => {
    closing ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      try {
        await server.close();
        await extras?.stop();
      } finally {
        await db.close();
      }
    })();
    return closing;
  };
  if (options.handleSignals !== false) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return { app: server, db, url, close };
}
