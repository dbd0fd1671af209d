import { PUNCTUATION, SPACES } from './character-classes.js';

export interface CashtagEntity {
  /** Without the `$`. */
  cashtag: string;
  start: number;
  /** Exclusive. */
  end: number;
}

/**
 * `$` after white space (or at the start), 1–6 letters and an optional `.` or `_` class suffix of
 * 1–2 letters (`$BRK.A`, `$TEST_T`), then the end, white space or punctuation: `$5`, `$10.99`
 * and `US$` are amounts, not tickers.
 */
const CASHTAG = new RegExp(
  `(?<=^|[${SPACES}])\\$([a-z]{1,6}(?:[._][a-z]{1,2})?)(?=$|\\s|[${PUNCTUATION}])`,
  'gi',
);

/** The $cashtags X would link in `text` (twitter-text's extractCashtagsWithIndices). */
export function extractCashtags(text: string): CashtagEntity[] {
  if (!text.includes('$')) return [];
  return Array.from(text.matchAll(CASHTAG), (match) => ({
    cashtag: match[1]!,
    start: match.index,
    end: match.index + match[0].length,
  }));
}
