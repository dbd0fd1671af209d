import { LATIN_ACCENTS } from './character-classes.js';
import { extractUrls } from './extract-urls.js';

export interface MentionEntity {
  /** Without the `@`. */
  username: string;
  start: number;
  /** Exclusive. */
  end: number;
}

const MAX_USERNAME_LENGTH = 15;

/** `@` or the full-width `＠`, then the longest run of username characters. */
const CANDIDATE = /[@\uFF20]([A-Za-z0-9_]+)/g;
/** An @ glued to a word, an e-mail local part or another sigil is not a mention… */
const BLOCKING_BEFORE = /[A-Za-z0-9_!#$%&*@\uFF20]/;
/** …except right after a retweet marker: `RT@jack`, `RT:@jack`. */
const RETWEET_BEFORE = /(?:^|[^A-Za-z0-9_+~.-])rt:?$/i;
/** `xRT:` is the longest text the retweet rule looks at; `://` the longest after a name. */
const RETWEET_WINDOW = 4;
const AFTER_WINDOW = 3;
/** `@jack@example.com`, `@jackñ`, `@http://…` are not mentions. */
const BLOCKING_AFTER = new RegExp(`^(?:[@\\uFF20${LATIN_ACCENTS}]|://)`);
/** `@jack/list-name` is a list, not a mention of jack. */
const LIST_SLUG = /^\/[A-Za-z]/;

/**
 * The @mentions X would link in `text` (twitter-text's rules). Unlike twitter-text's
 * extractMentionsWithIndices, a name longer than 15 characters (X's limit) is not a mention at
 * all rather than cut short, and an `@name` inside a URL (`medium.com/@jack`) is part of the URL,
 * as in X's own entities.
 */
export function extractMentions(text: string): MentionEntity[] {
  if (!/[@\uFF20]/.test(text)) return [];
  const mentions: MentionEntity[] = [];
  let urls: ReturnType<typeof extractUrls> | undefined;
  for (const match of text.matchAll(CANDIDATE)) {
    const username = match[1]!;
    const start = match.index;
    const end = start + match[0].length;
    if (username.length > MAX_USERNAME_LENGTH) continue;
    // Short windows keep each check constant-time however many @ the text holds.
    const before = text.slice(Math.max(0, start - RETWEET_WINDOW), start);
    if (BLOCKING_BEFORE.test(before.at(-1) ?? '') && !RETWEET_BEFORE.test(before)) continue;
    const after = text.slice(end, end + AFTER_WINDOW);
    if (BLOCKING_AFTER.test(after) || LIST_SLUG.test(after)) continue;
    urls ??= extractUrls(text);
    if (urls.some((url) => start < url.end && url.start < end)) continue;
    mentions.push({ username, start, end });
  }
  return mentions;
}
