import { WEIGHTED_LENGTH_CONFIG } from './config.js';
import { emojiSpans } from './emoji.js';
import { extractUrls } from './extract-urls.js';

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

const INVALID_CHARACTER = /[\uFFFE\uFEFF\uFFFF]/;

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
  const normalized = text.normalize('NFC');
  const urlEnds = new Map(extractUrls(normalized).map((url) => [url.start, url.end]));
  const emojiEnds = emojiSpans(normalized);

  // Sums stay in 1/scale units so that they are exact integers.
  let weight = 0;
  let valid = true;
  let lastFittingIndex = 0;
  for (let index = 0; index < normalized.length; ) {
    const urlEnd = urlEnds.get(index);
    const emojiEnd = emojiEnds.get(index);
    let end: number;
    if (urlEnd !== undefined) {
      end = urlEnd;
      weight += transformedURLLength * scale;
    } else if (emojiEnd !== undefined) {
      end = emojiEnd;
      weight += defaultWeight;
    } else {
      const codePoint = normalized.codePointAt(index)!;
      end = index + (codePoint > 0xffff ? 2 : 1);
      weight += codePointWeight(codePoint);
    }
    if (valid && INVALID_CHARACTER.test(normalized.slice(index, end))) valid = false;
    // The valid range stops growing at the first invalid character or once the limit is passed.
    if (valid && weight <= maxLength * scale) lastFittingIndex = end - 1;
    index = end;
  }

  const weightedLength = weight / scale;
  return {
    weightedLength,
    valid: valid && weightedLength > 0 && weightedLength <= maxLength,
    permillage: Math.floor((weightedLength / maxLength) * 1000),
    validRangeStart: 0,
    validRangeEnd: lastFittingIndex + (text.length - normalized.length),
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
