import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RouteDeps } from '../deps.js';
import { createServiceMetrics } from '../metrics/registry.js';

export type MetricsRouteDeps = RouteDeps & {
  /** Jobs waiting in a pg-boss queue (`JobQueue.size`); absent: no `xpost_queue_depth`. */
  queueSize?: (name: string) => Promise<number>;
};

const EXPOSITION_TYPE = 'text/plain; version=0.0.4';

/**
 * `GET /metrics`: Prometheus text exposition, with an API key like every other route (Prometheus
 * sends it with `authorization: { credentials: <key> }`). What it reports, and how, is in
 * `metrics/registry.ts`; the gauges and counters come from the database, so any `xpost serve`
 * reports the work of every worker.
 */
export function registerMetricsRoute(app: FastifyInstance, deps: MetricsRouteDeps): void {
  const metrics = createServiceMetrics({
    db: deps.db,
    ...(deps.queueSize && { queueSize: deps.queueSize }),
  });
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        description:
          'Posts and post targets by state, job queue depth, webhook deliveries by status, accounts by ' +
          'token health, X API calls by endpoint and status, media bytes in and uploaded, the publish ' +
          'latency histogram, and the Node.js process metrics of the answering process.',
        response: {
          200: {
            description: 'Prometheus text exposition format 0.0.4.',
            content: { [EXPOSITION_TYPE]: { schema: Type.String() } },
          },
        },
      },
    },
    async (_request, reply) => {
      const text = await metrics.scrape();
      return reply.type(metrics.contentType).send(text);
    },
  );
}
