import { HOST_CHARACTER, LABEL_END_BEFORE_TLD_AT } from './url-patterns.js';

/** `https` is the longest scheme: it may end a run of host characters right before `://`. */
const LONGEST_SCHEME_NAME = 'https'.length;
const DOT = 0x2e;
const UNDERSCORE = 0x5f;

const NO_BOUNDS = new Int32Array(0);
/**
 * Backs `startBound`, reused from run to run and call to call: extraction is synchronous and never
 * nested, so only one finder reads it at a time, and allocating per call cost a tenth of the time.
 */
let scratch = new Int32Array(256);

/**
 * 1 for each UTF-16 unit that can be part of a host name: one array read instead of a regex test.
 * Built on first use, to keep it out of the import.
 */
let isHostUnit: Uint8Array | undefined;

function hostUnitTable(): Uint8Array {
  isHostUnit ??= buildHostUnitTable();
  return isHostUnit;
}

function buildHostUnitTable(): Uint8Array {
  const table = new Uint8Array(0x10000).fill(1);
  // One native scan over every UTF-16 unit (lone surrogates too), rather than 65,536 regex calls:
  // the characters that are not host characters are what the pattern finds.
  const notHost = new RegExp(`(?!${HOST_CHARACTER.source})[^]`, 'g');
  for (let chunk = 0; chunk < 0x10000; chunk += 0x1000) {
    const units = Array.from({ length: 0x1000 }, (_, i) => chunk + i);
    const text = String.fromCharCode(...units);
    for (const match of text.matchAll(notHost)) table[chunk + match.index] = 0;
  }
  return table;
}

/**
 * Answers `next(position)`: the first position at or after `position` where a URL could start.
 * Positions must be asked for in increasing order.
 *
 * Trying the URL pattern at every position of a long run of host characters (a CJK paragraph, say)
 * costs time quadratic in the run's length, as the pattern scans to the run's end each time. But
 * a host lies inside one run of host characters and ends in `name.TLD`, where `name` (the label
 * before the TLD) has no `_`. So a host can start at `p` only if the run holds such a `.TLD`
 * after `p` whose label has no `_` at or after `p`. Other positions are skipped, except where a
 * scheme ends the run (`日本https://…`). Only runs that hold a `.` or end right before `://` are
 * looked at, so text without URLs is passed over at `indexOf` speed.
 *
 * A class rather than a closure: it is made once per extraction, on a hot path.
 */
export class UrlStartFinder {
  private readonly text: string;
  private readonly length: number;
  // The run being looked at, [runStart, runEnd), and for each of its positions the smallest
  // "start must be after" bound over the `.TLD`s later in the run (`length` when there is none).
  private runStart = 0;
  private runEnd = 0;
  private startBound = NO_BOUNDS;
  private schemeStart = 0;
  // Next `.` and `://` at or after the last position asked for (-1: none), cached to stay linear.
  private nextDot = -2;
  private nextSeparator = -2;

  private readonly isHost = hostUnitTable();

  constructor(text: string) {
    this.text = text;
    this.length = text.length;
  }

  next(position: number): number {
    const length = this.length;
    let p = position;
    while (p < length) {
      if (p >= this.runEnd) {
        if (!this.loadNextRun(p)) return length;
        if (p < this.runStart) p = this.runStart;
      }
      const bound = this.startBound === NO_BOUNDS ? length : this.startBound[p - this.runStart]!;
      if (bound < p || p >= this.schemeStart) return p;
      p = Math.max(p + 1, Math.min(bound + 1, this.schemeStart));
    }
    return length;
  }

  /** Moves to the next run after `position` that holds a `.` or ends before `://`, if any. */
  private loadNextRun(position: number): boolean {
    const text = this.text;
    if (this.nextDot !== -1 && this.nextDot < position) this.nextDot = text.indexOf('.', position);
    let separator = this.nextSeparator;
    while (separator !== -1 && (separator <= position || !this.isHost[text.charCodeAt(separator - 1)])) {
      separator = text.indexOf('://', Math.max(position, separator) + 1);
    }
    this.nextSeparator = separator;
    const dot = this.nextDot;
    if (dot === -1 && separator === -1) return false;
    // The run holding the next dot, or the one that ends at the next `://`, whichever comes first.
    const dotFirst = dot !== -1 && (separator === -1 || dot < separator);
    let start = dotFirst ? dot : separator - 1;
    let end = dotFirst ? dot + 1 : separator;
    while (start > 0 && this.isHost[text.charCodeAt(start - 1)]) start--;
    while (end < this.length && this.isHost[text.charCodeAt(end)]) end++;
    this.runStart = start;
    this.runEnd = end;
    if (scratch.length < end - start) scratch = new Int32Array(Math.max(end - start, 2 * scratch.length));
    this.startBound = fillBounds(text, start, end, scratch) ? scratch : NO_BOUNDS;
    this.schemeStart = text.startsWith('://', end) ? end - LONGEST_SCHEME_NAME : end;
    return true;
  }
}

/**
 * Fills `bounds` with the bound of `UrlStartFinder` for each position of the host run
 * [start, end); false when the run holds no `.TLD` at all (a sentence's last word and its period).
 */
function fillBounds(text: string, start: number, end: number, bounds: Int32Array): boolean {
  let bound = text.length;
  let found = false;
  for (let i = end - 1; i >= start; i--) {
    if (text.charCodeAt(i + 1) === DOT) {
      LABEL_END_BEFORE_TLD_AT.lastIndex = i;
      if (LABEL_END_BEFORE_TLD_AT.test(text)) {
        found = true;
        bound = Math.min(bound, lastUnderscoreInLabel(text, start, i));
      }
    }
    bounds[i - start] = bound;
  }
  return found;
}

/** The last `_` in the label that ends at `labelEnd`, or -1. Each label is read at most once. */
function lastUnderscoreInLabel(text: string, runStart: number, labelEnd: number): number {
  for (let i = labelEnd; i >= runStart; i--) {
    const code = text.charCodeAt(i);
    if (code === UNDERSCORE) return i;
    if (code === DOT) return -1;
  }
  return -1;
}
