import { beforeEach, expect, it } from 'vitest';
import type { Db } from '../../../src/service/db/types.js';
import {
  addCounter,
  COUNTERS,
  counters,
  observePublishLatency,
  PUBLISH_LATENCY_BUCKETS,
} from '../../../src/service/metrics/counters.js';
import { registerMetricsRoute } from '../../../src/service/routes/metrics.js';
import { POST_STATES, POST_TARGET_STATES } from '../../../src/service/states.js';
import { describeDatabases } from '../../helpers/database.js';
import { buildTestServiceApp, type TestServiceApp } from '../../helpers/service-app.js';

// ---------------------------------------------------------------------------------------------
// A strict reader of the Prometheus text format 0.0.4: it fails on anything Prometheus would reject
// (a sample before its family's TYPE, a family declared twice, a series twice, a bad label).

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Family {
  help?: string;
  type?: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);

function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const series = new Set<string>();
  const family = (name: string) => {
    const known = families.get(name);
    if (known) return known;
    const created: Family = { samples: [] };
    families.set(name, created);
    return created;
  };
  expect(text.endsWith('\n'), 'ends with a newline').toBe(true);
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const f = family(meta[2]!);
      if (meta[1] === 'HELP') {
        expect(f.help, `HELP twice for ${meta[2]}`).toBeUndefined();
        f.help = meta[3]!;
      } else {
        expect(f.type, `TYPE twice for ${meta[2]}`).toBeUndefined();
        expect(f.samples, `TYPE after samples of ${meta[2]}`).toEqual([]);
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        f.type = meta[3]!;
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    expect(m, `a sample line: ${line}`).not.toBeNull();
    const [, name, labelText = '', valueText] = m!;
    const base = familyOf(name!, families);
    expect(families.get(base)?.type, `TYPE before ${line}`).toBeDefined();
    const labels = parseLabels(labelText);
    const key = `${name}{${Object.entries(labels).sort().join(';')}}`;
    expect(series.has(key), `series twice: ${key}`).toBe(false);
    series.add(key);
    // Go's ParseFloat, which Prometheus uses, reads NaN and Inf in any case (prom-client writes `Nan`).
    const special: Record<string, number> = {
      nan: Number.NaN,
      '+inf': Infinity,
      inf: Infinity,
      '-inf': -Infinity,
    };
    const value = special[valueText!.toLowerCase()] ?? Number(valueText);
    expect(Number.isNaN(value) && valueText!.toLowerCase() !== 'nan', `a number: ${line}`).toBe(false);
    family(base).samples.push({ name: name!, labels, value });
  }
  return families;
}

function familyOf(name: string, families: Map<string, Family>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && ['histogram', 'summary'].includes(families.get(base)?.type ?? ''))
      return base;
  }
  return name;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(,|$)/.exec(rest);
    expect(m, `labels: ${text}`).not.toBeNull();
    expect(labels[m![1]!], `label ${m![1]} twice`).toBeUndefined();
    labels[m![1]!] = m![2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(m![0].length);
  }
  return labels;
}

/** The value of the one sample of `name` with exactly these labels. */
function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = [...families.values()]
    .flatMap((f) => f.samples)
    .filter((s) => s.name === name && JSON.stringify(sorted(s.labels)) === JSON.stringify(sorted(labels)));
  expect(found, `${name}${JSON.stringify(labels)}`).toHaveLength(1);
  return found[0]!.value;
}

const sorted = (labels: Record<string, string>) => Object.fromEntries(Object.entries(labels).sort());

/** A valid Prometheus histogram: every configured bucket, cumulative, `+Inf` equal to `_count`. */
function expectValidHistogram(families: Map<string, Family>, name: string): number[] {
  const f = families.get(name)!;
  expect(f.type).toBe('histogram');
  const buckets = f.samples.filter((s) => s.name === `${name}_bucket`);
  expect(buckets.map((b) => b.labels.le)).toEqual([...PUBLISH_LATENCY_BUCKETS.map(String), '+Inf']);
  const values = buckets.map((b) => b.value);
  for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
  expect(values.at(-1)).toBe(sampleValue(families, `${name}_count`));
  expect(f.samples.filter((s) => s.name === `${name}_sum`)).toHaveLength(1);
  return values;
}

// ---------------------------------------------------------------------------------------------
// Rows, written directly

async function insertPost(db: Db, state: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>({
    text: `INSERT INTO xpost.posts (body, state, request) VALUES ('hello', $1, '{}') RETURNING id`,
    values: [state],
  });
  return rows[0]!.id;
}

async function insertAccount(db: Db, n: number, options: { reconnect?: boolean; deleted?: boolean } = {}) {
  const { rows } = await db.query<{ id: string }>({
    text: `INSERT INTO xpost.accounts (x_user_id, username, auth_kind, access_token, needs_reconnect, reconnect_reason, deleted_at)
           VALUES ($1, $2, 'oauth2', '\\x01'::bytea, $3, $4, $5) RETURNING id`,
    values: [
      `9${n}`,
      `user${n}`,
      options.reconnect === true,
      options.reconnect ? 'refresh failed' : null,
      options.deleted ? new Date() : null,
    ],
  });
  return rows[0]!.id;
}

async function insertTarget(db: Db, postId: string, accountId: string, state: string): Promise<void> {
  const published = state === 'published';
  await db.query({
    text: `INSERT INTO xpost.post_targets (post_id, account_id, state, run_at, x_post_ids, next_item, published_at)
           VALUES ($1, $2, $3, now(), $4, $5, $6)`,
    values: [
      postId,
      accountId,
      state,
      published ? ['123'] : [],
      published ? 1 : 0,
      published ? new Date() : null,
    ],
  });
}

async function insertDeliveries(db: Db, statuses: string[]): Promise<void> {
  const { rows } = await db.query<{ id: string }>({
    text: `INSERT INTO xpost.webhooks (url, secret, events) VALUES ('https://example.com/hook', '\\x00'::bytea, ARRAY['post.published']) RETURNING id`,
  });
  for (const status of statuses) {
    await db.query({
      text: `INSERT INTO xpost.webhook_deliveries (webhook_id, event, payload, status, next_attempt_at)
             VALUES ($1, 'post.published', '{}', $2, $3)`,
      values: [rows[0]!.id, status, status === 'pending' ? new Date() : null],
    });
  }
}

// ---------------------------------------------------------------------------------------------

describeDatabases('GET /metrics', ({ db }) => {
  let t: TestServiceApp;
  const scrape = async (app = t) => {
    const res = await app.app.inject({ method: 'GET', url: '/metrics', headers: app.headers });
    expect(res.statusCode, res.body).toBe(200);
    return { res, families: parseExposition(res.body) };
  };

  beforeEach(async () => {
    t = await buildTestServiceApp({ db: db(), register: (app, deps) => registerMetricsRoute(app, deps) });
    return () => t.app.close();
  });

  it('needs an API key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('missing_authorization');
    const bad = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer xpk_not_a_real_key_at_all_0000000000000000' },
    });
    expect(bad.statusCode).toBe(401);
  });

  it('reports every state at 0 on an empty database, the families with HELP and TYPE, and quickly', async () => {
    const { res, families } = await scrape();
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const state of POST_STATES) expect(sampleValue(families, 'xpost_posts', { state })).toBe(0);
    for (const state of POST_TARGET_STATES)
      expect(sampleValue(families, 'xpost_post_targets', { state })).toBe(0);
    for (const status of ['pending', 'delivered', 'failed']) {
      expect(sampleValue(families, 'xpost_webhook_deliveries', { status })).toBe(0);
    }
    for (const status of ['ok', 'needs_reconnect'])
      expect(sampleValue(families, 'xpost_accounts', { status })).toBe(0);
    const types: Record<string, string> = {
      xpost_posts: 'gauge',
      xpost_post_targets: 'gauge',
      xpost_webhook_deliveries: 'gauge',
      xpost_accounts: 'gauge',
      xpost_x_api_calls_total: 'counter',
      xpost_upload_bytes_total: 'counter',
      xpost_media_received_bytes_total: 'counter',
      xpost_publish_latency_seconds: 'histogram',
    };
    for (const [name, type] of Object.entries(types)) {
      expect(families.get(name)?.type, name).toBe(type);
      expect(families.get(name)?.help, name).toMatch(/\w+/);
    }
    expect(families.get('xpost_x_api_calls_total')!.samples).toEqual([]);
    expect(sampleValue(families, 'xpost_upload_bytes_total')).toBe(0);
    expect(sampleValue(families, 'xpost_media_received_bytes_total')).toBe(0);
    expect(expectValidHistogram(families, 'xpost_publish_latency_seconds').every((v) => v === 0)).toBe(true);
    // No queue callback: no queue gauge at all (rather than a misleading 0).
    expect(families.has('xpost_queue_depth')).toBe(false);
    // The process metrics of the answering process, under prom-client's standard names.
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(families.get('nodejs_heap_size_used_bytes')?.type).toBe('gauge');
    expect(sampleValue(families, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    // Cheap: a scrape takes a few ms here. The fastest of a few is asserted, so that a machine busy
    // with other test files does not fail it while an expensive scrape (a query per row) still does.
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const started = performance.now();
      await scrape();
      times.push(performance.now() - started);
    }
    expect(Math.min(...times)).toBeLessThan(50);
  });

  it('counts posts, targets, deliveries and accounts by state, from the rows in the database', async () => {
    const ok1 = await insertAccount(db(), 1);
    const ok2 = await insertAccount(db(), 2);
    await insertAccount(db(), 3, { reconnect: true });
    await insertAccount(db(), 4, { deleted: true });
    const postStates = [
      'draft',
      'scheduled',
      'scheduled',
      'processing',
      'published',
      'published',
      'published',
    ];
    const postIds: string[] = [];
    for (const state of postStates) postIds.push(await insertPost(db(), state));
    await insertTarget(db(), postIds[0]!, ok1, 'draft');
    await insertTarget(db(), postIds[1]!, ok1, 'scheduled');
    await insertTarget(db(), postIds[1]!, ok2, 'scheduled');
    await insertTarget(db(), postIds[3]!, ok1, 'queued');
    await insertTarget(db(), postIds[3]!, ok2, 'publishing');
    await insertTarget(db(), postIds[4]!, ok1, 'published');
    await insertTarget(db(), postIds[5]!, ok1, 'failed');
    await insertDeliveries(db(), ['pending', 'delivered', 'delivered', 'delivered', 'failed']);

    const { families } = await scrape();
    const posts = Object.fromEntries(
      POST_STATES.map((state) => [state, sampleValue(families, 'xpost_posts', { state })]),
    );
    expect(posts).toEqual({
      draft: 1,
      scheduled: 2,
      processing: 1,
      published: 3,
      partially_published: 0,
      failed: 0,
      cancelled: 0,
    });
    const targets = Object.fromEntries(
      POST_TARGET_STATES.map((state) => [state, sampleValue(families, 'xpost_post_targets', { state })]),
    );
    expect(targets).toEqual({
      draft: 1,
      scheduled: 2,
      queued: 1,
      uploading: 0,
      publishing: 1,
      published: 1,
      failed: 1,
      cancelled: 0,
    });
    expect(sampleValue(families, 'xpost_webhook_deliveries', { status: 'pending' })).toBe(1);
    expect(sampleValue(families, 'xpost_webhook_deliveries', { status: 'delivered' })).toBe(3);
    expect(sampleValue(families, 'xpost_webhook_deliveries', { status: 'failed' })).toBe(1);
    // The deleted account is not counted.
    expect(sampleValue(families, 'xpost_accounts', { status: 'ok' })).toBe(2);
    expect(sampleValue(families, 'xpost_accounts', { status: 'needs_reconnect' })).toBe(1);

    // A state that empties goes back to 0 instead of keeping its last value.
    await db().query({ text: `UPDATE xpost.posts SET state = 'cancelled' WHERE state = 'scheduled'` });
    const after = (await scrape()).families;
    expect(sampleValue(after, 'xpost_posts', { state: 'scheduled' })).toBe(0);
    expect(sampleValue(after, 'xpost_posts', { state: 'cancelled' })).toBe(2);
  });

  it('reports the stored counters with their labels, escaped, and the publish latency histogram', async () => {
    await addCounter(db(), COUNTERS.xApiCalls, { endpoint: 'POST /2/tweets', status: 201 }, 1);
    await addCounter(db(), COUNTERS.xApiCalls, { endpoint: 'POST /2/tweets', status: 201 }, 2);
    await addCounter(db(), COUNTERS.xApiCalls, { endpoint: 'POST /2/tweets', status: 429 });
    await addCounter(db(), COUNTERS.xApiCalls, { endpoint: 'GET /2/users/me', status: 'network_error' });
    await addCounter(db(), COUNTERS.xApiCalls, { endpoint: 'odd "quoted" \\ path\nnext', status: 200 });
    await addCounter(db(), COUNTERS.uploadBytes, {}, 5_000_000);
    await addCounter(db(), COUNTERS.uploadBytes, {}, 1_234);
    await addCounter(db(), COUNTERS.mediaBytesIn, {}, 42);
    for (const seconds of [0.05, 0.3, 0.3, 2, 7200, -1]) await observePublishLatency(db(), seconds);

    const { families } = await scrape();
    const calls = 'xpost_x_api_calls_total';
    expect(sampleValue(families, calls, { endpoint: 'POST /2/tweets', status: '201' })).toBe(3);
    expect(sampleValue(families, calls, { endpoint: 'POST /2/tweets', status: '429' })).toBe(1);
    expect(sampleValue(families, calls, { endpoint: 'GET /2/users/me', status: 'network_error' })).toBe(1);
    expect(sampleValue(families, calls, { endpoint: 'odd "quoted" \\ path\nnext', status: '200' })).toBe(1);
    expect(families.get(calls)!.samples).toHaveLength(4);
    expect(sampleValue(families, 'xpost_upload_bytes_total')).toBe(5_001_234);
    expect(sampleValue(families, 'xpost_media_received_bytes_total')).toBe(42);

    const buckets = expectValidHistogram(families, 'xpost_publish_latency_seconds');
    const le = (bound: number | string) =>
      sampleValue(families, 'xpost_publish_latency_seconds_bucket', { le: String(bound) });
    // -1 counts as 0 seconds; 7200 s is above the largest bound (3600) and only in +Inf.
    expect(le(0.1)).toBe(2);
    expect(le(0.25)).toBe(2);
    expect(le(0.5)).toBe(4);
    expect(le(1)).toBe(4);
    expect(le(2.5)).toBe(5);
    expect(le(3600)).toBe(5);
    expect(le('+Inf')).toBe(6);
    expect(buckets.at(-1)).toBe(6);
    expect(sampleValue(families, 'xpost_publish_latency_seconds_count')).toBe(6);
    expect(sampleValue(families, 'xpost_publish_latency_seconds_sum')).toBeCloseTo(
      0.05 + 0.3 + 0.3 + 2 + 7200,
      6,
    );
  });

  it('keeps the histogram valid while an observation is half written', async () => {
    await observePublishLatency(db(), 0.3);
    // observePublishLatency adds bucket by bucket, smallest first: stop a second observation of
    // 0.2 s after its first two rows (0.25 and 0.5 counted; 1 … 3600, +Inf, _sum, _count not yet).
    const name = `${COUNTERS.publishLatency}_bucket`;
    await db().query(counters.add(name, 'le="0.25"', 1));
    await db().query(counters.add(name, 'le="0.5"', 1));
    const { families } = await scrape();
    const buckets = expectValidHistogram(families, COUNTERS.publishLatency);
    // Stored, 0.5 holds 2 while 1 holds 1: rendered capped by the larger buckets and by _count.
    expect(buckets.at(-1)).toBe(1);
    expect(Math.max(...buckets)).toBe(1);
    expect(sampleValue(families, `${COUNTERS.publishLatency}_bucket`, { le: '0.1' })).toBe(0);

    // Once the observation is complete the stored values are exported as they are.
    for (const bound of [...PUBLISH_LATENCY_BUCKETS.filter((b) => b >= 1), '+Inf']) {
      await db().query(counters.add(name, `le="${bound}"`, 1));
    }
    await db().query(counters.add(`${COUNTERS.publishLatency}_sum`, '', 0.2));
    await db().query(counters.add(`${COUNTERS.publishLatency}_count`, '', 1));
    const done = (await scrape()).families;
    const complete = expectValidHistogram(done, COUNTERS.publishLatency);
    expect(complete).toEqual(PUBLISH_LATENCY_BUCKETS.map((b) => (b < 0.25 ? 0 : b < 0.5 ? 1 : 2)).concat(2));
  });

  it('exports a counter it has no description for as untyped, rather than hiding it', async () => {
    await addCounter(db(), 'xpost_something_new_total', { kind: 'a' }, 3);
    await addCounter(db(), 'not a valid name', {}, 1);
    const { res, families } = await scrape();
    expect(families.get('xpost_something_new_total')?.type).toBe('untyped');
    expect(sampleValue(families, 'xpost_something_new_total', { kind: 'a' })).toBe(3);
    expect(res.body).not.toContain('not a valid name');
  });

  it('reports the queue depth of publish and webhook-delivery when it is given the queue sizes', async () => {
    const sizes: Record<string, number> = { publish: 7, 'webhook-delivery': 2 };
    const asked: string[] = [];
    const withQueue = await buildTestServiceApp({
      db: db(),
      register: (app, deps) =>
        registerMetricsRoute(app, {
          ...deps,
          queueSize: async (name) => {
            asked.push(name);
            return sizes[name] ?? 0;
          },
        }),
    });
    try {
      const { families } = await scrape(withQueue);
      expect(families.get('xpost_queue_depth')?.type).toBe('gauge');
      expect(sampleValue(families, 'xpost_queue_depth', { queue: 'publish' })).toBe(7);
      expect(sampleValue(families, 'xpost_queue_depth', { queue: 'webhook-delivery' })).toBe(2);
      expect(families.get('xpost_queue_depth')!.samples).toHaveLength(2);
      expect(asked.sort()).toEqual(['publish', 'webhook-delivery']);
      sizes.publish = 0;
      expect(sampleValue((await scrape(withQueue)).families, 'xpost_queue_depth', { queue: 'publish' })).toBe(
        0,
      );
    } finally {
      await withQueue.app.close();
    }
  });

  it('gives the same numbers to scrapes running at once', async () => {
    const account = await insertAccount(db(), 1);
    for (let i = 0; i < 3; i++)
      await insertTarget(db(), await insertPost(db(), 'scheduled'), account, 'scheduled');
    const results = await Promise.all([scrape(), scrape(), scrape(), scrape()]);
    for (const { families } of results) {
      expect(sampleValue(families, 'xpost_posts', { state: 'scheduled' })).toBe(3);
      expect(sampleValue(families, 'xpost_post_targets', { state: 'scheduled' })).toBe(3);
      expect(sampleValue(families, 'xpost_posts', { state: 'draft' })).toBe(0);
    }
  });

  it('gives each app its own registry: two apps in one process both work', async () => {
    await insertPost(db(), 'failed');
    const other = await buildTestServiceApp({
      db: db(),
      register: (app, deps) => registerMetricsRoute(app, deps),
    });
    try {
      const [a, b] = await Promise.all([scrape(), scrape(other)]);
      expect(sampleValue(a.families, 'xpost_posts', { state: 'failed' })).toBe(1);
      expect(sampleValue(b.families, 'xpost_posts', { state: 'failed' })).toBe(1);
      // Both exported the process metrics once each (a shared global registry would throw on the second).
      expect(b.families.get('process_cpu_user_seconds_total')?.samples).toHaveLength(1);
    } finally {
      await other.app.close();
    }
  });
});
