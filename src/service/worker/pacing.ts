import type { Queryable } from '../db/types.js';
import { type RateLimitRow, rateLimits } from '../store/sql.js';
import { APP_SUBJECT } from './account-client.js';

/**
 * After a window's reset time, wait this much longer before calling again: X's reset is a whole
 * second and clocks differ a little; an early call is a 429.
 */
export const RESET_MARGIN_MS = 250;
/** A spent window whose reset we do not know is tried again after this long (X's windows are 15 min). */
const UNKNOWN_RESET_MS = 15 * 60_000;

/**
 * Pacing shared by every worker (issue 6, "Pacing"): before calling `endpoint` for an account, take
 * one request from each window X told us about — the account's 15-minute window and its daily cap
 * (`x-user-limit-24hour`), and the app's daily cap (`x-app-limit-24hour`, subject `app`). Returns
 * undefined to go now, or when to try again: the reset of the window that is spent (the later one
 * when several are). Nothing stored yet for a subject means nothing is known: go.
 */
export async function pacingWait(
  db: Queryable,
  accountId: string,
  endpoint: string,
  now: Date,
): Promise<Date | undefined> {
  let until: Date | undefined;
  for (const subject of [accountId, APP_SUBJECT]) {
    const { rows: taken } = await db.query(rateLimits.take(subject, endpoint, now));
    if (taken.length > 0) continue;
    const { rows } = await db.query<RateLimitRow>(rateLimits.get(subject, endpoint));
    const row = rows[0];
    if (!row) continue;
    const reset = spentUntil(row, now);
    if (reset && (!until || reset > until)) until = reset;
  }
  return until;
}

/** When the spent windows of a row reset (plus the margin); undefined if none is spent. */
export function spentUntil(row: RateLimitRow, now: Date): Date | undefined {
  const ends: number[] = [];
  const spent = (remaining: number | null, reset: Date | null) =>
    remaining !== null && remaining <= 0 && (reset === null || reset > now);
  if (spent(row.remaining, row.reset_at))
    ends.push(row.reset_at?.getTime() ?? now.getTime() + UNKNOWN_RESET_MS);
  if (spent(row.daily_remaining, row.daily_reset_at))
    ends.push(row.daily_reset_at?.getTime() ?? now.getTime() + UNKNOWN_RESET_MS);
  if (ends.length === 0) return undefined;
  return new Date(Math.max(...ends) + RESET_MARGIN_MS);
}
