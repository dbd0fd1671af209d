import emojiRegex from 'emoji-regex';

/**
 * Symbols that emoji-regex matches on their own but that X's emoji parser (twemoji-parser) treats
 * as emoji only when followed by U+FE0F: ©, ®, ™ and ♟ default to text presentation. It matters for
 * © and ®, which would otherwise count 2 instead of 1.
 */
const TEXT_DEFAULT_SYMBOLS = new Set([0xa9, 0xae, 0x2122, 0x265f]);

/**
 * emoji-regex made sticky: tried only where a sequence could start, it answers "how long is the
 * emoji here" without scanning the rest of the text. One shared instance, so V8 compiles this
 * large pattern to machine code once.
 */
const EMOJI_AT = new RegExp(emojiRegex().source, 'y');

const VARIATION_SELECTOR_16 = 0xfe0f;
/** The highest UTF-16 unit outside the surrogates that `canStartEmoji` accepts (㊙ U+3299). */
export const LAST_BMP_EMOJI_START = 0x3299;
const COMBINING_KEYCAP = 0x20e3;

/**
 * Whether a UTF-16 unit can begin an emoji sequence at all. emoji-regex 11 starts sequences only
 * with these (test/x/text/emoji.test.ts checks every unit, so an upgrade that adds one fails
 * there): `#`, `*`, digits, `©` and `®` (before U+FE0F or U+20E3); U+203C–U+2B55 and four CJK
 * symbols; and the high surrogates of U+1F000–U+1FFFF.
 */
export function canStartEmoji(code: number): boolean {
  if (code < 0x2000) {
    return code === 0x23 || code === 0x2a || (code >= 0x30 && code <= 0x39) || code === 0xa9 || code === 0xae;
  }
  if (code <= 0x2b55) return code >= 0x203c;
  if (code >= 0xd83c) return code <= 0xd83e;
  return code === 0x3030 || code === 0x303d || code === 0x3297 || code === LAST_BMP_EMOJI_START;
}

/**
 * Whether an emoji sequence may start at `index`, whose UTF-16 unit is `code`: a cheap test that
 * spares the regex almost every character.
 */
export function mayStartEmoji(text: string, index: number, code: number): boolean {
  if (!canStartEmoji(code)) return false;
  if (code >= 0x2000) return true;
  const next = text.charCodeAt(index + 1);
  return next === VARIATION_SELECTOR_16 || next === COMBINING_KEYCAP;
}

/** End (exclusive) of the emoji sequence starting at `index`, or -1 when none starts there. */
export function emojiEndAt(text: string, index: number): number {
  EMOJI_AT.lastIndex = index;
  if (!EMOJI_AT.test(text)) return -1;
  const end = EMOJI_AT.lastIndex;
  if (end === index + 1 && TEXT_DEFAULT_SYMBOLS.has(text.charCodeAt(index))) return -1;
  return end;
}
