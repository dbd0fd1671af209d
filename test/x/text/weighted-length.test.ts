import { describe, expect, it } from 'vitest';
import { PREMIUM_MAX_WEIGHTED_LENGTH, parsePostText, WEIGHTED_LENGTH_CONFIG } from '../../../src/x/index.js';

const lengthOf = (text: string) => parsePostText(text).weightedLength;

describe('parsePostText', () => {
  it.each([
    ['Latin letters count 1', 'hello', 5],
    ['Cyrillic and Greek count 1', 'привет γεια', 11],
    ['CJK characters count 2', '日本語', 6],
    ['Hangul counts 2', '한국', 4],
    ['an emoji counts 2', '😀', 2],
    ['a ZWJ family counts 2 once', '👨‍👩‍👧‍👦', 2],
    ['a skin-tone modifier sequence counts 2', '👍🏾', 2],
    ['a flag counts 2', '🇯🇵', 2],
    ['a tag-sequence flag counts 2', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', 2],
    ['a keycap with U+FE0F counts 2', '#️⃣', 2],
    ['a keycap without U+FE0F counts 2', '7⃣', 2],
    ['© without U+FE0F is text and counts 1, as at X', '©', 1],
    ['© with U+FE0F is an emoji and counts 2', '©️', 2],
    ['a URL counts 23 however long', `see https://example.com/${'a'.repeat(100)}`, 4 + 23],
    ['a URL without scheme counts 23', 'go to example.org now', 6 + 23 + 4],
    ['each URL counts 23', 'a.com b.com', 23 + 1 + 23],
    ['an emoji inside a URL is part of the URL', 'http://example.com/😀', 23 + 2],
    ['en dash and curly quotes count 1', '– “x”', 5],
    ['ideographic space counts 2', '\u3000', 2],
  ])('%s', (_, text, expected) => {
    expect(lengthOf(text)).toBe(expected);
  });

  it('counts a decomposed accent once, after NFC normalisation', () => {
    expect(lengthOf('Cafe\u0301')).toBe(4);
  });

  it('treats empty text as invalid', () => {
    expect(parsePostText('')).toEqual({
      weightedLength: 0,
      valid: false,
      permillage: 0,
      validRangeStart: 0,
      validRangeEnd: 0,
      displayRangeStart: 0,
      displayRangeEnd: 0,
    });
  });

  it.each([
    ['U+FFFE', '\uFFFE'],
    ['U+FEFF', '\uFEFF'],
    ['U+FFFF', '\uFFFF'],
  ])('treats %s as invalid and ends the valid range before it', (_, ch) => {
    const parsed = parsePostText(`ok${ch}ok`);
    expect(parsed.valid).toBe(false);
    expect(parsed.validRangeEnd).toBe(1);
  });

  it('accepts exactly 280 and rejects 281', () => {
    expect(parsePostText('x'.repeat(280))).toMatchObject({
      valid: true,
      permillage: 1000,
      validRangeEnd: 279,
    });
    expect(parsePostText('x'.repeat(281))).toMatchObject({
      valid: false,
      permillage: 1003,
      validRangeEnd: 279,
    });
  });

  it('ends the valid range at the last character that fits, not inside a URL or a surrogate pair', () => {
    const text = `${'x'.repeat(270)} https://example.com/path`;
    // 270 + 1 + 23 = 294: the URL does not fit, so the range ends at the space before it.
    expect(parsePostText(text)).toMatchObject({ weightedLength: 294, valid: false, validRangeEnd: 270 });
    const emoji = `${'x'.repeat(277)}😀😀`;
    expect(parsePostText(emoji)).toMatchObject({ weightedLength: 281, validRangeEnd: 278 });
  });

  describe('X Premium limit', () => {
    it('accepts 25,000 weighted characters and rejects 25,001', () => {
      const options = { maxWeightedLength: PREMIUM_MAX_WEIGHTED_LENGTH };
      expect(PREMIUM_MAX_WEIGHTED_LENGTH).toBe(25_000);
      expect(parsePostText('x'.repeat(25_000), options)).toMatchObject({
        weightedLength: 25_000,
        valid: true,
        permillage: 1000,
        validRangeEnd: 24_999,
      });
      expect(parsePostText('x'.repeat(25_001), options)).toMatchObject({
        valid: false,
        validRangeEnd: 24_999,
      });
    });

    it('weighs CJK text the same way under the premium limit', () => {
      const parsed = parsePostText('日'.repeat(12_501), { maxWeightedLength: 25_000 });
      expect(parsed).toMatchObject({
        weightedLength: 25_002,
        valid: false,
        permillage: 1000,
        validRangeEnd: 12_499,
      });
    });

    it('lets a post of 281 weighted characters through that the default limit rejects', () => {
      expect(parsePostText('x'.repeat(281), { maxWeightedLength: 25_000 }).valid).toBe(true);
      expect(parsePostText('x'.repeat(281)).valid).toBe(false);
    });
  });

  // Speed is measured by `npm run bench` (bench/text-counting.ts), not asserted here; this pins the
  // result on the inputs that once took quadratic time.
  it('counts a 25,000-character CJK paragraph and a long underscore run without a URL', () => {
    expect(parsePostText(`${'日'.repeat(25_000)}.`, { maxWeightedLength: 25_000 }).weightedLength).toBe(
      50_001,
    );
    expect(parsePostText(`${'a_'.repeat(12_500)}a.com`, { maxWeightedLength: 25_000 }).weightedLength).toBe(
      25_005,
    );
  });
});

describe('WEIGHTED_LENGTH_CONFIG', () => {
  it('is twitter-text’s v3 config', () => {
    expect(WEIGHTED_LENGTH_CONFIG).toEqual({
      maxWeightedTweetLength: 280,
      scale: 100,
      defaultWeight: 200,
      transformedURLLength: 23,
      ranges: [
        { start: 0, end: 4351, weight: 100 },
        { start: 8192, end: 8205, weight: 100 },
        { start: 8208, end: 8223, weight: 100 },
        { start: 8242, end: 8247, weight: 100 },
      ],
    });
  });
});
