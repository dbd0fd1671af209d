import { Transform, type TransformCallback } from 'node:stream';

/**
 * Fault injection: what a real network and a real X do to a client on a bad day. Rules match an
 * endpoint (`POST /2/tweets`, `POST /2/media/upload/:id/append`, or `*` for every X endpoint) and
 * fire on a share of requests drawn from a seeded generator, so a failing test replays exactly.
 */
export type FaultKind =
  /** Wait before handling the request. */
  | 'latency'
  /** Read the request body no faster than `bytesPerSecond` (uploads feel the link). */
  | 'bandwidth'
  /** Cut the connection before the request is handled: nothing happened at X. */
  | 'reset'
  /** Answer with `status` (5xx, 402, ...) and X's body for it, without handling the request. */
  | 'status'
  /** Answer 429 with X's body and headers that say the window is spent. */
  | 'rate_limit'
  /** Handle the request (the post is created), then cut the connection instead of answering. */
  | 'commit_then_drop';

export const FAULT_KINDS: readonly FaultKind[] = [
  'latency',
  'bandwidth',
  'reset',
  'status',
  'rate_limit',
  'commit_then_drop',
];

export interface FaultRuleInput {
  /** `METHOD /route` as in the request counts, or `*` for every X endpoint. */
  endpoint: string;
  kind: FaultKind;
  /** For `latency`: milliseconds to wait (real time: this is the network, not X's clock). */
  latencyMs?: number;
  /** For `bandwidth`: the link speed in bytes per second. */
  bytesPerSecond?: number;
  /** For `status`: the status to answer with (default 503). */
  status?: number;
  /** For `rate_limit`: seconds until the advertised reset (default 900). */
  resetAfterSecs?: number;
  /** Share of matching requests it fires on, 0 to 1 (default 1). */
  probability?: number;
  /** How many times it fires before it retires (default: no limit). */
  times?: number;
  /** Matching requests to let through untouched before it starts firing (default 0). */
  skip?: number;
}

export interface FaultRule extends Required<Pick<FaultRuleInput, 'endpoint' | 'kind'>> {
  id: string;
  latencyMs?: number;
  bytesPerSecond?: number;
  status?: number;
  resetAfterSecs?: number;
  probability: number;
  /** Times left to fire; null for no limit. */
  remaining: number | null;
  skip: number;
  /** How many times it has fired. */
  fired: number;
}

export class FaultInjector {
  readonly #rules: FaultRule[] = [];
  #nextId = 1;
  #random: () => number;

  constructor(seed = 1) {
    this.#random = mulberry32(seed);
  }

  reseed(seed: number): void {
    this.#random = mulberry32(seed);
  }

  add(input: FaultRuleInput): FaultRule {
    const rule = validateFault(input, `f${this.#nextId++}`);
    this.#rules.push(rule);
    return { ...rule };
  }

  remove(id: string): boolean {
    const index = this.#rules.findIndex((r) => r.id === id);
    if (index < 0) return false;
    this.#rules.splice(index, 1);
    return true;
  }

  clear(): void {
    this.#rules.length = 0;
  }

  list(): FaultRule[] {
    return this.#rules.map((r) => ({ ...r }));
  }

  /** The rules that fire for this request, each counted as fired. */
  draw(endpoint: string): FaultRule[] {
    const firing: FaultRule[] = [];
    for (const rule of this.#rules) {
      if (rule.endpoint !== '*' && rule.endpoint !== endpoint) continue;
      if (rule.remaining === 0) continue;
      if (rule.skip > 0) {
        rule.skip -= 1;
        continue;
      }
      if (rule.probability < 1 && this.#random() >= rule.probability) continue;
      if (rule.remaining !== null) rule.remaining -= 1;
      rule.fired += 1;
      firing.push({ ...rule });
    }
    return firing;
  }
}

function validateFault(input: FaultRuleInput, id: string): FaultRule {
  const problems: string[] = [];
  if (typeof input?.endpoint !== 'string' || !/^(\*|[A-Z]+ \/\S*)$/.test(input.endpoint)) {
    problems.push('endpoint must be "*" or "METHOD /route", e.g. "POST /2/tweets"');
  }
  if (!FAULT_KINDS.includes(input?.kind)) problems.push(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  const probability = input?.probability ?? 1;
  if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) {
    problems.push('probability must be a number from 0 to 1');
  }
  const times = input?.times;
  if (times !== undefined && !(Number.isInteger(times) && times >= 0))
    problems.push('times must be an integer >= 0');
  const skip = input?.skip ?? 0;
  if (!(Number.isInteger(skip) && skip >= 0)) problems.push('skip must be an integer >= 0');
  if (input?.kind === 'latency' && !(Number.isFinite(input.latencyMs) && (input.latencyMs ?? -1) >= 0)) {
    problems.push('latency faults need latencyMs >= 0');
  }
  if (
    input?.kind === 'bandwidth' &&
    !(Number.isFinite(input.bytesPerSecond) && (input.bytesPerSecond ?? 0) >= 1)
  ) {
    problems.push('bandwidth faults need bytesPerSecond >= 1');
  }
  if (input?.kind === 'status' && input.status !== undefined) {
    if (!(Number.isInteger(input.status) && input.status >= 400 && input.status <= 599)) {
      problems.push('status faults need a status from 400 to 599');
    }
  }
  if (problems.length > 0) throw new RangeError(`invalid fault rule: ${problems.join('; ')}`);
  const rule: FaultRule = {
    id,
    endpoint: input.endpoint,
    kind: input.kind,
    probability,
    remaining: times ?? null,
    skip,
    fired: 0,
  };
  if (input.kind === 'latency') rule.latencyMs = input.latencyMs;
  if (input.kind === 'bandwidth') rule.bytesPerSecond = input.bytesPerSecond;
  if (input.kind === 'status') rule.status = input.status ?? 503;
  if (input.kind === 'rate_limit') rule.resetAfterSecs = input.resetAfterSecs ?? 900;
  return rule;
}

/** A small, good-enough seeded PRNG: fault draws must replay, not be unpredictable. */
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How finely the throttle slices time; small enough that a 40 ms link still looks smooth. */
const THROTTLE_TICK_MS = 10;

/**
 * Pass bytes through no faster than `bytesPerSecond`. Back-pressure does the rest: while this
 * stream holds a chunk, the socket is not read, TCP's window fills and the client slows down.
 */
export function throttle(bytesPerSecond: number): Transform {
  const started = Date.now();
  let passed = 0;
  const slice = Math.max(1, Math.floor((bytesPerSecond * THROTTLE_TICK_MS) / 1000));
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let offset = 0;
      const pump = (): void => {
        while (offset < chunk.length) {
          const due = started + (passed / bytesPerSecond) * 1000;
          const wait = due - Date.now();
          if (wait > 1) {
            setTimeout(pump, wait);
            return;
          }
          const piece = chunk.subarray(offset, offset + slice);
          offset += piece.length;
          passed += piece.length;
          this.push(piece);
        }
        callback();
      };
      pump();
    },
  });
}
