import type { ValidationIssue } from '../errors/x-validation-error.js';
import { MAX_ALT_TEXT_LENGTH } from '../media/limits.js';
import { PREMIUM_MAX_WEIGHTED_LENGTH, parsePostText, WEIGHTED_LENGTH_CONFIG } from '../text/index.js';
import { type CreatePostParams, REPLY_SETTINGS } from '../types/tweets.js';

/**
 * The rules of `POST /2/tweets` that can be checked without asking X (REFERENCE §3.1, §7), so a
 * post that X would refuse costs no request, no rate-limit slot and no pay-per-use credit. Rules
 * that need X's state (media ownership and processing, reply and quote permission, duplicates) stay
 * with X. Field names in issues are the caller's camelCase names.
 */

export const DEFAULT_MAX_WEIGHTED_LENGTH = WEIGHTED_LENGTH_CONFIG.maxWeightedTweetLength;
/** Snowflake ids are decimal strings (REFERENCE §3.1). */
const ID_PATTERN = /^[0-9]{1,19}$/;
const MEDIA_MIN = 1;
const MEDIA_MAX = 4;
const TAGGED_USERS_MAX = 10;
const POLL_OPTIONS_MIN = 2;
const POLL_OPTIONS_MAX = 4;
const POLL_OPTION_MAX_CHARS = 25;
const POLL_MINUTES_MIN = 5;
const POLL_MINUTES_MAX = 10_080;

/**
 * `media` ⟂ `poll` ⟂ `quote_tweet_id` ⟂ `card_uri`, and `card_uri` ⟂ `direct_message_deep_link`
 * (spec v2.112–v2.165 field descriptions, REFERENCE §3.1).
 */
const EXCLUSIVE_PAIRS: ReadonlyArray<readonly [keyof CreatePostParams, keyof CreatePostParams]> = [
  ['mediaIds', 'poll'],
  ['mediaIds', 'quote'],
  ['mediaIds', 'cardUri'],
  ['media', 'poll'],
  ['media', 'quote'],
  ['media', 'cardUri'],
  ['poll', 'quote'],
  ['poll', 'cardUri'],
  ['quote', 'cardUri'],
  ['cardUri', 'directMessageDeepLink'],
];

const KNOWN_FIELDS: ReadonlySet<string> = new Set<keyof CreatePostParams>([
  'text',
  'mediaIds',
  'media',
  'taggedUserIds',
  'reply',
  'quote',
  'poll',
  'replySettings',
  'communityId',
  'shareWithFollowers',
  'forSuperFollowersOnly',
  'madeWithAi',
  'paidPartnership',
  'placeId',
  'directMessageDeepLink',
  'cardUri',
  'nullcast',
  'editOf',
]);
const BOOLEAN_FIELDS = [
  'shareWithFollowers',
  'forSuperFollowersOnly',
  'madeWithAi',
  'paidPartnership',
  'nullcast',
] as const;
const STRING_FIELDS = ['placeId', 'directMessageDeepLink', 'cardUri'] as const;

export interface ValidatePostOptions {
  /** The account's weighted-length limit: 280, or 25,000 for X Premium (`PREMIUM_MAX_WEIGHTED_LENGTH`). */
  maxWeightedLength?: number;
}

/** Every problem with `params`, or `[]`. */
export function validatePost(params: CreatePostParams, options: ValidatePostOptions = {}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (field: string, rule: ValidationIssue['rule'], message: string) =>
    issues.push({ field, rule, message });
  if (typeof params !== 'object' || params === null) {
    add('params', 'type', 'a post is an object such as { text: "hello" }');
    return issues;
  }

  for (const key of Object.keys(params)) {
    if (!KNOWN_FIELDS.has(key)) add(key, 'unknown-field', `${key} is not a field of a post`);
  }
  checkText(params, options.maxWeightedLength ?? DEFAULT_MAX_WEIGHTED_LENGTH, add);
  if (params.mediaIds !== undefined) checkIdList('mediaIds', params.mediaIds, MEDIA_MIN, MEDIA_MAX, add);
  if (params.media !== undefined) checkAttachments(params, add);
  if (params.taggedUserIds !== undefined) {
    checkIdList('taggedUserIds', params.taggedUserIds, 0, TAGGED_USERS_MAX, add);
    if (!hasMedia(params))
      add('taggedUserIds', 'depends-on', 'taggedUserIds tags users in photos, so it needs mediaIds or media');
  }
  if (params.reply !== undefined) {
    if (typeof params.reply !== 'object' || params.reply === null) {
      add('reply', 'type', 'reply is an object such as { inReplyTo: "1880028106020515840" }');
    } else {
      checkId('reply.inReplyTo', params.reply.inReplyTo, add);
      if (params.reply.excludeReplyUserIds !== undefined)
        checkIdList('reply.excludeReplyUserIds', params.reply.excludeReplyUserIds, 0, Infinity, add);
    }
  }
  if (params.quote !== undefined) checkId('quote', params.quote, add);
  if (params.communityId !== undefined) checkId('communityId', params.communityId, add);
  if (params.editOf !== undefined) checkId('editOf', params.editOf, add);
  if (params.poll !== undefined) checkPoll(params.poll, add);
  if (params.replySettings !== undefined && !REPLY_SETTINGS.includes(params.replySettings)) {
    add(
      'replySettings',
      'enum',
      `replySettings is ${JSON.stringify(params.replySettings)}; use one of ${REPLY_SETTINGS.join(', ')} (or leave it out for everyone)`,
    );
  }
  for (const field of BOOLEAN_FIELDS) {
    if (params[field] !== undefined && typeof params[field] !== 'boolean')
      add(field, 'type', `${field} is true or false`);
  }
  for (const field of STRING_FIELDS) {
    const value = params[field];
    if (value !== undefined && (typeof value !== 'string' || value === ''))
      add(field, 'type', `${field} is a non-empty string`);
  }
  for (const [a, b] of EXCLUSIVE_PAIRS) {
    if (params[a] !== undefined && params[b] !== undefined)
      add(
        `${a}, ${b}`,
        'exclusive',
        `${a} and ${b} cannot be used together: a post may have only one of them`,
      );
  }
  return issues;
}

type Add = (field: string, rule: ValidationIssue['rule'], message: string) => void;

function hasMedia(params: CreatePostParams): boolean {
  return params.mediaIds !== undefined || params.media !== undefined;
}

/** `media` attachments: each a path or bytes, alt text within X's 1000 characters, 1–4 with `mediaIds`. */
function checkAttachments(params: CreatePostParams, add: Add): void {
  const { media } = params;
  if (!Array.isArray(media)) {
    add('media', 'type', 'media is a list such as [{ path: "photo.jpg", alt: "a cat" }]');
    return;
  }
  const total = media.length + (Array.isArray(params.mediaIds) ? params.mediaIds.length : 0);
  if (total < MEDIA_MIN) add('media', 'min-items', `media lists at least ${MEDIA_MIN} file`);
  if (total > MEDIA_MAX) {
    add(
      'media',
      'max-items',
      `a post carries at most ${MEDIA_MAX} media (mediaIds and media together); got ${total}`,
    );
  }
  media.forEach((item: unknown, i) => {
    const a = item as { path?: unknown; data?: unknown; alt?: unknown } | null;
    const field = `media[${i}]`;
    const hasPath = typeof a?.path === 'string' && a.path !== '';
    const hasData = a?.data instanceof Uint8Array;
    if (!a || typeof a !== 'object' || hasPath === hasData) {
      add(field, 'type', `${field} is { path: "file.jpg" } or { data: <bytes> }, with an optional alt`);
      return;
    }
    if (a.alt !== undefined && (typeof a.alt !== 'string' || a.alt.length > MAX_ALT_TEXT_LENGTH)) {
      add(`${field}.alt`, 'length', `${field}.alt is a string of at most ${MAX_ALT_TEXT_LENGTH} characters`);
    }
  });
}

function checkText(params: CreatePostParams, limit: number, add: Add): void {
  const { text } = params;
  if (text !== undefined && typeof text !== 'string') {
    add('text', 'type', 'text is a string');
    return;
  }
  // X: "Required unless media is provided" (§3.1); whitespace alone counts as no text, and a poll needs text.
  if ((text === undefined || text.trim() === '') && !hasMedia(params)) {
    add('text', 'required', 'text is required unless mediaIds or media is given');
    return;
  }
  if (text === undefined || text.trim() === '') return;
  const parsed = parsePostText(text, { maxWeightedLength: limit });
  if (parsed.weightedLength > limit) {
    const premium =
      limit < PREMIUM_MAX_WEIGHTED_LENGTH
        ? `, or pass maxWeightedLength: ${PREMIUM_MAX_WEIGHTED_LENGTH} for an X Premium account`
        : '';
    add(
      'text',
      'max-weighted-length',
      `text is ${parsed.weightedLength} weighted characters; the limit is ${limit} (split it with splitThread${premium})`,
    );
  } else if (!parsed.valid) {
    // Within the limit yet invalid: it holds U+FFFE, U+FEFF or U+FFFF, which X refuses (§7).
    add('text', 'invalid-characters', 'text contains U+FFFE, U+FEFF or U+FFFF, which X does not allow');
  }
}

function checkId(field: string, value: unknown, add: Add): void {
  if (typeof value !== 'string' || !ID_PATTERN.test(value))
    add(
      field,
      'id-format',
      `${field} is ${JSON.stringify(value)}; an id is 1–19 decimal digits, as a string`,
    );
}

function checkIdList(field: string, value: unknown, min: number, max: number, add: Add): void {
  if (!Array.isArray(value)) {
    add(field, 'type', `${field} is an array of id strings`);
    return;
  }
  if (value.length < min)
    add(field, 'min-items', `${field} has ${value.length} items; at least ${min} needed`);
  if (value.length > max)
    add(field, 'max-items', `${field} has ${value.length} items; at most ${max} allowed`);
  for (const [i, id] of value.entries()) checkId(`${field}[${i}]`, id, add);
}

function checkPoll(poll: NonNullable<CreatePostParams['poll']>, add: Add): void {
  if (typeof poll !== 'object' || poll === null) {
    add('poll', 'type', 'poll is an object such as { options: ["yes", "no"], durationMinutes: 60 }');
    return;
  }
  const { options, durationMinutes } = poll;
  if (!Array.isArray(options)) {
    add('poll.options', 'type', 'poll.options is an array of 2–4 strings');
  } else {
    if (options.length < POLL_OPTIONS_MIN || options.length > POLL_OPTIONS_MAX)
      add(
        'poll.options',
        options.length < POLL_OPTIONS_MIN ? 'min-items' : 'max-items',
        `poll.options has ${options.length} options; a poll has ${POLL_OPTIONS_MIN}–${POLL_OPTIONS_MAX}`,
      );
    options.forEach((option: unknown, i) => {
      // JSON-schema lengths count code points, as X's schema check does.
      const length = typeof option === 'string' ? [...option].length : -1;
      if (length < 1 || length > POLL_OPTION_MAX_CHARS)
        add(
          `poll.options[${i}]`,
          'length',
          `poll.options[${i}] is ${typeof option === 'string' ? `${length} characters` : 'not a string'}; an option has 1–${POLL_OPTION_MAX_CHARS}`,
        );
    });
  }
  if (
    !Number.isInteger(durationMinutes) ||
    durationMinutes < POLL_MINUTES_MIN ||
    durationMinutes > POLL_MINUTES_MAX
  ) {
    add(
      'poll.durationMinutes',
      'range',
      `poll.durationMinutes is ${String(durationMinutes)}; it is a whole number of minutes from ${POLL_MINUTES_MIN} to ${POLL_MINUTES_MAX} (7 days)`,
    );
  }
}
