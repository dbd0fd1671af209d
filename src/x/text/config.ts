/**
 * twitter-text's v3 weighting config (`config/v3.json`), which is how X counts a post today.
 * Weights are in 1/`scale` units: a weight of 100 counts 1, 200 counts 2.
 * Source: https://github.com/twitter/twitter-text/blob/master/config/v3.json
 */
export const WEIGHTED_LENGTH_CONFIG = {
  maxWeightedTweetLength: 280,
  scale: 100,
  defaultWeight: 200,
  transformedURLLength: 23,
  /** Code points in these inclusive ranges count 1; everything else counts `defaultWeight`. */
  ranges: [
    { start: 0x0000, end: 0x10ff, weight: 100 }, // Latin, Greek, Cyrillic, Hebrew, Arabic, … Georgian
    { start: 0x2000, end: 0x200d, weight: 100 }, // spaces and zero-width joiners
    { start: 0x2010, end: 0x201f, weight: 100 }, // dashes and quotation marks
    { start: 0x2032, end: 0x2037, weight: 100 }, // primes
  ],
} as const;

/**
 * X Premium authors may post long-form text through v2 (third-party reports since ~Aug 2024, see
 * REFERENCE.md §7); X counts it with the same weights.
 */
export const PREMIUM_MAX_WEIGHTED_LENGTH = 25_000;
