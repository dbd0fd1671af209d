import { describe, expect, it } from 'vitest';
import { canStartEmoji, emojiEndAt, LAST_BMP_EMOJI_START, mayStartEmoji } from '../../../src/x/text/emoji.js';

/** What may follow the first unit of a sequence: nothing, VS16, a keycap, a skin tone, a ZWJ, a tag. */
const CONTINUATIONS = [
  '',
  '\uFE0F',
  '\u20E3',
  '\uFE0F\u20E3',
  '\u{1F3FB}',
  '\u200D\u2764\uFE0F',
  '\u{E0067}',
];

describe('mayStartEmoji', () => {
  // parsePostText only asks emoji-regex where this says yes; an emoji-regex upgrade that starts a
  // sequence with a new code unit must fail here, not miscount posts.
  it('says yes for every UTF-16 unit that starts an emoji sequence', () => {
    const missed: string[] = [];
    for (let code = 0; code < 0x10000; code++) {
      const first = String.fromCharCode(code);
      const starts = (rest: string) => emojiEndAt(first + rest, 0) !== -1;
      const highSurrogate = code >= 0xd800 && code <= 0xdbff;
      const texts = highSurrogate
        ? Array.from({ length: 0x400 }, (_, low) => String.fromCharCode(0xdc00 + low))
        : CONTINUATIONS;
      for (const rest of texts) {
        if (starts(rest) && !mayStartEmoji(first + rest, 0, code)) missed.push(`U+${code.toString(16)}`);
      }
    }
    expect(missed).toEqual([]);
  });

  it('says no above LAST_BMP_EMOJI_START but for the high surrogates of emoji', () => {
    const wrong: number[] = [];
    for (let code = LAST_BMP_EMOJI_START + 1; code < 0x10000; code++) {
      if (canStartEmoji(code) !== (code >= 0xd83c && code <= 0xd83e)) wrong.push(code);
    }
    expect(wrong).toEqual([]);
  });

  it('says no for letters, CJK and most punctuation', () => {
    for (const text of ['a', '7', '日', 'ア', '한', '–', '“', '。']) {
      expect(mayStartEmoji(text, 0, text.charCodeAt(0))).toBe(false);
    }
  });
});

describe('emojiEndAt', () => {
  it.each([
    ['a family ZWJ sequence', 'a👨‍👩‍👧‍👦b', 1, 12],
    ['a keycap', 'x#️⃣', 1, 4],
    ['no emoji', 'abc', 1, -1],
    ['© alone, which defaults to text', '©', 0, -1],
    ['© with VS16', '©️', 0, 2],
  ])('measures %s', (_, text, index, end) => {
    expect(emojiEndAt(text, index)).toBe(end);
  });
});
