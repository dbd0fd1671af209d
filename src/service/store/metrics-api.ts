import type { SqlQuery } from '../db/types.js';
import { sql } from './sql.js';

/**
 * The statements `GET /metrics` runs at scrape time: one per gauge family, each a single
 * `GROUP BY` returning `{ key, n }` rows (`n` as double precision, a plain number in both drivers).
 * They are the only reads a scrape makes besides `counters.all()` (metrics/counters.ts), so a scrape
 * costs five small queries whatever the size of the queue. `posts` by state uses the `posts_state`
 * index; the others scan their table, which for the row counts a posting service holds is cheap.
 */
export const metricsApi = {
  /** Posts by `posts.state` (states.ts, POST_STATES). */
  postsByState: (): SqlQuery =>
    sql('SELECT state AS key, count(*)::double precision AS n FROM xpost.posts GROUP BY state'),
  /** Post targets (one post on one account) by state (POST_TARGET_STATES). */
  targetsByState: (): SqlQuery =>
    sql('SELECT state AS key, count(*)::double precision AS n FROM xpost.post_targets GROUP BY state'),
  /** Webhook deliveries by status (DELIVERY_STATES). */
  deliveriesByStatus: (): SqlQuery =>
    sql(
      'SELECT status AS key, count(*)::double precision AS n FROM xpost.webhook_deliveries GROUP BY status',
    ),
  /** Connected (not deleted) accounts: `ok`, or `needs_reconnect` once a token refresh failed. */
  accountsByStatus: (): SqlQuery =>
    sql(
      `SELECT CASE WHEN needs_reconnect THEN 'needs_reconnect' ELSE 'ok' END AS key,
              count(*)::double precision AS n
       FROM xpost.accounts WHERE deleted_at IS NULL GROUP BY 1`,
    ),
};

/** The row shape of every `metricsApi` statement. */
export interface CountRow {
  key: string;
  n: number;
}
