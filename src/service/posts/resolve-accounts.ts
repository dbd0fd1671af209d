import type { Queryable } from '../db/types.js';
import { postsApi } from '../store/posts-api.js';
import type { AccountRow } from '../store/sql.js';
import { XAccessUnavailableError } from '../x-access.js';
import { isUuid, type Problems } from './validate-fields.js';

/** The only profile there is: X. `profiles: ["x"]` means every connected X account. */
export const PROFILES = Object.freeze(['x'] as const);

const LIST_HINT = 'GET /api/accounts lists the connected accounts and their ids';

/**
 * Why this process cannot post as an account (a sandbox account while the service posts to X, or the
 * reverse), from the routes' `x(account)`; undefined when it can.
 */
export type Unreachable = (account: AccountRow) => XAccessUnavailableError | undefined;

/** `Unreachable` from a `RouteDeps.x`, which throws `XAccessUnavailableError` for such an account. */
export function unreachableVia(x: (account: AccountRow) => unknown): Unreachable {
  return (account) => {
    try {
      x(account);
      return undefined;
    } catch (error) {
      if (error instanceof XAccessUnavailableError) return error;
      throw error;
    }
  };
}

/**
 * The accounts a new post goes to: `accounts` (ids) or `profiles: ["x"]`, exactly one of them. Each
 * id must name a connected account that does not need reconnecting and that this service can reach
 * (`unreachable`); `profiles: ["x"]` picks every such account. Returns the accounts found usable
 * (possibly fewer than asked, with `problems` saying why). Refusing here, rather than accepting a
 * post whose targets then fail, tells the caller at once.
 */
export async function resolveAccounts(
  q: Queryable,
  request: { accounts?: string[] | undefined; profiles?: string[] | undefined },
  problems: Problems,
  unreachable: Unreachable = () => undefined,
): Promise<AccountRow[]> {
  const { accounts, profiles } = request;
  if (accounts !== undefined && profiles !== undefined) {
    problems.push({
      field: 'accounts',
      code: 'accounts_and_profiles',
      message: 'give either `accounts` (ids) or `profiles: ["x"]` (every connected X account), not both',
    });
    return [];
  }
  if (accounts === undefined && profiles === undefined) {
    problems.push({
      field: 'accounts',
      code: 'required',
      message: `name the accounts to post to: \`accounts: ["<id>"]\` (${LIST_HINT}), or \`profiles: ["x"]\` for every connected X account`,
    });
    return [];
  }
  return accounts !== undefined
    ? byIds(q, accounts, problems, unreachable)
    : byProfiles(q, profiles!, problems, unreachable);
}

async function byIds(
  q: Queryable,
  ids: string[],
  problems: Problems,
  unreachable: Unreachable,
): Promise<AccountRow[]> {
  if (ids.length === 0) {
    problems.push({
      field: 'accounts',
      code: 'empty',
      message: `is empty: name at least one account (${LIST_HINT})`,
    });
    return [];
  }
  const valid = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
  const rows = valid.length === 0 ? [] : (await q.query<AccountRow>(postsApi.accountsByIds(valid))).rows;
  const byId = new Map(rows.map((row) => [row.id, row]));
  const seen = new Set<string>();
  const found: AccountRow[] = [];
  ids.forEach((raw, i) => {
    const field = `accounts[${i}]`;
    const id = raw.toLowerCase();
    if (seen.has(id)) {
      problems.push({
        field,
        code: 'duplicate',
        message: `names the same account as an earlier entry; list each account once`,
      });
      return;
    }
    seen.add(id);
    const row = isUuid(raw) ? byId.get(id) : undefined;
    if (!row) {
      problems.push({
        field,
        code: 'unknown_account',
        message: `no connected account has the id "${raw}" (${LIST_HINT})`,
      });
    } else if (row.deleted_at !== null) {
      problems.push({
        field,
        code: 'account_removed',
        message: `the account @${row.username} was removed from xpost; connect it again (GET /connect/x) and use its new id`,
      });
    } else if (row.needs_reconnect) {
      problems.push({
        field,
        code: 'account_needs_reconnect',
        message: `the account @${row.username} must be connected again before it can post${row.reconnect_reason ? ` (${row.reconnect_reason})` : ''}: GET /connect/x`,
      });
    } else {
      const refused = unreachable(row);
      if (refused)
        problems.push({ field, code: refused.code, message: `@${row.username}: ${refused.message}` });
      else found.push(row);
    }
  });
  return found;
}

async function byProfiles(
  q: Queryable,
  profiles: string[],
  problems: Problems,
  unreachable: Unreachable,
): Promise<AccountRow[]> {
  if (profiles.length === 0) {
    problems.push({ field: 'profiles', code: 'empty', message: 'is empty: use `profiles: ["x"]`' });
    return [];
  }
  let ok = true;
  profiles.forEach((profile, i) => {
    if (!(PROFILES as readonly string[]).includes(profile)) {
      ok = false;
      problems.push({
        field: `profiles[${i}]`,
        code: 'unknown_profile',
        message: `is not a profile xpost knows; the only one is "x" (every connected X account), got "${profile}"`,
      });
    }
  });
  if (!ok) return [];
  // Accounts of the other side (sandbox accounts once the service posts to X) are not "every
  // connected X account" here: they are left out rather than given targets bound to fail.
  const rows = (await q.query<AccountRow>(postsApi.liveXAccounts())).rows.filter((row) => !unreachable(row));
  const usable = rows.filter((row) => !row.needs_reconnect);
  if (usable.length === 0) {
    const waiting = rows.map((row) => `@${row.username}`);
    problems.push({
      field: 'profiles',
      code: 'no_accounts',
      message:
        waiting.length === 0
          ? 'no X account this service can post to is connected; connect one with GET /connect/x (or POST /api/accounts) first'
          : `every connected X account must be connected again before it can post (${waiting.join(', ')}): GET /connect/x`,
    });
  }
  return usable;
}
