import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/types.js';
import { type IdempotencyRow, idempotency } from './sql.js';

/**
 * What `claimIdempotencyKey` found:
 * - `owner`: this request took the key; process it, then `idempotency.complete` (or `.release`).
 * - `replay`: the same request already finished; answer its stored response.
 * - `in_progress`: the same request is still being processed by another call (409, retry later).
 * - `mismatch`: the key was used with another body within 24 h (409).
 */
export type IdempotencyClaim =
  | { kind: 'owner'; ownerToken: string; row: IdempotencyRow }
  | { kind: 'replay'; status: number; body: unknown; row: IdempotencyRow }
  | { kind: 'in_progress'; row: IdempotencyRow }
  | { kind: 'mismatch'; row: IdempotencyRow };

export async function claimIdempotencyKey(
  q: Queryable,
  k: { apiKeyId: string; key: string; requestHash: string; now: Date; ttlMs?: number },
): Promise<IdempotencyClaim> {
  const ownerToken = randomBytes(16).toString('hex');
  const { rows } = await q.query<IdempotencyRow>(idempotency.insertOrGet({ ...k, ownerToken }));
  const row = rows[0];
  if (!row) throw new Error('idempotency.insertOrGet returned no row');
  if (row.owner_token === ownerToken) return { kind: 'owner', ownerToken, row };
  if (row.request_hash !== k.requestHash) return { kind: 'mismatch', row };
  if (row.response_status === null) return { kind: 'in_progress', row };
  return { kind: 'replay', status: row.response_status, body: row.response_body, row };
}
