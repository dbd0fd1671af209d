import type { Queryable, SqlQuery } from '../db/types.js';
import { sql } from '../store/sql.js';

/**
 * Counters kept in the database (`xpost.metric_counters`) rather than in one process's memory: any
 * number of workers add to them, and `/metrics` on any `xpost serve` reports the sum. Each add is one
 * upsert; they follow X calls and uploads, which are slow and rate-limited, so the cost is small.
 */

export const COUNTERS = Object.freeze({
  /** X API calls made by workers and routes, by `endpoint` (`POST /2/tweets`) and `status` (`201`, `network_error`). */
  xApiCalls: 'xpost_x_api_calls_total',
  /** Bytes of media uploaded to X. */
  uploadBytes: 'xpost_upload_bytes_total',
  /** Bytes of media fetched from URLs or received by `POST /api/media`. */
  mediaBytesIn: 'xpost_media_received_bytes_total',
  /** Publish latency histogram (seconds from due to published): `_bucket{le=...}`, `_sum`, `_count`. */
  publishLatency: 'xpost_publish_latency_seconds',
});

/** Bucket bounds (seconds) of the publish latency histogram. */
export const PUBLISH_LATENCY_BUCKETS = Object.freeze([0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]);

/** Prometheus label text, `a="x",b="y"`, sorted by name so equal sets are one row. */
export function labelText(labels: Readonly<Record<string, string | number>> = {}): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}="${escapeLabel(String(labels[name]))}"`)
    .join(',');
}

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
}

export const counters = {
  add: (name: string, labels: string, delta: number): SqlQuery =>
    sql(
      `INSERT INTO xpost.metric_counters AS c (name, labels, value) VALUES ($1, $2, $3)
       ON CONFLICT (name, labels) DO UPDATE SET value = c.value + EXCLUDED.value, updated_at = now()`,
      [name, labels, delta],
    ),
  /** Several adds in one statement (each name and label set at most once). */
  addMany: (rows: readonly (readonly [name: string, labels: string, delta: number])[]): SqlQuery =>
    sql(
      `INSERT INTO xpost.metric_counters AS c (name, labels, value)
       SELECT * FROM unnest($1::text[], $2::text[], $3::float8[])
       ON CONFLICT (name, labels) DO UPDATE SET value = c.value + EXCLUDED.value, updated_at = now()`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    ),
  all: (): SqlQuery => sql('SELECT name, labels, value FROM xpost.metric_counters ORDER BY name, labels'),
};

export async function addCounter(
  db: Queryable,
  name: string,
  labels: Readonly<Record<string, string | number>>,
  delta = 1,
): Promise<void> {
  await db.query(counters.add(name, labelText(labels), delta));
}

/**
 * One observation of the publish latency histogram: every bucket at or above it, plus sum and count,
 * in one statement so a scrape never sees half of it.
 */
export async function observePublishLatency(db: Queryable, seconds: number): Promise<void> {
  const value = Math.max(0, seconds);
  const name = COUNTERS.publishLatency;
  const rows: [string, string, number][] = [
    ...[...PUBLISH_LATENCY_BUCKETS.filter((b) => value <= b), '+Inf' as const].map(
      (le): [string, string, number] => [`${name}_bucket`, labelText({ le: String(le) }), 1],
    ),
    [`${name}_sum`, '', value],
    [`${name}_count`, '', 1],
  ];
  await db.query(counters.addMany(rows));
}
