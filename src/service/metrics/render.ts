import { COUNTERS, labelText, PUBLISH_LATENCY_BUCKETS } from './counters.js';

/**
 * The counters every process adds to in `xpost.metric_counters` (counters.ts), rendered as
 * Prometheus text exposition format 0.0.4. prom-client's own types cannot be set to a stored total
 * (a Counter only goes up by `inc`, a Histogram only by `observe`), so these few families are written
 * here directly; the result is appended to the registry's output by `metrics/registry.ts`.
 *
 * Stored rows hold the label set already in exposition form (`endpoint="POST /2/tweets",status="201"`,
 * escaped by `labelText`), so a sample line is `name{labels} value`.
 */

export interface CounterRow {
  name: string;
  labels: string;
  value: number | string;
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'histogram' | 'untyped';
  /** A counter without labels: export `name 0` until something adds to it. */
  zeroWhenAbsent?: boolean;
}

/** The families always exported (with their HELP and TYPE), whether or not anything added to them yet. */
export const COUNTER_FAMILIES: readonly Family[] = Object.freeze([
  {
    name: COUNTERS.xApiCalls,
    help: 'X API calls made by the service and its workers, by endpoint and status (HTTP status, or network_error).',
    type: 'counter',
  },
  {
    name: COUNTERS.uploadBytes,
    help: 'Bytes of media uploaded to X.',
    type: 'counter',
    zeroWhenAbsent: true,
  },
  {
    name: COUNTERS.mediaBytesIn,
    help: 'Bytes of media received: fetched from URLs or uploaded with POST /api/media.',
    type: 'counter',
    zeroWhenAbsent: true,
  },
  {
    name: COUNTERS.publishLatency,
    help: 'Seconds from when a post was due to when it was published on X.',
    type: 'histogram',
  },
]);

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Every family of the stored counters, as exposition text ending in a newline. */
export function renderStoredCounters(rows: readonly CounterRow[]): string {
  const byName = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const samples = byName.get(row.name) ?? new Map<string, number>();
    samples.set(row.labels, Number(row.value));
    byName.set(row.name, samples);
  }
  const blocks: string[] = [];
  const rendered = new Set<string>();
  for (const family of COUNTER_FAMILIES) {
    if (family.type === 'histogram') {
      blocks.push(renderHistogram(family, byName));
      for (const suffix of HISTOGRAM_SUFFIXES) rendered.add(family.name + suffix);
    } else {
      const samples = byName.get(family.name) ?? new Map<string, number>();
      if (samples.size === 0 && family.zeroWhenAbsent) samples.set('', 0);
      blocks.push(renderSamples(family, samples));
      rendered.add(family.name);
    }
  }
  // A counter added by newer code than this list (or by a newer worker during a rolling upgrade):
  // exported as `untyped` rather than hidden. A name Prometheus would reject is skipped, since one
  // bad line fails the whole scrape.
  for (const [name, samples] of byName) {
    if (rendered.has(name) || !METRIC_NAME.test(name)) continue;
    blocks.push(renderSamples({ name, help: `xpost counter ${name}.`, type: 'untyped' }, samples));
  }
  return `${blocks.join('\n')}\n`;
}

function renderSamples(family: Family, samples: ReadonlyMap<string, number>): string {
  const lines = header(family);
  for (const [labels, value] of [...samples].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lines.push(sample(family.name, labels, value));
  }
  return lines.join('\n');
}

/**
 * `observePublishLatency` adds one to every bucket at or above the value, then `+Inf`, `_sum` and
 * `_count`, each as its own statement. A scrape between two of them could see a smaller bucket
 * ahead of a larger one, so buckets are rendered capped from the top down: `+Inf` is `_count`
 * (as Prometheus requires) and each bucket is at most the next larger one. That is exactly the
 * stored value once every observation has finished, and a valid, cumulative histogram meanwhile.
 * Every bound of PUBLISH_LATENCY_BUCKETS is exported, 0 when nothing fell at or below it.
 */
function renderHistogram(family: Family, byName: ReadonlyMap<string, ReadonlyMap<string, number>>): string {
  const buckets = byName.get(`${family.name}_bucket`) ?? new Map<string, number>();
  const count = byName.get(`${family.name}_count`)?.get('') ?? 0;
  const sum = byName.get(`${family.name}_sum`)?.get('') ?? 0;
  const bounds = [...PUBLISH_LATENCY_BUCKETS].sort((a, b) => a - b);
  const values: number[] = [];
  let ceiling = count;
  for (let i = bounds.length - 1; i >= 0; i--) {
    ceiling = Math.min(buckets.get(labelText({ le: String(bounds[i]) })) ?? 0, ceiling);
    values[i] = ceiling;
  }
  const lines = header(family);
  bounds.forEach((bound, i) => {
    lines.push(sample(`${family.name}_bucket`, labelText({ le: String(bound) }), values[i]!));
  });
  lines.push(sample(`${family.name}_bucket`, labelText({ le: '+Inf' }), count));
  lines.push(sample(`${family.name}_sum`, '', sum));
  lines.push(sample(`${family.name}_count`, '', count));
  return lines.join('\n');
}

function header(family: Family): string[] {
  return [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`];
}

function sample(name: string, labels: string, value: number): string {
  return `${name}${labels === '' ? '' : `{${labels}}`} ${formatValue(value)}`;
}

/** Go's ParseFloat spellings for the special values; plain JS text for the rest (`1e+21` parses). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function escapeHelp(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}
