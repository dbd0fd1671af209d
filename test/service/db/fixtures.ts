import type { Queryable } from '../../../src/service/db/types.js';
import type { PostTargetState } from '../../../src/service/states.js';
import {
  type AccountRow,
  accounts,
  type PostTargetRow,
  posts,
  targets,
} from '../../../src/service/store/sql.js';

export const T0 = new Date('2026-06-01T12:00:00.000Z');
export const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

let accountCounter = 0;

export async function insertAccount(q: Queryable, overrides: { xUserId?: string } = {}): Promise<AccountRow> {
  accountCounter += 1;
  const { rows } = await q.query<AccountRow>(
    accounts.upsert({
      xUserId: overrides.xUserId ?? `10${accountCounter}`,
      username: `user${accountCounter}`,
      authKind: 'oauth2',
      accessToken: new Uint8Array([1, 2, 3]),
      refreshToken: new Uint8Array([4, 5, 6]),
      scopes: ['tweet.write', 'offline.access'],
      expiresAt: at(7200),
    }),
  );
  return rows[0]!;
}

/** A post with one target on a new account, in `state`, due at `runAt`. */
export async function insertTarget(
  q: Queryable,
  options: { state?: PostTargetState; runAt?: Date; mediaPending?: boolean; accountId?: string } = {},
): Promise<PostTargetRow> {
  const accountId = options.accountId ?? (await insertAccount(q)).id;
  const { rows: postRows } = await q.query<{ id: string }>(
    posts.insert({
      apiKeyId: null,
      body: 'hello',
      scheduledAt: options.runAt ?? T0,
      draft: false,
      state: 'scheduled',
      request: { items: [{ body: 'hello' }] },
    }),
  );
  const { rows } = await q.query<PostTargetRow>(
    targets.insert({
      postId: postRows[0]!.id,
      accountId,
      state: options.state ?? 'scheduled',
      runAt: options.runAt ?? T0,
      mediaPending: options.mediaPending ?? false,
    }),
  );
  return rows[0]!;
}
