import emojiRegex from 'emoji-regex';

/**
 * Symbols that emoji-regex matches on their own but that X's emoji parser (twemoji-parser) treats
 * as emoji only when followed by U+FE0F: ©, ®, ™ and ♟ default to text presentation. It matters for
 * © and ®, which would otherwise count 2 instead of 1.
 */
const TEXT_DEFAULT_SYMBOL = /^[\u00A9\u00AE\u2122\u265F]$/;

/** One shared instance, driven through `lastIndex`, so V8 compiles this large pattern once. */
const EMOJI = emojiRegex();

/** Start index → end index (exclusive) of every emoji sequence in `text`, in UTF-16 units. */
export function emojiSpans(text: string): Map<number, number> {
  const spans = new Map<number, number>();
  EMOJI.lastIndex = 0;
  for (let match = EMOJI.exec(text); match; match = EMOJI.exec(text)) {
    if (TEXT_DEFAULT_SYMBOL.test(match[0])) continue;
    spans.set(match.index, match.index + match[0].length);
  }
  return spans;
}
