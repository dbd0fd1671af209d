import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Queryable } from '../db/types.js';
import { registerDbGauges } from './collect.js';
import { counters } from './counters.js';
import { type CounterRow, renderStoredCounters } from './render.js';

export interface ServiceMetrics {
  /** `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  /** The whole exposition text of one scrape. */
  scrape(): Promise<string>;
}

export interface ServiceMetricsOptions {
  db: Queryable;
  /** Jobs waiting in a pg-boss queue; absent: no `xpost_queue_depth`. */
  queueSize?: (name: string) => Promise<number>;
  /**
   * prom-client's default metrics of this process (`process_cpu_seconds_total`,
   * `nodejs_eventloop_lag_seconds`, `nodejs_heap_size_used_bytes`, …), under their standard names so
   * the usual Node.js dashboards work. Default true.
   */
  processMetrics?: boolean;
}

/**
 * One registry per app (never prom-client's global one): two apps in a process, as in tests, each
 * report their own database. A scrape is prom-client's output (the database gauges, collected at
 * scrape time, and the process metrics) followed by the stored counters (render.ts): four small
 * `GROUP BY` queries, the two queue sizes and one read of `xpost.metric_counters`, run at once.
 */
export function createServiceMetrics(options: ServiceMetricsOptions): ServiceMetrics {
  const registry = new Registry();
  registerDbGauges(registry, {
    db: options.db,
    ...(options.queueSize && { queueSize: options.queueSize }),
  });
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    contentType: registry.contentType,
    async scrape() {
      const [registered, stored] = await Promise.all([
        registry.metrics(),
        options.db.query<CounterRow>(counters.all()),
      ]);
      return `${registered}\n${renderStoredCounters(stored.rows)}`;
    },
  };
}
