import { createHash } from 'node:crypto';
import type { Db, Queryable } from '../db/types.js';
import { ServiceError, validationError } from '../errors.js';
import { claimIdempotencyKey } from '../store/idempotency.js';
import { idempotency } from '../store/sql.js';

/**
 * `Idempotency-Key` on POST /api/posts: the same key and body within 24 h gets the first response
 * again (status and body, with `Idempotent-Replayed: true`); the same key with another body is a 409
 * (`idempotency_key_reused`), and so is a key whose first request is still running
 * (`idempotency_key_in_use`). Only an accepted post is remembered: a request that fails (422, or any
 * error) releases the key, so the corrected request can be sent again with it.
 */

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** 1–255 printable ASCII characters (space to `~`). */
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** The header's value, undefined without one; a malformed one is a 422 naming the header. */
export function readIdempotencyKey(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const raw = headers[IDEMPOTENCY_HEADER.toLowerCase()];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw.join(', ') : raw;
  if (!KEY_PATTERN.test(value)) {
    throw validationError([
      {
        field: IDEMPOTENCY_HEADER,
        code: 'invalid_idempotency_key',
        message: `must be 1 to 255 printable ASCII characters (a UUID is a good choice); got ${value.length} characters${value.length > 255 ? '' : ' with some outside that range'}`,
      },
    ]);
  }
  return value;
}

/** JSON with object keys sorted at every level: two bodies that mean the same hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex) of the canonical JSON of a request body. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export interface IdempotentResponse {
  status: number;
  body: unknown;
  replayed: boolean;
}

/**
 * Runs `handle` once per key: as the key's owner it gets `complete(tx, status, body)`, to store the
 * response in the same transaction that stores its work (so the key remembers a response exactly
 * when the work committed). A replay or a conflict is answered without calling `handle`; a failure
 * releases the key and is rethrown.
 */
export async function runIdempotent(
  db: Db,
  k: { apiKeyId: string; key: string; requestHash: string; now: Date },
  handle: (complete: (tx: Queryable, status: number, body: unknown) => Promise<void>) => Promise<{
    status: number;
    body: unknown;
  }>,
): Promise<IdempotentResponse> {
  const claim = await claimIdempotencyKey(db, k);
  if (claim.kind === 'replay') return { status: claim.status, body: claim.body, replayed: true };
  if (claim.kind === 'mismatch') {
    throw new ServiceError(
      409,
      'idempotency_key_reused',
      `this ${IDEMPOTENCY_HEADER} was used within the last 24 h with another request body; use a new key for a new request`,
    );
  }
  if (claim.kind === 'in_progress') {
    throw new ServiceError(
      409,
      'idempotency_key_in_use',
      `a request with this ${IDEMPOTENCY_HEADER} is still being processed; retry in a moment to get its result`,
    );
  }
  const owner = { apiKeyId: k.apiKeyId, key: k.key, ownerToken: claim.ownerToken };
  try {
    const result = await handle(async (tx, status, body) => {
      const done = await tx.query(idempotency.complete({ ...owner, status, body }));
      if (done.rowCount === 0) {
        // The key is no longer ours (it expired and another request took it): do not commit twice.
        throw new ServiceError(
          409,
          'idempotency_key_in_use',
          `this ${IDEMPOTENCY_HEADER} was taken over by another request; retry to get its result`,
        );
      }
    });
    return { ...result, replayed: false };
  } catch (error) {
    await db.query(idempotency.release(owner)).catch(() => {
      // The key stays claimed until it expires: a retry gets 409 in use rather than a double post.
    });
    throw error;
  }
}
