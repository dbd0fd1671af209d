import { WEIGHTED_LENGTH_CONFIG } from './config.js';
import { canStartEmoji, emojiEndAt, LAST_BMP_EMOJI_START, mayStartEmoji } from './emoji.js';
import { extractUrls, type UrlEntity } from './extract-urls.js';

export interface ParsedPostText {
  /** The length X checks against the limit: most scripts count 2, Latin 1, a URL 23, an emoji 2. */
  weightedLength: number;
  /** Not empty, within the limit and free of U+FFFE, U+FEFF and U+FFFF. */
  valid: boolean;
  /** weightedLength per thousand of the limit, rounded down (a progress ring's fill). */
  permillage: number;
  /** Inclusive UTF-16 indices of the part that fits within the limit (see below). */
  validRangeStart: number;
  validRangeEnd: number;
  /** Inclusive UTF-16 indices of the whole text. */
  displayRangeStart: number;
  displayRangeEnd: number;
}

export interface ParseOptions {
  /** The limit to check against. Default 280; X Premium authors may post 25,000 (`PREMIUM_MAX_WEIGHTED_LENGTH`). */
  maxWeightedLength?: number;
}

/** Below U+0300 every character is NFC and none composes with the one before it. */
const MAY_NEED_NFC = /[\u0300-\uFFFF]/;
const NO_URLS: readonly UrlEntity[] = [];

/**
 * Per UTF-16 unit, its weight in 1/scale units, or `LOOK_CLOSER` for the few units that need
 * more than a lookup: a possible emoji start, a surrogate, an invalid character. One array read
 * per character replaces a search of the weight ranges.
 */
const LOOK_CLOSER = 0;
const UNIT_WEIGHTS = buildUnitWeights();

function buildUnitWeights(): Uint16Array {
  const { defaultWeight, ranges } = WEIGHTED_LENGTH_CONFIG;
  const weights = new Uint16Array(0x10000).fill(defaultWeight);
  for (const range of ranges) weights.fill(range.weight, range.start, Math.min(range.end, 0xffff) + 1);
  weights.fill(LOOK_CLOSER, 0xd800, 0xe000); // surrogates
  for (const code of [0xfffe, 0xfeff, 0xffff]) weights[code] = LOOK_CLOSER;
  // Outside the surrogates no emoji starts above LAST_BMP_EMOJI_START (emoji.test.ts checks it).
  for (let code = 0; code <= LAST_BMP_EMOJI_START; code++) {
    if (canStartEmoji(code)) weights[code] = LOOK_CLOSER;
  }
  return weights;
}

function isInvalidCharacter(code: number): boolean {
  return code === 0xfffe || code === 0xfeff || code === 0xffff;
}

/**
 * Counts `text` the way X does (twitter-text v3 `parseTweet`, https://github.com/twitter/twitter-text).
 *
 * The text is NFC-normalised first, as X stores it, and counted in that form. Like twitter-text,
 * `validRangeEnd` is an index into the normalised text shifted by how many UTF-16 units
 * normalisation removed, and `displayRangeEnd` is the last index of the text as given; the
 * conformance suite pins both.
 */
export function parsePostText(text: string, options: ParseOptions = {}): ParsedPostText {
  const { scale, defaultWeight, transformedURLLength } = WEIGHTED_LENGTH_CONFIG;
  const maxLength = options.maxWeightedLength ?? WEIGHTED_LENGTH_CONFIG.maxWeightedTweetLength;
  const maxWeight = maxLength * scale;
  const normalized = MAY_NEED_NFC.test(text) ? text.normalize('NFC') : text;
  const length = normalized.length;
  const urls = normalized.includes('.') ? extractUrls(normalized) : NO_URLS;
  const urlWeight = transformedURLLength * scale;

  // Sums stay in 1/scale units so that they are exact integers.
  let weight = 0;
  let valid = true;
  let lastFittingIndex = 0;
  let nextUrl = 0;
  let nextUrlStart = urls.length > 0 ? urls[0]!.start : length;
  for (let index = 0; index < length; ) {
    let end = index + 1;
    if (index === nextUrlStart) {
      end = urls[nextUrl]!.end;
      weight += urlWeight;
    } else {
      const code = normalized.charCodeAt(index);
      const unitWeight = UNIT_WEIGHTS[code]!;
      if (unitWeight !== LOOK_CLOSER) {
        weight += unitWeight;
      } else {
        const emojiEnd = mayStartEmoji(normalized, index, code) ? emojiEndAt(normalized, index) : -1;
        if (emojiEnd !== -1) {
          end = emojiEnd;
          weight += defaultWeight;
        } else {
          const codePoint = normalized.codePointAt(index)!;
          if (codePoint > 0xffff) end = index + 2;
          weight += codePointWeight(codePoint);
          // The valid range stops growing at the first invalid character.
          if (isInvalidCharacter(codePoint)) valid = false;
        }
      }
    }
    // …or once the limit is passed.
    if (valid && weight <= maxWeight) lastFittingIndex = end - 1;
    index = end;
    // A URL that starts inside an emoji sequence is not counted as a URL, as in twitter-text.
    while (nextUrlStart < index) {
      nextUrl++;
      nextUrlStart = nextUrl < urls.length ? urls[nextUrl]!.start : length;
    }
  }

  const weightedLength = weight / scale;
  return {
    weightedLength,
    valid: valid && weightedLength > 0 && weightedLength <= maxLength,
    permillage: Math.floor((weightedLength / maxLength) * 1000),
    validRangeStart: 0,
    validRangeEnd: lastFittingIndex + (text.length - length),
    displayRangeStart: 0,
    displayRangeEnd: text.length > 0 ? text.length - 1 : 0,
  };
}

function codePointWeight(codePoint: number): number {
  for (const range of WEIGHTED_LENGTH_CONFIG.ranges) {
    if (codePoint >= range.start && codePoint <= range.end) return range.weight;
  }
  return WEIGHTED_LENGTH_CONFIG.defaultWeight;
}
