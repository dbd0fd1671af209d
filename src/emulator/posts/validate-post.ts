import { extractCashtags, parsePostText } from '../../x/text/index.js';
import type { EmulatorContext } from '../context.js';
import { checkAttachableMedia } from '../media/attach.js';
import { DUPLICATE_CONTENT_DETAIL, forbidden, invalidRequest, XProblem } from '../problems.js';
import type { EmulatorUser, MediaRecord, PostRecord } from '../state/types.js';
import { isDuplicate } from './duplicates.js';
import { checkEdit } from './edits.js';
import { checkQuote, checkReply } from './reply-rules.js';
import type { CreatePostBody } from './schemas.js';

/**
 * The rules of `POST /2/tweets` that a JSON schema cannot express (REFERENCE §3.1, §5.2, §7). The
 * schema has already run; each rule throws the `XProblem` X answers with.
 */

/** X's own words (REFERENCE §5.2). */
export const TEXT_TOO_LONG_MESSAGE =
  'Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.';
/** X's wording for a missing text is not on record; this says what the spec says (REFERENCE §3.1). */
export const TEXT_REQUIRED_MESSAGE =
  'Post text is required unless media is provided: `text` must not be empty.';
/** twitter-text marks U+FFFE, U+FEFF and U+FFFF invalid (REFERENCE §7); the wording is the emulator's. */
export const TEXT_INVALID_CHARACTERS_MESSAGE = 'Your Tweet text contains characters that are not allowed.';
/** Self-serve posts may carry at most one cashtag (REFERENCE §3.1); X's wording is not on record. */
export const MAX_CASHTAGS = 1;
export const TOO_MANY_CASHTAGS_DETAIL =
  'A Post may contain at most 1 cashtag ($TICKER) on self-serve access.';

/**
 * Fields that may not appear together (spec v2.112–v2.165 field descriptions, REFERENCE §3.1):
 * `media` ⟂ `poll` ⟂ `quote_tweet_id` ⟂ `card_uri`, and `card_uri` ⟂ `direct_message_deep_link`.
 */
const EXCLUSIVE_PAIRS: ReadonlyArray<readonly [keyof CreatePostBody, keyof CreatePostBody]> = [
  ['media', 'poll'],
  ['media', 'quote_tweet_id'],
  ['media', 'card_uri'],
  ['poll', 'quote_tweet_id'],
  ['poll', 'card_uri'],
  ['quote_tweet_id', 'card_uri'],
  ['card_uri', 'direct_message_deep_link'],
];

export function exclusiveFieldsMessage(a: string, b: string): string {
  return `The fields \`${a}\` and \`${b}\` are mutually exclusive: a Post may have only one of them.`;
}

/** What the checks found, for `create-post.ts` to store. */
export interface CheckedPost {
  text: string;
  media: MediaRecord[];
  replyTo?: PostRecord;
  quoted?: PostRecord;
  editOf?: { previous: PostRecord; history: string[] };
}

export function checkPost(ctx: EmulatorContext, user: EmulatorUser, body: CreatePostBody): CheckedPost {
  const rules = ctx.settings.posts;
  const now = ctx.clock.now();
  const text = body.text ?? '';

  const clashes = EXCLUSIVE_PAIRS.filter(([a, b]) => body[a] !== undefined && body[b] !== undefined);
  if (clashes.length > 0)
    throw invalidRequest(clashes.map(([a, b]) => ({ message: exclusiveFieldsMessage(a, b) })));

  const hasText = text.trim().length > 0;
  if (!hasText && body.media === undefined) throw invalidRequest(TEXT_REQUIRED_MESSAGE);
  if (hasText) {
    const maxWeightedLength = user.premium ? rules.premiumMaxWeightedLength : rules.maxWeightedLength;
    const parsed = parsePostText(text, { maxWeightedLength });
    if (parsed.weightedLength > maxWeightedLength) throw invalidRequest(TEXT_TOO_LONG_MESSAGE);
    if (!parsed.valid) throw invalidRequest(TEXT_INVALID_CHARACTERS_MESSAGE);
    if (extractCashtags(text).length > MAX_CASHTAGS) throw forbidden(TOO_MANY_CASHTAGS_DETAIL);
  }

  let media: MediaRecord[] = [];
  if (body.media) {
    const attach = checkAttachableMedia(ctx, user.id, body.media.media_ids);
    if (!attach.ok) throw attach.problem;
    media = attach.media;
  }

  // Whitespace-only text with media is a media-only post.
  const checked: CheckedPost = { text: hasText ? text : '', media };
  if (body.edit_options)
    checked.editOf = orThrow(checkEdit(ctx.store, user, body.edit_options.previous_post_id, now));
  if (body.reply)
    checked.replyTo = orThrow(checkReply(ctx.store, rules, body.reply.in_reply_to_tweet_id, user.id));
  if (body.quote_tweet_id)
    checked.quoted = orThrow(checkQuote(ctx.store, rules, body.quote_tweet_id, user.id));

  const ignore = new Set(checked.editOf?.history ?? []);
  if (
    hasText &&
    isDuplicate(ctx.store, user.id, text, { now, windowSecs: rules.duplicateWindowSecs, ignore })
  )
    throw forbidden(DUPLICATE_CONTENT_DETAIL);
  return checked;
}

function orThrow<T>(result: T | XProblem): T {
  if (result instanceof XProblem) throw result;
  return result;
}
