import type { FieldProblem } from '../errors.js';
import type { ReplySettings, StoredXOptions } from './stored-request.js';

/**
 * Checks of single values of a post request, each adding what is wrong to `problems` (every problem
 * is reported, not just the first) and returning the checked value, or undefined when it is unusable.
 */

export type Problems = FieldProblem[];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Code points, the way X and JSON Schema's `maxLength` count characters (an emoji is one). */
export function characters(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** A scheduled time this close to the past is taken as "now": the client's clock and ours differ a little. */
export const PAST_TOLERANCE_MS = 60_000;

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const EXAMPLE = '2025-06-01T09:30:00Z';

/**
 * `scheduled_at`: ISO-8601 date and time with a timezone (`Z` or an offset). More than 60 s before
 * `now` is refused (`in_the_past`); a time within those 60 s is accepted and means now.
 */
export function checkScheduledAt(
  value: string,
  now: Date,
  field: string,
  problems: Problems,
): Date | undefined {
  const m = DATE_TIME.exec(value.trim());
  if (!m) {
    problems.push({
      field,
      code: 'invalid_datetime',
      message: `must be an ISO-8601 date and time with a timezone, such as ${EXAMPLE} (got "${value}")`,
    });
    return undefined;
  }
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (zone === undefined) {
    problems.push({
      field,
      code: 'missing_timezone',
      message: `has no timezone, so the time is ambiguous: add Z for UTC or an offset such as +02:00 (${EXAMPLE})`,
    });
    return undefined;
  }
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s ?? '0'].map(Number) as number[];
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  const offsetMinutes = zoneOffsetMinutes(zone);
  if (
    month! < 1 ||
    month! > 12 ||
    day! < 1 ||
    day! > daysInMonth ||
    hour! > 23 ||
    minute! > 59 ||
    second! > 59 ||
    offsetMinutes === undefined
  ) {
    problems.push({
      field,
      code: 'invalid_datetime',
      message: `is not a real date and time (check the month, day, hour and offset), such as ${EXAMPLE}`,
    });
    return undefined;
  }
  const ms = frac ? Number(`0.${frac}`) * 1000 : 0;
  const utc = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!, Math.floor(ms));
  const at = new Date(utc - offsetMinutes * 60_000);
  if (at.getTime() < now.getTime() - PAST_TOLERANCE_MS) {
    problems.push({
      field,
      code: 'in_the_past',
      message: `is in the past (${at.toISOString()}, it is now ${now.toISOString()}); leave it out to publish now, or give a future time`,
    });
    return undefined;
  }
  return at;
}

function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

/** X's post ids: decimal, 1 to 19 digits (REFERENCE §3.1). */
const X_POST_ID = /^[0-9]{1,19}$/;

export const REPLY_SETTINGS: readonly ReplySettings[] = Object.freeze([
  'following',
  'mentionedUsers',
  'subscribers',
  'verified',
]);

/** X's poll rules (REFERENCE §3.1): 2–4 options of 1–25 characters, 5–10080 minutes. */
export const POLL_RULES = Object.freeze({
  minOptions: 2,
  maxOptions: 4,
  maxOptionLength: 25,
  minMinutes: 5,
  maxMinutes: 10_080,
});

/** The X options as the client sent them (after a PATCH merged them), not yet checked. */
export interface XOptionsInput {
  reply_to?: string | undefined;
  quote?: string | undefined;
  poll?: { options: string[]; duration_minutes: number } | undefined;
  reply_settings?: string | undefined;
  auto_thread?: boolean | undefined;
}

/**
 * Checks the X options on their own (ids, reply settings, the poll's own rules). How they combine
 * with media and the thread is checked in normalize.ts. Returns the options to store.
 */
export function checkXOptions(x: XOptionsInput, problems: Problems): StoredXOptions {
  const out: StoredXOptions = {};
  for (const key of ['reply_to', 'quote'] as const) {
    const value = x[key];
    if (value === undefined) continue;
    if (!X_POST_ID.test(value)) {
      problems.push({
        field: `x.${key}`,
        code: 'invalid_id',
        message: `must be the numeric id of an X post, such as 1790000000000000000 (the number at the end of its URL); got "${value}"`,
      });
    } else out[key] = value;
  }
  if (x.reply_settings !== undefined) {
    if ((REPLY_SETTINGS as readonly string[]).includes(x.reply_settings)) {
      out.reply_settings = x.reply_settings as ReplySettings;
    } else {
      problems.push({
        field: 'x.reply_settings',
        code: 'invalid_value',
        message: `must be one of ${REPLY_SETTINGS.join(', ')} (leave it out to let everyone reply); got "${x.reply_settings}"`,
      });
    }
  }
  if (x.poll !== undefined) {
    const poll = checkPoll(x.poll, problems);
    if (poll) out.poll = poll;
  }
  if (x.auto_thread !== undefined) out.auto_thread = x.auto_thread;
  return out;
}

function checkPoll(
  poll: { options: string[]; duration_minutes: number },
  problems: Problems,
): StoredXOptions['poll'] | undefined {
  const before = problems.length;
  const { minOptions, maxOptions, maxOptionLength, minMinutes, maxMinutes } = POLL_RULES;
  if (poll.options.length < minOptions || poll.options.length > maxOptions) {
    problems.push({
      field: 'x.poll.options',
      code: 'poll_options_count',
      message: `must have ${minOptions} to ${maxOptions} options; got ${poll.options.length}`,
    });
  }
  poll.options.forEach((option, i) => {
    const field = `x.poll.options[${i}]`;
    if (option.trim() === '') {
      problems.push({ field, code: 'empty', message: 'is empty: each poll option needs 1 to 25 characters' });
    } else if (characters(option) > maxOptionLength) {
      problems.push({
        field,
        code: 'too_long',
        message: `is ${characters(option)} characters; a poll option may have at most ${maxOptionLength}`,
      });
    }
  });
  const minutes = poll.duration_minutes;
  if (!Number.isInteger(minutes) || minutes < minMinutes || minutes > maxMinutes) {
    problems.push({
      field: 'x.poll.duration_minutes',
      code: 'out_of_range',
      message: `must be a whole number of minutes from ${minMinutes} to ${maxMinutes} (7 days); got ${minutes}`,
    });
  }
  return problems.length === before
    ? { options: [...poll.options], duration_minutes: poll.duration_minutes }
    : undefined;
}
