import { extractCashtags } from './extract-cashtags.js';
import { extractMentions } from './extract-mentions.js';
import { extractUrls } from './extract-urls.js';

/** How good a place to cut a thread is; a higher level is preferred to any lower one. */
export const CUT_LEVEL = {
  /** Inside a #hashtag, @mention or $cashtag longer than a whole post: only when nothing else fits. */
  insideEntity: 0,
  /** Between two grapheme clusters of one word: the last resort for a word longer than a post. */
  grapheme: 1,
  /** Before a word that follows punctuation or another word without a space (`well-|known`, CJK). */
  word: 2,
  /** White space between words. */
  space: 3,
  /** After a sentence, or at a line break. */
  sentence: 4,
  /** A blank line between paragraphs. */
  paragraph: 5,
} as const;

export interface Cut {
  /** The separator left out at the join: white space, or nothing for a cut inside a word. */
  start: number;
  end: number;
  level: number;
}

/** White space a post may be cut at: not the no-break spaces (U+00A0, U+2007, U+202F). */
const BREAKING_SPACE = /[\t\n\v\f\r \u0085\u1680\u2000-\u2006\u2008-\u200A\u2028\u2029\u205F\u3000]+/g;
const LINE_BREAK = /\r\n|[\n\v\f\r\u0085\u2028]/g;
const PARAGRAPH_SEPARATOR = '\u2029';
/** A #hashtag as far as keeping it whole goes: the sign and the letters, marks and digits after it. */
const HASHTAG = /[#\uFF03][\p{L}\p{M}\p{N}_\u200C\u200D]+/gu;

/** Text in which a cluster may hold more than one UTF-16 unit. */
const COMPLEX_GRAPHEMES = /\r|[\u0300-\uFFFF]/;
/**
 * Word cuts matter only where no space fits in a post. A post has room for at least 20 weighted
 * characters (30, less a `9999/9999 ` number) and a character weighs at most 2, so a stretch
 * without spaces this short always fits whole, and is not handed to the (slow) word segmenter.
 */
const WORD_SEGMENT_MIN_LENGTH = 10;
/** Characters segmented at once; see `segments`. */
const SEGMENTER_CHUNK = 2_000;
/** Made on first use: creating the three segmenters costs over 10 ms, too much at import. */
let segmenters: Record<'grapheme' | 'word' | 'sentence', Intl.Segmenter> | undefined;
function segmenter(granularity: 'grapheme' | 'word' | 'sentence'): Intl.Segmenter {
  segmenters ??= {
    grapheme: new Intl.Segmenter(undefined, { granularity: 'grapheme' }),
    word: new Intl.Segmenter(undefined, { granularity: 'word' }),
    sentence: new Intl.Segmenter(undefined, { granularity: 'sentence' }),
  };
  return segmenters[granularity];
}

/**
 * Every place `text` may be cut between two posts, in increasing order, each with its level. No
 * cut falls inside a URL or a grapheme cluster (so none inside an emoji sequence), and only
 * `insideEntity` cuts fall inside a #hashtag, @mention or $cashtag.
 */
export function splitPoints(text: string): Cut[] {
  // 0: free; 1: inside an entity that may be cut as a last resort; 2: never cut.
  const protection = new Uint8Array(text.length + 1);
  const protect = (start: number, end: number, value: number) => {
    for (let i = start + 1; i < end; i++) protection[i] = Math.max(protection[i]!, value);
  };
  for (const url of extractUrls(text)) protect(url.start, url.end, 2);
  for (const entity of [...extractMentions(text), ...extractCashtags(text)])
    protect(entity.start, entity.end, 1);
  for (const tag of text.matchAll(HASHTAG)) protect(tag.index, tag.index + tag[0].length, 1);

  const levels = new Int8Array(text.length + 1).fill(-1);
  const raise = (at: number, level: number) => {
    if (protection[at] === 0 || (protection[at] === 1 && level === CUT_LEVEL.insideEntity)) {
      levels[at] = Math.max(levels[at]!, level);
    }
  };
  for (const index of graphemeStarts(text)) {
    raise(index, protection[index] === 1 ? CUT_LEVEL.insideEntity : CUT_LEVEL.grapheme);
  }
  const spaces = Array.from(text.matchAll(BREAKING_SPACE), (m) => [m.index, m.index + m[0].length] as const);
  // Stretches of text between spaces: [end of a space (or 0), start of the next (or the end)].
  const stretches = [0, ...spaces.flat(), text.length];
  for (let i = 0; i < stretches.length; i += 2) {
    const [from, to] = [stretches[i]!, stretches[i + 1]!];
    if (to - from <= WORD_SEGMENT_MIN_LENGTH) continue;
    for (const { index, isWordLike } of segments(segmenter('word'), text.slice(from, to), isWordChunkStart)) {
      if (isWordLike) raise(from + index, CUT_LEVEL.word);
    }
  }
  for (const { index } of segments(segmenter('sentence'), text, isLineStart))
    raise(index, CUT_LEVEL.sentence);

  const cuts: Cut[] = [];
  let position = 0;
  const addInside = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (levels[i]! >= 0) cuts.push({ start: i, end: i, level: levels[i]! });
  };
  for (const [start, end] of spaces) {
    addInside(position + 1, start);
    cuts.push({ start, end, level: spaceLevel(text.slice(start, end), levels[end]!) });
    position = end;
  }
  addInside(position + 1, text.length);
  // A cut at the very start or end of the text would make an empty post.
  return cuts.filter((cut) => cut.start > 0 && cut.end < text.length);
}

/**
 * `segmenter.segment(text)` with indices into `text`, run chunk by chunk: V8 takes time quadratic
 * in the length of the string segmented (a 76,000-character text took over a second), so long
 * texts are cut at places where the segmenter breaks anyway, given by `isChunkStart`.
 */
function* segments(
  segmenter: Intl.Segmenter,
  text: string,
  isChunkStart: (text: string, index: number) => boolean,
): Generator<{ index: number; isWordLike?: boolean }> {
  for (let chunkStart = 0; chunkStart < text.length; ) {
    let chunkEnd = Math.min(text.length, chunkStart + SEGMENTER_CHUNK);
    while (chunkEnd < text.length && !isChunkStart(text, chunkEnd)) chunkEnd++;
    for (const segment of segmenter.segment(text.slice(chunkStart, chunkEnd))) {
      yield { index: chunkStart + segment.index, isWordLike: segment.isWordLike };
    }
    chunkStart = chunkEnd;
  }
}

/**
 * Where each grapheme cluster starts. Below U+0300 every character but CR before LF is a cluster
 * of its own (UAX #29 has no extending or prepended character there), so chunks of such text are
 * not handed to the segmenter, which costs about a microsecond a cluster.
 */
function* graphemeStarts(text: string): Generator<number> {
  for (let chunkStart = 0; chunkStart < text.length; ) {
    let chunkEnd = Math.min(text.length, chunkStart + SEGMENTER_CHUNK);
    while (chunkEnd < text.length && !isWordChunkStart(text, chunkEnd)) chunkEnd++;
    const chunk = text.slice(chunkStart, chunkEnd);
    if (COMPLEX_GRAPHEMES.test(chunk)) {
      for (const segment of segmenter('grapheme').segment(chunk)) yield chunkStart + segment.index;
    } else {
      for (let i = chunkStart; i < chunkEnd; i++) yield i;
    }
    chunkStart = chunkEnd;
  }
}

/**
 * After a space, a line feed or an ideographic full stop, before a printable ASCII character or a
 * CJK ideograph or kana: a grapheme and a word boundary whatever surrounds it (no rule of UAX #29
 * joins those pairs).
 */
function isWordChunkStart(text: string, index: number): boolean {
  const before = text.charCodeAt(index - 1);
  const after = text.charCodeAt(index);
  if (before !== 0x20 && before !== 0x0a && before !== 0x3002) return false;
  return (
    (after > 0x20 && after < 0x7f) ||
    (after >= 0x3041 && after <= 0x3096) ||
    (after >= 0x30a1 && after <= 0x30fa) ||
    (after >= 0x4e00 && after <= 0x9fff)
  );
}

/** After a line feed: a sentence always ends there (UAX #29 rule SB4). */
function isLineStart(text: string, index: number): boolean {
  return text.charCodeAt(index - 1) === 0x0a;
}

function spaceLevel(space: string, levelAfter: number): number {
  const lineBreaks = space.match(LINE_BREAK)?.length ?? 0;
  if (lineBreaks >= 2 || space.includes(PARAGRAPH_SEPARATOR)) return CUT_LEVEL.paragraph;
  if (lineBreaks === 1 || levelAfter === CUT_LEVEL.sentence) return CUT_LEVEL.sentence;
  return CUT_LEVEL.space;
}
