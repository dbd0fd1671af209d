import { PREMIUM_MAX_WEIGHTED_LENGTH, WEIGHTED_LENGTH_CONFIG } from './config.js';
import { type Cut, splitPoints } from './split-points.js';
import { parsePostText } from './weighted-length.js';

export type ThreadNumbering = 'none' | 'suffix' | 'prefix';

export interface SplitThreadOptions {
  /** The limit each post must fit. Default 280; 25,000 for X Premium authors. */
  maxWeightedLength?: number;
  /** `'suffix'` appends ` 1/5`, `'prefix'` puts `1/5 ` first, counted in the limit. Default `'none'`. */
  numbering?: ThreadNumbering;
}

export const DEFAULT_SPLIT_THREAD_OPTIONS: Readonly<Required<SplitThreadOptions>> = Object.freeze({
  maxWeightedLength: WEIGHTED_LENGTH_CONFIG.maxWeightedTweetLength,
  numbering: 'none',
});

/** Room for a URL (which always counts 23) and a ` 99/99` number. */
export const MIN_THREAD_POST_LENGTH = 30;
const NUMBERINGS: readonly ThreadNumbering[] = ['none', 'suffix', 'prefix'];
/** Code units X refuses in a post (twitter-text's invalid characters). */
const INVALID_CHARACTER = /[\uFFFE\uFEFF\uFFFF]/;
/** More rounds than any count needs to settle: each round can only add digits. */
const MAX_NUMBERING_ROUNDS = 8;

/**
 * Splits `text` into a thread: posts that each fit `maxWeightedLength` as X counts it
 * (`parsePostText`). It cuts at the last blank line between paragraphs that fits, else the last
 * sentence end or line break, else the last space, else before a word (CJK has no spaces); a word
 * longer than a post is cut between grapheme clusters. No cut falls inside a URL, an emoji
 * sequence or any grapheme cluster, nor inside a #hashtag, @mention or $cashtag that fits in a
 * post. White space at the cuts is dropped; the rest of the text is kept as it is.
 *
 * A text that fits in one post comes back as that one post, unnumbered; empty or white-space-only
 * text gives `[]`.
 */
export function splitThread(text: string, options: SplitThreadOptions = {}): string[] {
  const { maxWeightedLength, numbering } = normalizeOptions(options);
  if (typeof text !== 'string') throw new TypeError(`splitThread: text must be a string, got ${typeof text}`);
  const invalid = INVALID_CHARACTER.exec(text);
  if (invalid) {
    const code = invalid[0].charCodeAt(0).toString(16).toUpperCase();
    throw new RangeError(
      `splitThread: text holds U+${code} at index ${invalid.index}, which X rejects; remove it first`,
    );
  }
  const start = text.length - text.trimStart().length;
  const end = text.trimEnd().length;
  if (start >= end) return [];
  if (parsePostText(text.slice(start, end), { maxWeightedLength }).valid) return [text.slice(start, end)];

  const cuts = splitPoints(text).filter((cut) => cut.start > start && cut.end < end);
  if (numbering === 'none') return split(text, start, end, cuts, maxWeightedLength, numbering, 0);
  // The number's width depends on the count, which depends on the room left by the number.
  let digits = 1;
  for (let round = 0; round < MAX_NUMBERING_ROUNDS; round++) {
    const parts = split(text, start, end, cuts, maxWeightedLength, numbering, digits);
    const needed = String(parts.length).length;
    if (needed <= digits) return parts.map((part, i) => numbered(part, i + 1, parts.length, numbering));
    digits = needed;
  }
  throw new Error('splitThread: the post count did not settle; please report this text');
}

function normalizeOptions(options: SplitThreadOptions): Required<SplitThreadOptions> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('splitThread: options must be an object such as { maxWeightedLength: 280 }');
  }
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULT_SPLIT_THREAD_OPTIONS)) {
      throw new TypeError(
        `splitThread: unknown option "${key}"; the options are ${Object.keys(DEFAULT_SPLIT_THREAD_OPTIONS).join(', ')}`,
      );
    }
  }
  const resolved = { ...DEFAULT_SPLIT_THREAD_OPTIONS, ...stripUndefined(options) };
  const max = resolved.maxWeightedLength;
  if (!Number.isInteger(max) || max < MIN_THREAD_POST_LENGTH || max > PREMIUM_MAX_WEIGHTED_LENGTH) {
    throw new RangeError(
      `splitThread: maxWeightedLength must be an integer from ${MIN_THREAD_POST_LENGTH} to ${PREMIUM_MAX_WEIGHTED_LENGTH} (280 for most accounts, 25000 for X Premium); got ${String(max)}`,
    );
  }
  if (!NUMBERINGS.includes(resolved.numbering)) {
    throw new TypeError(
      `splitThread: numbering must be one of ${NUMBERINGS.map((n) => `'${n}'`).join(', ')}; got ${String(resolved.numbering)}`,
    );
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function numbered(part: string, index: number, total: number, numbering: ThreadNumbering): string {
  if (numbering === 'prefix') return `${index}/${total} ${part}`;
  if (numbering === 'suffix') return `${part} ${index}/${total}`;
  return part;
}

/**
 * Greedy: each post takes the best cut that fits (highest level, then farthest). A post is
 * measured with the widest number it could carry, `digits` wide, so the real number fits too.
 */
function split(
  text: string,
  start: number,
  end: number,
  cuts: readonly Cut[],
  maxWeightedLength: number,
  numbering: ThreadNumbering,
  digits: number,
): string[] {
  const widest = '9'.repeat(digits);
  const fits = (from: number, to: number) =>
    parsePostText(numbered(text.slice(from, to), Number(widest), Number(widest), numbering), {
      maxWeightedLength,
    }).valid;

  const parts: string[] = [];
  let from = start;
  let next = 0; // the first cut after `from`
  while (from < end) {
    while (next < cuts.length && cuts[next]!.start <= from) next++;
    const last = lastFittingCut(cuts, next, from, fits);
    // Only once every remaining cut fits can the rest of the text fit in this post.
    if (last === cuts.length - 1 && fits(from, end)) {
      parts.push(text.slice(from, end));
      break;
    }
    const cut = bestCut(cuts, next, last, from, fits);
    if (!cut) throw noRoom(text.slice(from, cuts[next]?.start ?? end), from, maxWeightedLength, digits);
    parts.push(text.slice(from, cut.start));
    from = cut.end;
  }
  return parts;
}

function noRoom(stuck: string, index: number, maxWeightedLength: number, digits: number): RangeError {
  const number = digits > 0 ? ` beside a post number ${2 * digits + 2} characters wide` : '';
  const fix = digits > 0 ? "raise maxWeightedLength or use numbering: 'none'" : 'raise maxWeightedLength';
  return new RangeError(
    `splitThread: maxWeightedLength ${maxWeightedLength} leaves no room for "${stuck}" (index ${index})${number}; ${fix}`,
  );
}

/**
 * Index of the farthest cut whose post fits, by galloping then bisecting (the weight of a post
 * grows with its end), or `first - 1` when none does. Each probe measures one candidate post.
 */
function lastFittingCut(
  cuts: readonly Cut[],
  first: number,
  from: number,
  fits: (from: number, to: number) => boolean,
): number {
  let low = first - 1; // fits (or before the first)
  let step = 1;
  let high = first;
  while (high < cuts.length && fits(from, cuts[high]!.start)) {
    low = high;
    step *= 2;
    high = first + step - 1;
  }
  high = Math.min(high, cuts.length);
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (fits(from, cuts[middle]!.start)) low = middle;
    else high = middle;
  }
  return low;
}

/** Among cuts `first`…`last`, the highest level and then the farthest that really fits. */
function bestCut(
  cuts: readonly Cut[],
  first: number,
  last: number,
  from: number,
  fits: (from: number, to: number) => boolean,
): Cut | undefined {
  const candidates = cuts.slice(first, last + 1).filter((cut) => cut.start > from);
  candidates.sort((a, b) => b.level - a.level || b.start - a.start);
  // The weight is not strictly monotonic (a cut can complete a URL), so check the one taken.
  return candidates.find((cut) => fits(from, cut.start));
}
