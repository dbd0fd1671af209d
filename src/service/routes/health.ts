import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../db/types.js';

export type ComponentStatus = 'ok' | 'down' | 'disabled';

/** What `/health` asks the worker; the worker slice supplies it. Absent: `disabled`. */
export type WorkerProbe = () => ComponentStatus | Promise<ComponentStatus>;

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  database: Type.Union([Type.Literal('ok'), Type.Literal('down')]),
  worker: Type.Union([Type.Literal('ok'), Type.Literal('down'), Type.Literal('disabled')]),
});

const PING_TIMEOUT_MS = 2_000;

/**
 * `GET /health`, without an API key: 200 `{ status: 'ok' }` when the database answers (and the
 * worker, when there is one, runs), `degraded` when only the worker is down, 503 when the database
 * does not answer within 2 s.
 */
export function registerHealthRoute(app: FastifyInstance, options: { db: Db; worker?: WorkerProbe }): void {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['operations'],
        summary: 'Liveness of the database and the worker (no API key needed)',
        response: { 200: Health, 503: Health },
      },
    },
    async (request, reply) => {
      const database = await ping(options.db).then(
        () => 'ok' as const,
        (error: unknown) => {
          request.log.warn({ err: error }, 'health: the database does not answer');
          return 'down' as const;
        },
      );
      const worker: ComponentStatus = options.worker
        ? await Promise.resolve()
            .then(options.worker)
            .catch(() => 'down' as const)
        : 'disabled';
      const status = database === 'ok' && worker !== 'down' ? 'ok' : 'degraded';
      return reply.status(database === 'ok' ? 200 : 503).send({ status, database, worker });
    },
  );
}

async function ping(db: Db): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.query({ text: 'SELECT 1' }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('database ping timed out')), PING_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
