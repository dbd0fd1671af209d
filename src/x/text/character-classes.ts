/**
 * Character-class bodies (to go inside `[...]`) shared by the entity extractors. They follow the
 * character sets twitter-text defines, so that X and we agree on where an entity starts and ends.
 */

/** ASCII punctuation. twitter-text's set omits `"` and backtick (an oversight); we include them. */
export const PUNCTUATION = String.raw`!"#$%&'()*+,\-./:;<=>?@\[\\\]^_\`{|}~`;

/** White space as twitter-text sees it (Unicode White_Space plus U+180E). */
export const SPACES = String.raw`\u0009-\u000D\u0020\u0085\u00A0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000`;

/** Characters that make a post invalid, and that never belong to an entity. */
export const INVALID_CHARACTERS = String.raw`\uFFFE\uFEFF\uFFFF`;

/** Bidi embedding, override, isolate and mark characters: invisible, they separate entities. */
export const DIRECTIONAL_MARKERS = String.raw`\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069`;

/** Latin letters with diacritics and combining marks; they continue a word, so end no entity. */
export const LATIN_ACCENTS = String.raw`\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF`;

export const CYRILLIC = String.raw`\u0400-\u04FF`;
