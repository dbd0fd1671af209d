import {
  CYRILLIC,
  DIRECTIONAL_MARKERS,
  INVALID_CHARACTERS,
  LATIN_ACCENTS,
  PUNCTUATION,
  SPACES,
} from './character-classes.js';
import { TLD_ALTERNATION } from './tld-pattern.js';

/**
 * The grammar of a URL in a post, as twitter-text's extractor recognises it
 * (https://github.com/twitter/twitter-text/tree/master/js/src/regexp): an optional http(s) scheme,
 * a host ending in a known TLD, an optional port, path and query, with the trailing punctuation
 * that usually ends a sentence left out.
 */

/** A TLD (or an ACE label) must not run on into letters, digits, `@` (an e-mail), `+` or `-`. */
const TLD = `(?:${TLD_ALTERNATION}|xn--[0-9a-z-]+)(?=[^0-9a-zA-Z@+-]|$)`;

const DOMAIN_CHAR = `[^${PUNCTUATION}${SPACES}${INVALID_CHARACTERS}${DIRECTIONAL_MARKERS}]`;
/** Sub-domain labels may hold `_` (X links `sub_domain.example.com`); the registered name may not. */
const SUBDOMAIN = `(?:(?:${DOMAIN_CHAR}(?:[_-]|${DOMAIN_CHAR})*)?${DOMAIN_CHAR}\\.)`;
const DOMAIN_NAME = `(?:(?:${DOMAIN_CHAR}(?:-|${DOMAIN_CHAR})*)?${DOMAIN_CHAR}\\.)`;
const DOMAIN = `${SUBDOMAIN}*${DOMAIN_NAME}${TLD}`;

const PATH_CHAR = `[a-z${CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\\u2013_~@|&${LATIN_ACCENTS}]`;
/** One level of nested parentheses, so `wiki/Foo_(bar)` keeps its `)` and `(see url)` does not. */
const BALANCED_PARENS = `\\((?:${PATH_CHAR}+|(?:${PATH_CHAR}*\\(${PATH_CHAR}+\\)${PATH_CHAR}*))\\)`;
/** A path may not end in `.`, `,`, `!`, `?`, `:`, `;`, quotes…: those close the sentence instead. */
const PATH_END = `(?:[+\\-a-z${CYRILLIC}0-9=_#/${LATIN_ACCENTS}]|${BALANCED_PARENS})`;
const PATH_SEGMENT = `(?:${PATH_CHAR}*(?:${BALANCED_PARENS}${PATH_CHAR}*)*${PATH_END}|@${PATH_CHAR}+/)`;

const QUERY_CHAR = `[a-z0-9!?*'@();:&=+$/%#\\[\\]\\-_.,~|]`;
const QUERY_END = `[a-z0-9\\-_&=#/]`;

/**
 * A URL may not continue a word, an @mention, a $cashtag or a #hashtag. Matching the character
 * before with a look-behind (rather than consuming it) lets two URLs share one separator.
 */
const NOT_AFTER = `(?<![A-Za-z0-9@\\uFF20$#\\uFF03${INVALID_CHARACTERS}])`;

/*
 * The patterns below are shared instances driven through `lastIndex`: V8 compiles a regular
 * expression to machine code only once the same object has run, so a fresh copy per call (as
 * `matchAll` makes) runs these large patterns in the slow interpreter every time.
 */

/**
 * A URL starting exactly at `lastIndex` (sticky, case-insensitive). Groups, numbered rather than
 * named (a named group costs an object per match): `URL_GROUP`.
 */
export const URL_AT = new RegExp(
  `${NOT_AFTER}((https?:\\/\\/)?(${DOMAIN})(?::[0-9]+)?(\\/${PATH_SEGMENT}*)?(?:\\?${QUERY_CHAR}*${QUERY_END})?)`,
  'iy',
);
/** The groups of `URL_AT`: the whole entity, the scheme, the host, the path. */
export const URL_GROUP = { url: 1, scheme: 2, domain: 3, path: 4 } as const;

/** A character that can be part of a host name. */
export const HOST_CHARACTER = new RegExp(`${DOMAIN_CHAR}|[._-]`);
/** A label character followed by `.` and a TLD, tested at the label character (sticky). */
export const LABEL_END_BEFORE_TLD_AT = new RegExp(`${DOMAIN_CHAR}\\.${TLD}`, 'iy');

/** Host names made of ASCII and Latin letters only: what X links when the scheme is missing (global). */
export const ASCII_DOMAIN = new RegExp(`(?:[a-z0-9${LATIN_ACCENTS}-]+\\.)+${TLD}`, 'gi');

/** X's own short links carry a slug and at most a query; anything after is not part of them. */
export const TCO_URL = new RegExp(
  `^https?:\\/\\/t\\.co\\/([a-z0-9]+)(?:\\?${QUERY_CHAR}*${QUERY_END})?`,
  'i',
);
