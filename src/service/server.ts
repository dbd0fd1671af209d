import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { buildServiceApp, SERVICE_FASTIFY_OPTIONS } from './app.js';
import type { ServiceConfig } from './config.js';
import { loadSecretBox } from './crypto/load-secret-box.js';
import { resealAll } from './crypto/reseal.js';
import type { SecretBox } from './crypto/secret-box.js';
import { migrate } from './db/migrate.js';
import { openDatabase } from './db/open.js';
import type { Db } from './db/types.js';
import { serviceLoggerOptions } from './log-redaction.js';
import type { JobQueue } from './queue/job-queue-types.js';
import { createJobQueue, type JobQueueOptions } from './queue/queue.js';
import { type RunningSandbox, type StartSandboxOptions, startSandbox } from './sandbox.js';
import { webhookDeadLetterHandler, webhookDeliveryHandler } from './webhooks/deliver.js';
import { webhookEventSink } from './webhooks/sink.js';
import { type RunningWorker, type StartWorkerOptions, startWorker } from './worker/runtime.js';
import { xAccessFromConfig, xAppFromConfig } from './x-access.js';

/**
 * The only place the service listens and the only place its processes start and stop (DESIGN:
 * `server.ts` alone listens and shuts down gracefully):
 * - `startService` (`xpost serve`): the HTTP API, the job queue, the worker runtime unless
 *   `worker: false` (`--no-worker`), and in sandbox mode the in-process X emulator;
 * - `startWorkerProcess` (`xpost worker`): the job queue and the worker runtime, no HTTP, on a
 *   PostgreSQL server shared with an `xpost serve --no-worker` and any number of other workers.
 */

/** What tests and embedders may tune in the worker runtime (the rest comes from the service). */
export type WorkerTuning = Partial<
  Pick<
    StartWorkerOptions,
    | 'clock'
    | 'events'
    | 'workerId'
    | 'concurrency'
    | 'leaseMs'
    | 'sweepIntervalMs'
    | 'publish'
    | 'webhooks'
    | 'onResult'
    | 'stopTimeoutMs'
  >
>;

type LoggerOption = false | ReturnType<typeof serviceLoggerOptions>;

export interface StartServiceOptions {
  config: ServiceConfig;
  /** Override `config.port` / `config.host` (`xpost serve --port`). */
  port?: number;
  host?: string;
  /** Pino options or false; default `serviceLoggerOptions(config.logLevel)`. */
  logger?: LoggerOption;
  /** Run the worker runtime in this process (default true; `xpost serve --no-worker`: false). */
  worker?: boolean;
  /** Worker runtime settings (tests shorten the sweep interval, inject a clock, …). */
  workerOptions?: WorkerTuning;
  queueOptions?: Omit<JobQueueOptions, 'onError'>;
  /** Sandbox emulator options (tests). */
  sandbox?: Pick<StartSandboxOptions, 'emulator'>;
  /** Now, for the routes and the worker; default real time. */
  clock?: () => Date;
  /** Handle SIGINT and SIGTERM by shutting down (default true; tests pass false). */
  handleSignals?: boolean;
}

export interface RunningService {
  app: FastifyInstance;
  db: Db;
  queue: JobQueue;
  /** Absent with `worker: false`. */
  worker: RunningWorker | undefined;
  /** Present in sandbox mode: the emulator posts go to, and the sandbox account. */
  sandbox: RunningSandbox | undefined;
  /** `http://host:port` actually bound (port 0 resolved). */
  url: string;
  /**
   * Graceful: stop taking requests and finish those in flight, then stop the worker (its jobs in
   * flight finish), the queue, the sandbox emulator, and close the database.
   */
  close(): Promise<void>;
}

export async function startService(options: StartServiceOptions): Promise<RunningService> {
  const { config } = options;
  const log = createLog(options.logger, config);
  const clock = options.clock ?? (() => new Date());
  const runWorker = options.worker !== false;
  const db = await openServiceDatabase(config);
  const stops: Array<() => Promise<unknown>> = [() => db.close()];
  const stopAll = async (): Promise<void> => {
    // Last started, first stopped; the database closes last even when a step fails.
    let failure: unknown;
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  };
  let app: FastifyInstance | undefined;
  let sandbox: RunningSandbox | undefined;
  let worker: RunningWorker | undefined;
  let queue: JobQueue;
  try {
    await migrate(db);
    const box = await loadSecretBox(config);
    await finishKeyRotation(db, box, log);
    if (config.sandbox) {
      sandbox = await startSandbox({ db, box, config, log, ...options.sandbox });
      stops.push(() => sandbox!.stop());
    }
    const x = sandbox?.xAccess ?? xAccessFromConfig(config);
    const xApp = sandbox?.xApp ?? xAppFromConfig(config);
    queue = await startQueue(db, log, options.queueOptions);
    stops.push(() => queue.stop());
    if (runWorker) {
      worker = await startWorker({
        ...serviceWorkerDefaults({ config, db, box, queue, clock, queueOptions: options.queueOptions }),
        x,
        log: log.child({ component: 'worker' }),
        ...options.workerOptions,
      });
      stops.push(() => worker!.stop());
      await workWebhookDeadLetters(db, queue);
    } else {
      const nobody = noWorkerWarning(config);
      if (nobody) log.warn({}, nobody);
    }
    // One pino instance for the requests, the worker and the queue (redaction included).
    const loggerInstance: FastifyBaseLogger = log;
    app =
      options.logger === false
        ? Fastify({ ...SERVICE_FASTIFY_OPTIONS, logger: false })
        : Fastify({ ...SERVICE_FASTIFY_OPTIONS, loggerInstance });
    await app.register(
      buildServiceApp({
        config,
        db,
        box,
        clock,
        queue,
        x,
        xApp,
        // Without a worker here, /health says `disabled` (the workers are other processes).
        ...(worker && { worker: worker.probe }),
      }),
    );
    await app.listen({ port: options.port ?? config.port, host: options.host ?? config.host });
  } catch (error) {
    await app?.close().catch(() => {});
    await stopAll().catch(() => {});
    throw error;
  }
  const server = app;
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? config.port);
  const host = options.host ?? config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const close = once(async () => {
    try {
      await server.close();
    } finally {
      await stopAll();
    }
  });
  const releaseSignals = options.handleSignals !== false ? exitOnSignals(close, log) : () => {};
  return {
    app: server,
    db,
    queue,
    worker,
    sandbox,
    url,
    close: async () => {
      releaseSignals();
      await close();
    },
  };
}

export interface StartWorkerProcessOptions {
  config: ServiceConfig;
  logger?: LoggerOption;
  /** Override `config.workerConcurrency` (`xpost worker --concurrency`). */
  concurrency?: number;
  workerOptions?: WorkerTuning;
  queueOptions?: Omit<JobQueueOptions, 'onError'>;
  handleSignals?: boolean;
}

export interface RunningWorkerProcess {
  db: Db;
  queue: JobQueue;
  worker: RunningWorker;
  /** Graceful: stop taking jobs and finish those in flight, stop the queue, close the database. */
  close(): Promise<void>;
}

/** `xpost worker` cannot run with this configuration; `hint` says what to do instead. */
export class WorkerRefusedError extends Error {
  override readonly name = 'WorkerRefusedError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** Why `xpost worker` cannot run with this configuration, or undefined when it can. */
export function workerProcessRefusal(
  config: Pick<ServiceConfig, 'database' | 'sandbox'>,
): WorkerRefusedError | undefined {
  if (config.database.kind === 'embedded') {
    return new WorkerRefusedError(
      'the embedded database is used by one process only',
      'run `xpost serve` (it includes the worker), or set DATABASE_URL to share a PostgreSQL server',
    );
  }
  if (config.sandbox) {
    return new WorkerRefusedError(
      'sandbox mode (no XPOST_CLIENT_ID): sandbox accounts post to the emulator inside `xpost serve`, which a separate worker cannot reach',
      'run the worker inside `xpost serve` (without --no-worker), or set XPOST_CLIENT_ID and XPOST_CLIENT_SECRET to post to X',
    );
  }
  return undefined;
}

/** `xpost worker`: the worker runtime on a shared PostgreSQL server, without HTTP. */
export async function startWorkerProcess(options: StartWorkerProcessOptions): Promise<RunningWorkerProcess> {
  const { config } = options;
  const refusal = workerProcessRefusal(config);
  if (refusal) throw refusal;
  const log = createLog(options.logger, config);
  const db = await openServiceDatabase(config);
  let queue: JobQueue | undefined;
  let worker: RunningWorker;
  try {
    // Whoever starts first migrates (an advisory lock serialises them), so workers may start before serve.
    await migrate(db);
    const box = await loadSecretBox(config);
    await finishKeyRotation(db, box, log);
    queue = await startQueue(db, log, options.queueOptions);
    worker = await startWorker({
      ...serviceWorkerDefaults({
        config,
        db,
        box,
        queue,
        clock: () => new Date(),
        queueOptions: options.queueOptions,
      }),
      x: xAccessFromConfig(config),
      log,
      ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      ...options.workerOptions,
    });
    await workWebhookDeadLetters(db, queue);
  } catch (error) {
    await queue?.stop().catch(() => {});
    await db.close().catch(() => {});
    throw error;
  }
  const started = { queue, worker };
  const close = once(async () => {
    try {
      await started.worker.stop();
      await started.queue.stop();
    } finally {
      await db.close();
    }
  });
  const releaseSignals = options.handleSignals !== false ? exitOnSignals(close, log) : () => {};
  return {
    db,
    queue,
    worker,
    close: async () => {
      releaseSignals();
      await close();
    },
  };
}

/** With `--no-worker`, a set-up in which no worker can ever run: say so at start. */
export function noWorkerWarning(config: Pick<ServiceConfig, 'database' | 'sandbox'>): string | undefined {
  if (config.database.kind === 'embedded') {
    return 'no worker runs in this process (--no-worker) and `xpost worker` cannot share the embedded database: nothing will be published; run `xpost serve` without --no-worker, or set DATABASE_URL';
  }
  if (config.sandbox) {
    return 'no worker runs in this process (--no-worker) and `xpost worker` refuses sandbox mode: nothing will be published to the sandbox; run `xpost serve` without --no-worker, or set XPOST_CLIENT_ID';
  }
  return undefined;
}

function createLog(option: LoggerOption | undefined, config: ServiceConfig): Logger {
  if (option === false) return pino({ level: 'silent' });
  return pino(option ?? serviceLoggerOptions(config.logLevel));
}

function openServiceDatabase(config: ServiceConfig): Promise<Db> {
  return openDatabase(
    config.database.kind === 'server'
      ? { url: config.database.url.reveal() }
      : { dataDir: config.database.path },
  );
}

/**
 * The worker as the service runs it: tuning from the configuration (lease, attempts, backoff), post
 * events turned into webhook deliveries in the same transaction, and the webhook queue worked with
 * signed deliveries (and its dead letters marked failed).
 */
function serviceWorkerDefaults(input: {
  config: ServiceConfig;
  db: Db;
  box: SecretBox;
  queue: JobQueue;
  clock: () => Date;
  queueOptions: Omit<JobQueueOptions, 'onError'> | undefined;
}): Omit<StartWorkerOptions, 'x' | 'log'> {
  const { config, db, box, queue, clock } = input;
  const deliver = webhookDeliveryHandler({
    db,
    box,
    clock,
    ...(input.queueOptions?.webhookRetry ? { retry: input.queueOptions.webhookRetry } : {}),
  });
  return {
    db,
    box,
    config,
    queue,
    clock: { now: clock },
    leaseMs: config.leaseMs,
    publish: {
      maxAttempts: config.maxAttempts,
      backoffBaseMs: config.retryBaseMs,
      backoffMaxMs: config.retryMaxMs,
    },
    events: webhookEventSink(queue),
    webhooks: deliver,
  };
}

/** Deliveries whose retries ran out without an answer recorded are marked failed. */
async function workWebhookDeadLetters(db: Db, queue: JobQueue): Promise<void> {
  await queue.workWebhookDeliveryDeadLetters(webhookDeadLetterHandler({ db }));
}

/** Moves stored secrets sealed with an old key to the current one (crypto/reseal.ts), and says so. */
async function finishKeyRotation(db: Db, box: SecretBox, log: Logger): Promise<void> {
  const { resealed, unreadable } = await resealAll(db, box);
  if (resealed > 0) {
    log.info({ resealed }, `re-encrypted ${resealed} stored secrets with the current XPOST_SECRET_KEY`);
  }
  if (unreadable > 0) {
    log.warn(
      { unreadable },
      `${unreadable} stored secrets cannot be opened with XPOST_SECRET_KEY or XPOST_SECRET_KEY_OLD: ` +
        'their accounts fail with secret_key_mismatch until connected again (webhooks: register them again); ' +
        'if a previous key is missing, add it to XPOST_SECRET_KEY_OLD',
    );
  }
}

async function startQueue(
  db: Db,
  log: Logger,
  options: Omit<JobQueueOptions, 'onError'> = {},
): Promise<JobQueue> {
  const queue = createJobQueue(db, {
    ...options,
    onError: (error) => log.error({ err: error, component: 'queue' }, 'job queue error'),
  });
  await queue.start();
  return queue;
}

/** SIGINT/SIGTERM: shut down gracefully, then exit 0 (1 if shutting down failed). Returns the undo. */
function exitOnSignals(close: () => Promise<void>, log: Logger): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info({ signal }, 'shutting down');
    void close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn();
    return running;
  };
}
