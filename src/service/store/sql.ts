import type { SqlQuery } from '../db/types.js';
import {
  type AttemptOutcome,
  type AuthKind,
  CLAIMABLE_STATES,
  canTransition,
  HELD_STATES,
  type PostState,
  type PostTargetState,
} from '../states.js';

/**
 * All of the service's SQL, as pure functions returning `{ text, values }` (pg-boss's style): no
 * I/O here, so each statement is tested for its text and values, and run by whichever `Queryable`
 * (the database, or a transaction) the caller holds.
 *
 * Times that decide what is due (`now`, `runAt`, lease ends, expiries) are parameters from the
 * application's clock, never the database's `now()`, so tests drive them and every worker agrees.
 */

export const sql = (text: string, values: readonly unknown[] = []): SqlQuery => ({
  text: squash(text),
  values,
});

/** One line, single spaces: stable to compare in tests, short in logs. Other store/ modules build with `sql` too. */
function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

// ---------------------------------------------------------------------------------------------
// Migrations (src/service/db/migrate.ts)

/** An arbitrary constant: the advisory lock two starting processes serialise their migrations on. */
export const MIGRATION_LOCK_KEY = 7_870_512_116;

export const migrations = {
  lock: (): SqlQuery => sql('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]),
  /** Run with `exec` (no parameters): the bookkeeping table, before the first migration. */
  bootstrap: `CREATE SCHEMA IF NOT EXISTS xpost;
CREATE TABLE IF NOT EXISTS xpost.schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`,
  applied: (): SqlQuery =>
    sql('SELECT version, name, checksum FROM xpost.schema_migrations ORDER BY version'),
  find: (version: number): SqlQuery =>
    sql('SELECT version, name, checksum FROM xpost.schema_migrations WHERE version = $1', [version]),
  record: (version: number, name: string, checksum: string): SqlQuery =>
    sql('INSERT INTO xpost.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
      version,
      name,
      checksum,
    ]),
};

// ---------------------------------------------------------------------------------------------
// API keys

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const API_KEY_COLUMNS = 'id, name, prefix, created_at, last_used_at, revoked_at';
/** How stale `last_used_at` may be (see `apiKeys.authenticate`). */
export const API_KEY_USE_RESOLUTION_MS = 60_000;

export const apiKeys = {
  /** `hash`: SHA-256 of the whole key, lowercase hex. Returns the row (never the hash). */
  insert: (k: { name: string; prefix: string; hash: string }): SqlQuery =>
    sql(`INSERT INTO xpost.api_keys (name, prefix, hash) VALUES ($1, $2, $3) RETURNING ${API_KEY_COLUMNS}`, [
      k.name,
      k.prefix,
      k.hash,
    ]),
  /**
   * The live (not revoked) key with this hash, marking it used. `last_used_at` is written at most
   * once a minute per key: every request of a busy client would otherwise update (and row-lock) the
   * same row, serialising its requests on it.
   */
  authenticate: (hash: string, now: Date): SqlQuery =>
    sql(
      `WITH k AS (
         SELECT id FROM xpost.api_keys WHERE hash = $1 AND revoked_at IS NULL
       ), u AS (
         UPDATE xpost.api_keys a SET last_used_at = $2 FROM k
         WHERE a.id = k.id AND (a.last_used_at IS NULL OR a.last_used_at < $3)
         RETURNING a.id, a.last_used_at
       )
       SELECT a.id, a.name, a.prefix, a.created_at, COALESCE(u.last_used_at, a.last_used_at) AS last_used_at,
         a.revoked_at
       FROM xpost.api_keys a JOIN k ON a.id = k.id LEFT JOIN u ON u.id = a.id`,
      [hash, now, new Date(now.getTime() - API_KEY_USE_RESOLUTION_MS)],
    ),
  findByHash: (hash: string): SqlQuery =>
    sql(`SELECT ${API_KEY_COLUMNS} FROM xpost.api_keys WHERE hash = $1 AND revoked_at IS NULL`, [hash]),
  list: (): SqlQuery => sql(`SELECT ${API_KEY_COLUMNS} FROM xpost.api_keys ORDER BY created_at, id`),
  /** Revoking twice keeps the first time; no row means no such key. */
  revoke: (id: string, now: Date): SqlQuery =>
    sql(
      `UPDATE xpost.api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${API_KEY_COLUMNS}`,
      [id, now],
    ),
};

// ---------------------------------------------------------------------------------------------
// Accounts (token columns are ciphertext from the secrets module)

export interface AccountRow {
  id: string;
  provider: 'x';
  x_user_id: string;
  username: string;
  auth_kind: AuthKind;
  access_token: Uint8Array;
  refresh_token: Uint8Array | null;
  token_secret: Uint8Array | null;
  scopes: string[];
  expires_at: Date | null;
  needs_reconnect: boolean;
  reconnect_reason: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  /** OAuth 1.0a: the app's consumer key and secret, sealed (migration 0002). */
  consumer_key: Uint8Array | null;
  consumer_secret: Uint8Array | null;
  /** The weighted length X allows this account: 280, or 25,000 with Premium. */
  post_length_limit: number;
  /** Connected to the in-process sandbox emulator. */
  sandbox: boolean;
}

export interface NewAccount {
  xUserId: string;
  username: string;
  authKind: AuthKind;
  accessToken: Uint8Array;
  refreshToken?: Uint8Array | null;
  tokenSecret?: Uint8Array | null;
  scopes?: readonly string[];
  expiresAt?: Date | null;
}

export const accounts = {
  /**
   * Connects an account, or reconnects the live one of the same X user: new tokens, and
   * `needs_reconnect` cleared. Returns the row.
   */
  upsert: (a: NewAccount): SqlQuery =>
    sql(
      `INSERT INTO xpost.accounts
         (x_user_id, username, auth_kind, access_token, refresh_token, token_secret, scopes, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (provider, x_user_id) WHERE deleted_at IS NULL DO UPDATE SET
         username = EXCLUDED.username, auth_kind = EXCLUDED.auth_kind,
         access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token,
         token_secret = EXCLUDED.token_secret, scopes = EXCLUDED.scopes, expires_at = EXCLUDED.expires_at,
         needs_reconnect = false, reconnect_reason = NULL, updated_at = now()
       RETURNING *`,
      [
        a.xUserId,
        a.username,
        a.authKind,
        a.accessToken,
        a.refreshToken ?? null,
        a.tokenSecret ?? null,
        [...(a.scopes ?? [])],
        a.expiresAt ?? null,
      ],
    ),
  list: (): SqlQuery => sql('SELECT * FROM xpost.accounts WHERE deleted_at IS NULL ORDER BY created_at, id'),
  get: (id: string): SqlQuery =>
    sql('SELECT * FROM xpost.accounts WHERE id = $1 AND deleted_at IS NULL', [id]),
  /** The row locked for a token refresh: two workers never use one refresh token (hold it in a tx). */
  lockForRefresh: (id: string): SqlQuery =>
    sql('SELECT * FROM xpost.accounts WHERE id = $1 AND deleted_at IS NULL FOR UPDATE', [id]),
  /** Stores a rotated pair (call under `lockForRefresh`, in the same transaction). */
  updateTokens: (
    id: string,
    t: { accessToken: Uint8Array; refreshToken: Uint8Array | null; expiresAt: Date | null },
  ): SqlQuery =>
    sql(
      `UPDATE xpost.accounts SET access_token = $2, refresh_token = $3, expires_at = $4, updated_at = now()
       WHERE id = $1 AND deleted_at IS NULL RETURNING *`,
      [id, t.accessToken, t.refreshToken, t.expiresAt],
    ),
  markNeedsReconnect: (id: string, reason: string): SqlQuery =>
    sql(
      `UPDATE xpost.accounts SET needs_reconnect = true, reconnect_reason = $2, updated_at = now()
       WHERE id = $1 AND deleted_at IS NULL RETURNING *`,
      [id, reason],
    ),
  /**
   * Forgets the account: soft delete, and every sealed column (tokens, OAuth 1.0a consumer key and
   * secret) overwritten with nothing.
   */
  softDelete: (id: string, now: Date): SqlQuery =>
    sql(
      `UPDATE xpost.accounts SET deleted_at = $2, access_token = '\\x'::bytea, refresh_token = NULL,
         token_secret = CASE WHEN auth_kind = 'oauth1' THEN '\\x'::bytea END,
         consumer_key = NULL, consumer_secret = NULL, updated_at = now()
       WHERE id = $1 AND deleted_at IS NULL RETURNING id`,
      [id, now],
    ),
};

// ---------------------------------------------------------------------------------------------
// Idempotency keys

export interface IdempotencyRow {
  api_key_id: string;
  key: string;
  request_hash: string;
  owner_token: string;
  response_status: number | null;
  response_body: unknown;
  created_at: Date;
  expires_at: Date;
}

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export const idempotency = {
  /**
   * Takes the key for this request, or returns whoever has it. One statement, race-free: on a
   * conflict `DO UPDATE` waits for a concurrent inserter and always returns the row. An expired row is
   * taken over (new hash, owner and times, no response); a live one is returned unchanged.
   * The caller owns the key when the row's `owner_token` is its own `ownerToken` (a random string):
   * it processes the request, then `complete` (or `release` on failure). Otherwise: same hash and a
   * response, replay it; same hash and none yet, the first is still running (409); another hash, 409.
   */
  insertOrGet: (k: {
    apiKeyId: string;
    key: string;
    requestHash: string;
    ownerToken: string;
    now: Date;
    ttlMs?: number;
  }): SqlQuery =>
    sql(
      `INSERT INTO xpost.idempotency_keys AS k (api_key_id, key, request_hash, owner_token, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (api_key_id, key) DO UPDATE SET
         request_hash = CASE WHEN k.expires_at <= EXCLUDED.created_at THEN EXCLUDED.request_hash ELSE k.request_hash END,
         owner_token = CASE WHEN k.expires_at <= EXCLUDED.created_at THEN EXCLUDED.owner_token ELSE k.owner_token END,
         response_status = CASE WHEN k.expires_at <= EXCLUDED.created_at THEN NULL ELSE k.response_status END,
         response_body = CASE WHEN k.expires_at <= EXCLUDED.created_at THEN NULL ELSE k.response_body END,
         created_at = CASE WHEN k.expires_at <= EXCLUDED.created_at THEN EXCLUDED.created_at ELSE k.created_at END,
         expires_at = CASE WHEN k.expires_at <= EXCLUDED.created_at THEN EXCLUDED.expires_at ELSE k.expires_at END
       RETURNING *`,
      [
        k.apiKeyId,
        k.key,
        k.requestHash,
        k.ownerToken,
        k.now,
        new Date(k.now.getTime() + (k.ttlMs ?? IDEMPOTENCY_TTL_MS)),
      ],
    ),
  /** Stores the response the owner sent; no row when it no longer owns the key. */
  complete: (k: {
    apiKeyId: string;
    key: string;
    ownerToken: string;
    status: number;
    body: unknown;
  }): SqlQuery =>
    sql(
      `UPDATE xpost.idempotency_keys SET response_status = $4, response_body = $5
       WHERE api_key_id = $1 AND key = $2 AND owner_token = $3 RETURNING *`,
      [k.apiKeyId, k.key, k.ownerToken, k.status, JSON.stringify(k.body)],
    ),
  /** The owner failed before answering: frees the key so a retry is processed anew. */
  release: (k: { apiKeyId: string; key: string; ownerToken: string }): SqlQuery =>
    sql(
      `DELETE FROM xpost.idempotency_keys
       WHERE api_key_id = $1 AND key = $2 AND owner_token = $3 AND response_status IS NULL`,
      [k.apiKeyId, k.key, k.ownerToken],
    ),
  expire: (now: Date): SqlQuery => sql('DELETE FROM xpost.idempotency_keys WHERE expires_at <= $1', [now]),
};

// ---------------------------------------------------------------------------------------------
// Upload journals (the SDK's UploadJournal, src/service/store/upload-journal.ts)

export const uploadJournals = {
  get: (key: string): SqlQuery => sql('SELECT entry FROM xpost.upload_journals WHERE key = $1', [key]),
  upsert: (key: string, entry: unknown): SqlQuery =>
    sql(
      `INSERT INTO xpost.upload_journals (key, entry) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET entry = EXCLUDED.entry, updated_at = now()`,
      [key, JSON.stringify(entry)],
    ),
  delete: (key: string): SqlQuery => sql('DELETE FROM xpost.upload_journals WHERE key = $1', [key]),
};

// ---------------------------------------------------------------------------------------------
// Rate limits, shared by workers

export interface RateLimitRow {
  subject: string;
  endpoint: string;
  request_limit: number | null;
  remaining: number | null;
  reset_at: Date | null;
  daily_limit: number | null;
  daily_remaining: number | null;
  daily_reset_at: Date | null;
  updated_at: Date;
}

export interface RateLimitObservation {
  /** `app`, or an account id. */
  subject: string;
  /** `POST /2/tweets`, … */
  endpoint: string;
  limit?: number | null;
  remaining?: number | null;
  resetAt?: Date | null;
  dailyLimit?: number | null;
  dailyRemaining?: number | null;
  dailyResetAt?: Date | null;
  /** When the response carrying these headers arrived. */
  observedAt: Date;
}

export const rateLimits = {
  /**
   * Records what a response said. An observation older than the stored one is ignored (two workers'
   * responses may land out of order); absent daily fields keep what was known. Within one window (the
   * same reset time) `remaining` only goes down: a response may describe X's count before requests
   * other workers have already taken (`take`) and sent, and must not give them back.
   */
  upsert: (o: RateLimitObservation): SqlQuery =>
    sql(
      `INSERT INTO xpost.rate_limits AS r
         (subject, endpoint, request_limit, remaining, reset_at, daily_limit, daily_remaining, daily_reset_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (subject, endpoint) DO UPDATE SET
         request_limit = EXCLUDED.request_limit,
         remaining = CASE WHEN EXCLUDED.reset_at = r.reset_at THEN LEAST(EXCLUDED.remaining, r.remaining)
                          ELSE EXCLUDED.remaining END,
         reset_at = EXCLUDED.reset_at,
         daily_limit = COALESCE(EXCLUDED.daily_limit, r.daily_limit),
         daily_remaining = CASE WHEN EXCLUDED.daily_remaining IS NULL THEN r.daily_remaining
                                WHEN EXCLUDED.daily_reset_at = r.daily_reset_at THEN LEAST(EXCLUDED.daily_remaining, r.daily_remaining)
                                ELSE EXCLUDED.daily_remaining END,
         daily_reset_at = COALESCE(EXCLUDED.daily_reset_at, r.daily_reset_at),
         updated_at = EXCLUDED.updated_at
       WHERE r.updated_at <= EXCLUDED.updated_at
       RETURNING *`,
      [
        o.subject,
        o.endpoint,
        o.limit ?? null,
        o.remaining ?? null,
        o.resetAt ?? null,
        o.dailyLimit ?? null,
        o.dailyRemaining ?? null,
        o.dailyResetAt ?? null,
        o.observedAt,
      ],
    ),
  get: (subject: string, endpoint: string): SqlQuery =>
    sql('SELECT * FROM xpost.rate_limits WHERE subject = $1 AND endpoint = $2', [subject, endpoint]),
  /** Everything known about these subjects (an account and `app`), for pacing and `GET /api/accounts`. */
  forSubjects: (subjects: readonly string[]): SqlQuery =>
    sql('SELECT * FROM xpost.rate_limits WHERE subject = ANY($1::text[]) ORDER BY subject, endpoint', [
      [...subjects],
    ]),
  /**
   * Takes one request from a window before calling X, so workers together never overspend it: a row
   * back means go (a window whose reset has passed counts as unknown, so it goes); no row means the
   * window is spent, wait for `reset_at` (read it with `get`). No row is stored yet: go.
   */
  take: (subject: string, endpoint: string, now: Date): SqlQuery =>
    sql(
      `UPDATE xpost.rate_limits SET
         remaining = CASE WHEN reset_at IS NULL OR reset_at <= $3 OR remaining IS NULL THEN remaining ELSE remaining - 1 END,
         daily_remaining = CASE WHEN daily_reset_at IS NULL OR daily_reset_at <= $3 OR daily_remaining IS NULL THEN daily_remaining ELSE daily_remaining - 1 END
       WHERE subject = $1 AND endpoint = $2
         AND (remaining IS NULL OR remaining > 0 OR reset_at IS NULL OR reset_at <= $3)
         AND (daily_remaining IS NULL OR daily_remaining > 0 OR daily_reset_at IS NULL OR daily_reset_at <= $3)
       RETURNING *`,
      [subject, endpoint, now],
    ),
};

// ---------------------------------------------------------------------------------------------
// Posts and targets

export interface PostTargetRow {
  id: string;
  post_id: string;
  account_id: string;
  state: PostTargetState;
  run_at: Date;
  media_pending: boolean;
  x_post_ids: string[];
  next_item: number;
  /** Every POST /2/tweets made for it, a thread's successful items included. */
  attempts: number;
  /** Runs that ended in a retryable failure (migration 0003): what `XPOST_MAX_ATTEMPTS` bounds. */
  failures: number;
  error_code: string | null;
  error_detail: string | null;
  error_retryable: boolean | null;
  published_at: Date | null;
  x_deleted_at: Date | null;
  locked_by: string | null;
  locked_until: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface ClaimedTargetRow extends PostTargetRow {
  /** The state before the claim: `uploading`/`publishing` means a crashed worker's lease was taken
   *  over, and an open attempt (see `attempts.open`) must be reconciled before sending. */
  previous_state: PostTargetState;
}

export interface PublishAttemptRow {
  id: string;
  target_id: string;
  item_index: number;
  text_sent: string;
  worker_id: string | null;
  started_at: Date;
  finished_at: Date | null;
  outcome: AttemptOutcome | null;
  x_post_id: string | null;
  error_code: string | null;
  error_detail: string | null;
}

export const posts = {
  insert: (p: {
    apiKeyId: string | null;
    body: string;
    scheduledAt: Date | null;
    draft: boolean;
    state: PostState;
    request: unknown;
    idempotencyKey?: string | null;
    requestHash?: string | null;
  }): SqlQuery =>
    sql(
      `INSERT INTO xpost.posts (api_key_id, body, scheduled_at, draft, state, request, idempotency_key, request_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [
        p.apiKeyId,
        p.body,
        p.scheduledAt,
        p.draft,
        p.state,
        JSON.stringify(p.request),
        p.idempotencyKey ?? null,
        p.requestHash ?? null,
      ],
    ),
  get: (id: string): SqlQuery => sql('SELECT * FROM xpost.posts WHERE id = $1', [id]),
  /**
   * Locks the post before its state is recomputed: take it, then read `targetStates`, then write
   * `setState`, in one transaction. Two workers finishing two targets of one post then see each
   * other's update instead of both writing a state computed from a stale snapshot.
   */
  lock: (id: string): SqlQuery => sql('SELECT id FROM xpost.posts WHERE id = $1 FOR UPDATE', [id]),
  targetStates: (id: string): SqlQuery =>
    sql('SELECT state FROM xpost.post_targets WHERE post_id = $1 ORDER BY id', [id]),
  setState: (id: string, state: PostState): SqlQuery =>
    sql('UPDATE xpost.posts SET state = $2, updated_at = now() WHERE id = $1 AND state <> $2', [id, state]),
};

export const targets = {
  /** `runAt`: the post's `scheduled_at`, or now. `mediaPending`: media must be uploaded for this account. */
  insert: (t: {
    postId: string;
    accountId: string;
    state: PostTargetState;
    runAt: Date;
    mediaPending?: boolean;
  }): SqlQuery =>
    sql(
      `INSERT INTO xpost.post_targets (post_id, account_id, state, run_at, media_pending)
       VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [t.postId, t.accountId, t.state, t.runAt, t.mediaPending ?? false],
    ),
  get: (id: string): SqlQuery => sql('SELECT * FROM xpost.post_targets WHERE id = $1', [id]),
  ofPost: (postId: string): SqlQuery =>
    sql('SELECT * FROM xpost.post_targets WHERE post_id = $1 ORDER BY created_at, id', [postId]),

  /**
   * Hands one due target to this worker, or nothing. Due: `scheduled`/`queued` whose `run_at` has
   * come, or `uploading`/`publishing` whose holder's lease ended (it crashed or hung). `FOR UPDATE
   * SKIP LOCKED` makes concurrent claimers take different rows, never wait on each other, and never
   * both get one. A fresh claim moves to `uploading` when media are pending, else `publishing`; a
   * taken-over lease keeps its state. The lease lasts until `leaseUntil`; `version` is bumped.
   * `targetId`: claim that target only (the pg-boss job names it); absent: the earliest due one.
   */
  claim: (c: { workerId: string; now: Date; leaseUntil: Date; targetId?: string }): SqlQuery => {
    const values: unknown[] = [c.workerId, c.now, c.leaseUntil];
    let only = '';
    if (c.targetId !== undefined) {
      values.push(c.targetId);
      only = 'AND id = $4';
    }
    return sql(
      `WITH due AS (
         SELECT id, state FROM xpost.post_targets
         WHERE ((state IN (${list(CLAIMABLE_STATES)}) AND run_at <= $2)
             OR (state IN (${list(HELD_STATES)}) AND locked_until <= $2))
           ${only}
         ORDER BY run_at, id
         LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE xpost.post_targets t SET
         state = CASE WHEN due.state IN (${list(HELD_STATES)}) THEN due.state
                      WHEN t.media_pending THEN 'uploading' ELSE 'publishing' END,
         locked_by = $1, locked_until = $3, version = t.version + 1, updated_at = $2
       FROM due WHERE t.id = due.id
       RETURNING t.*, due.state AS previous_state`,
      values,
    );
  },

  /** Extends the lease of a target this worker holds; no row: it is no longer ours, stop. */
  extendLease: (h: { id: string; workerId: string; leaseUntil: Date }): SqlQuery =>
    sql(
      `UPDATE xpost.post_targets SET locked_until = $3, version = version + 1
       WHERE id = $1 AND locked_by = $2 RETURNING *`,
      [h.id, h.workerId, h.leaseUntil],
    ),

  /**
   * A worker moves a target it holds (`uploading → publishing`, media uploaded; `→ published`;
   * `→ queued` to retry at `runAt`; `→ failed` with the error). Leaving the held states ends the
   * lease. No row back: the target is no longer this worker's (lease taken over), stop.
   * Throws at build time for a move `canTransition` does not allow.
   */
  move: (m: {
    id: string;
    workerId: string;
    from: PostTargetState;
    to: PostTargetState;
    now: Date;
    runAt?: Date;
    mediaPending?: boolean;
    error?: { code: string; detail?: string | null; retryable: boolean } | null;
  }): SqlQuery => {
    assertTransition(m.from, m.to);
    const held = (HELD_STATES as readonly string[]).includes(m.to);
    const error = m.error === undefined ? undefined : m.error;
    return sql(
      `UPDATE xpost.post_targets SET
         state = $4,
         run_at = COALESCE($5, run_at),
         media_pending = COALESCE($6, media_pending),
         error_code = CASE WHEN $7::boolean THEN $8 ELSE error_code END,
         error_detail = CASE WHEN $7::boolean THEN $9 ELSE error_detail END,
         error_retryable = CASE WHEN $7::boolean THEN $10::boolean ELSE error_retryable END,
         published_at = CASE WHEN $4 = 'published' THEN $11 ELSE published_at END,
         locked_by = ${held ? 'locked_by' : 'NULL'},
         locked_until = ${held ? 'locked_until' : 'NULL'},
         version = version + 1, updated_at = $11
       WHERE id = $1 AND locked_by = $2 AND state = $3
       RETURNING *`,
      [
        m.id,
        m.workerId,
        m.from,
        m.to,
        m.runAt ?? null,
        m.mediaPending ?? null,
        error !== undefined,
        error?.code ?? null,
        error?.detail ?? null,
        error?.retryable ?? null,
        m.now,
      ],
    );
  },

  /**
   * A run of the held target ended in a failure a later run may fix (network error, 5xx, a failed
   * upload): counted, and the new count returned, which the attempt limit and the backoff are measured
   * by. `attempts` cannot be: it counts every POST, a thread's successful items included. No row back:
   * the target is no longer this worker's.
   */
  countFailure: (c: { id: string; workerId: string; from: PostTargetState; now: Date }): SqlQuery =>
    sql(
      `UPDATE xpost.post_targets SET failures = failures + 1, version = version + 1, updated_at = $4
       WHERE id = $1 AND locked_by = $2 AND state = $3
       RETURNING failures`,
      [c.id, c.workerId, c.from, c.now],
    ),

  /**
   * A route changes a target no worker holds (publish now, reschedule, cancel, back to draft), if it
   * has not changed since it was read (`version`). No row back: it changed or a worker has it (409).
   */
  update: (u: {
    id: string;
    version: number;
    from: PostTargetState;
    to: PostTargetState;
    now: Date;
    runAt?: Date;
  }): SqlQuery => {
    assertTransition(u.from, u.to);
    return sql(
      `UPDATE xpost.post_targets SET state = $4, run_at = COALESCE($5, run_at), version = version + 1, updated_at = $6
       WHERE id = $1 AND version = $2 AND state = $3 AND locked_by IS NULL
       RETURNING *`,
      [u.id, u.version, u.from, u.to, u.runAt ?? null, u.now],
    );
  },
};

function assertTransition(from: PostTargetState, to: PostTargetState): void {
  if (!canTransition(from, to)) throw new Error(`a post target cannot go from ${from} to ${to}`);
}

export const attempts = {
  /**
   * Records that this worker is about to send item `itemIndex` — commit it BEFORE calling
   * `POST /2/tweets`. Inserted only while the worker holds the target in `publishing` and the item is
   * the next one to post; counts the attempt on the target. No row back: not ours any more, do not
   * send. A unique-violation error (index `publish_attempts_one_open`): an earlier attempt is still
   * open (in flight or unknown): reconcile it first.
   */
  record: (a: { targetId: string; workerId: string; itemIndex: number; text: string; now: Date }): SqlQuery =>
    sql(
      `WITH t AS (
         UPDATE xpost.post_targets SET attempts = attempts + 1, version = version + 1, updated_at = $5
         WHERE id = $1 AND locked_by = $2 AND state = 'publishing' AND next_item = $3
         RETURNING id
       )
       INSERT INTO xpost.publish_attempts (target_id, item_index, text_sent, worker_id, started_at)
       SELECT t.id, $3, $4, $2, $5 FROM t
       RETURNING *`,
      [a.targetId, a.workerId, a.itemIndex, a.text, a.now],
    ),

  /**
   * Settles an open attempt: `sent` (X answered with `xPostId`), `failed` (X refused it, or
   * reconciliation proved it was never posted), `unknown` (no answer; stays open until reconciled),
   * `reconciled` (found on X, `xPostId`). For `sent`/`reconciled` the target's thread advances in the
   * same statement: `xPostId` appended to `x_post_ids`, `next_item` + 1. Only the worker holding the
   * target (which may be another than the one that recorded the attempt) can settle it.
   * Returns the attempt with `advanced` (whether the target moved on) and the target's new `version`.
   */
  finish: (f: {
    attemptId: string;
    workerId: string;
    outcome: AttemptOutcome;
    now: Date;
    xPostId?: string | null;
    error?: { code: string; detail?: string | null } | null;
  }): SqlQuery =>
    sql(
      `WITH held AS (
         SELECT t.id FROM xpost.post_targets t JOIN xpost.publish_attempts p ON p.target_id = t.id
         WHERE p.id = $1 AND t.locked_by = $2
         FOR UPDATE OF t
       ), a AS (
         UPDATE xpost.publish_attempts a SET outcome = $3, finished_at = $4, x_post_id = $5,
           error_code = $6, error_detail = $7
         FROM held WHERE a.id = $1 AND a.target_id = held.id AND (a.outcome IS NULL OR a.outcome = 'unknown')
         RETURNING a.*
       ), adv AS (
         UPDATE xpost.post_targets t SET x_post_ids = array_append(t.x_post_ids, a.x_post_id),
           next_item = t.next_item + 1, version = t.version + 1, updated_at = $4
         FROM a WHERE t.id = a.target_id AND a.outcome IN ('sent', 'reconciled') AND t.next_item = a.item_index
         RETURNING t.id, t.version
       )
       SELECT a.*, (adv.id IS NOT NULL) AS advanced, adv.version AS target_version FROM a LEFT JOIN adv ON true`,
      [
        f.attemptId,
        f.workerId,
        f.outcome,
        f.now,
        f.xPostId ?? null,
        f.error?.code ?? null,
        f.error?.detail ?? null,
      ],
    ),

  /** The attempt that must be reconciled before anything is sent (in flight when a worker died, or unknown). */
  open: (targetId: string): SqlQuery =>
    sql(
      `SELECT * FROM xpost.publish_attempts WHERE target_id = $1 AND (outcome IS NULL OR outcome = 'unknown')`,
      [targetId],
    ),
  ofTarget: (targetId: string): SqlQuery =>
    sql('SELECT * FROM xpost.publish_attempts WHERE target_id = $1 ORDER BY started_at, id', [targetId]),
};
