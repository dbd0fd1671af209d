import { Gauge, type Registry } from 'prom-client';
import type { Queryable, SqlQuery } from '../db/types.js';
import { QUEUES } from '../queue/queue.js';
import { DELIVERY_STATES, POST_STATES, POST_TARGET_STATES } from '../states.js';
import { type CountRow, metricsApi } from '../store/metrics-api.js';

/**
 * The gauges `/metrics` reads from the database at scrape time (prom-client `collect()`), so every
 * `xpost serve` reports the same numbers whichever process did the work.
 *
 * Each gauge has a fixed set of label values (every state of its list, present even when 0) and
 * `collect()` sets each of them on every scrape without a `reset()` first: two scrapes running at
 * once then never see a half-emptied gauge, and a state that drops to 0 shows 0 instead of vanishing.
 */

export const GAUGES = Object.freeze({
  posts: 'xpost_posts',
  postTargets: 'xpost_post_targets',
  queueDepth: 'xpost_queue_depth',
  webhookDeliveries: 'xpost_webhook_deliveries',
  accounts: 'xpost_accounts',
});

/** The pg-boss queues whose waiting jobs `xpost_queue_depth` reports. */
export const OBSERVED_QUEUES = Object.freeze([QUEUES.publish, QUEUES.webhookDelivery] as const);

export const ACCOUNT_STATUSES = Object.freeze(['ok', 'needs_reconnect'] as const);

export interface GaugeSources {
  db: Queryable;
  /** Jobs waiting in a pg-boss queue (`JobQueue.size`); absent: `xpost_queue_depth` is not exported. */
  queueSize?: (name: string) => Promise<number>;
}

export function registerDbGauges(registry: Registry, sources: GaugeSources): void {
  const { db } = sources;
  countGauge(registry, db, {
    name: GAUGES.posts,
    help: 'Posts by state (draft, scheduled, processing, published, partially_published, failed, cancelled).',
    label: 'state',
    values: POST_STATES,
    query: metricsApi.postsByState,
  });
  countGauge(registry, db, {
    name: GAUGES.postTargets,
    help: 'Post targets (one post on one account) by state.',
    label: 'state',
    values: POST_TARGET_STATES,
    query: metricsApi.targetsByState,
  });
  countGauge(registry, db, {
    name: GAUGES.webhookDeliveries,
    help: 'Webhook deliveries by status (pending, delivered, failed).',
    label: 'status',
    values: DELIVERY_STATES,
    query: metricsApi.deliveriesByStatus,
  });
  countGauge(registry, db, {
    name: GAUGES.accounts,
    help: 'Connected X accounts: ok, or needs_reconnect after a token refresh failed.',
    label: 'status',
    values: ACCOUNT_STATUSES,
    query: metricsApi.accountsByStatus,
  });
  const { queueSize } = sources;
  if (queueSize) {
    new Gauge({
      name: GAUGES.queueDepth,
      help: 'Jobs waiting in a job queue (publish, webhook-delivery), due or scheduled.',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        const sizes = await Promise.all(OBSERVED_QUEUES.map((queue) => queueSize(queue)));
        OBSERVED_QUEUES.forEach((queue, i) => {
          this.set({ queue }, sizes[i]!);
        });
      },
    });
  }
}

interface CountGaugeSpec {
  name: string;
  help: string;
  label: string;
  /** Every label value, exported even when no row has it. */
  values: readonly string[];
  /** One `GROUP BY` returning `{ key, n }` rows. */
  query: () => SqlQuery;
}

function countGauge(registry: Registry, db: Queryable, spec: CountGaugeSpec): void {
  new Gauge({
    name: spec.name,
    help: spec.help,
    labelNames: [spec.label],
    registers: [registry],
    async collect() {
      const { rows } = await db.query<CountRow>(spec.query());
      const counts = new Map(rows.map((row) => [row.key, Number(row.n)]));
      for (const value of spec.values) this.set({ [spec.label]: value }, counts.get(value) ?? 0);
    },
  });
}
