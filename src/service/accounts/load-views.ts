import type { Queryable } from '../db/types.js';
import { type AccountViewRow, accountViews } from '../store/accounts-api.js';
import { type RateLimitRow, rateLimits } from '../store/sql.js';
import { APP_SUBJECT } from '../worker/account-client.js';
import { type AccountView, accountView } from './views.js';

/** Account ids are UUIDs; anything else names no account (a 404, not a database error). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isAccountId(value: string): boolean {
  return UUID.test(value);
}

/** Every live account's view, with the rate limits of each and the app's, in two queries. */
export async function listAccountViews(db: Queryable, now: Date): Promise<AccountView[]> {
  const { rows } = await db.query<AccountViewRow>(accountViews.list());
  const limits = await limitsBySubject(db, [...rows.map((r) => r.id), APP_SUBJECT]);
  const app = limits.get(APP_SUBJECT) ?? [];
  return rows.map((row) => accountView(row, { account: limits.get(row.id) ?? [], app }, now));
}

/** One live account's view, or undefined. */
export async function getAccountView(db: Queryable, id: string, now: Date): Promise<AccountView | undefined> {
  if (!isAccountId(id)) return undefined;
  const { rows } = await db.query<AccountViewRow>(accountViews.get(id));
  const row = rows[0];
  if (!row) return undefined;
  const limits = await limitsBySubject(db, [row.id, APP_SUBJECT]);
  return accountView(row, { account: limits.get(row.id) ?? [], app: limits.get(APP_SUBJECT) ?? [] }, now);
}

async function limitsBySubject(db: Queryable, subjects: string[]): Promise<Map<string, RateLimitRow[]>> {
  const { rows } = await db.query<RateLimitRow>(rateLimits.forSubjects(subjects));
  const bySubject = new Map<string, RateLimitRow[]>();
  for (const row of rows) {
    const list = bySubject.get(row.subject) ?? [];
    list.push(row);
    bySubject.set(row.subject, list);
  }
  return bySubject;
}
