import type { SqlQuery } from '../db/types.js';
import type { DeliveryState, WebhookEvent } from '../states.js';
import { sql } from './sql.js';

/**
 * The SQL of webhooks (`xpost.webhooks`, `xpost.webhook_deliveries`), as pure functions like sql.ts.
 * `secret` is ciphertext from the secret box (AAD `webhook:<id>:secret`); no statement here returns
 * it except `webhooksApi.getForDelivery`, which the delivery handler opens to sign with.
 * Times come from the application's clock (`now`, `at`), never the database's `now()`.
 */

export interface WebhookRow {
  id: string;
  api_key_id: string | null;
  url: string;
  events: WebhookEvent[];
  created_at: Date;
  deleted_at: Date | null;
}

/** A webhook with its sealed secret: only for signing a delivery. */
export interface WebhookWithSecretRow extends WebhookRow {
  secret: Uint8Array;
}

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event: WebhookEvent;
  payload: unknown;
  attempt: number;
  status: DeliveryState;
  response_code: number | null;
  error: string | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

const WEBHOOK_COLUMNS = 'id, api_key_id, url, events, created_at, deleted_at';
const DELIVERY_COLUMNS =
  'id, webhook_id, event, payload, attempt, status, response_code, error, next_attempt_at, delivered_at, created_at';

export const webhooksApi = {
  /** The id is chosen by the caller: the secret is sealed with it in the AAD before the row exists. */
  insert: (w: {
    id: string;
    apiKeyId: string | null;
    url: string;
    sealedSecret: Uint8Array;
    events: readonly WebhookEvent[];
    now: Date;
  }): SqlQuery =>
    sql(
      `INSERT INTO xpost.webhooks (id, api_key_id, url, secret, events, created_at)
       VALUES ($1, $2, $3, $4, $5::text[], $6)
       RETURNING ${WEBHOOK_COLUMNS}`,
      [w.id, w.apiKeyId, w.url, w.sealedSecret, [...w.events], w.now],
    ),
  /** Live webhooks, oldest first. */
  list: (): SqlQuery =>
    sql(`SELECT ${WEBHOOK_COLUMNS} FROM xpost.webhooks WHERE deleted_at IS NULL ORDER BY created_at, id`),
  /** A live webhook (a deleted one is gone as far as the API is concerned). */
  get: (id: string): SqlQuery =>
    sql(`SELECT ${WEBHOOK_COLUMNS} FROM xpost.webhooks WHERE id = $1 AND deleted_at IS NULL`, [id]),
  /** With the sealed secret, deleted or not: the handler decides what a deleted one means. */
  getForDelivery: (id: string): SqlQuery =>
    sql(`SELECT ${WEBHOOK_COLUMNS}, secret FROM xpost.webhooks WHERE id = $1`, [id]),
  /** Soft delete; no row back means no such live webhook. */
  softDelete: (id: string, now: Date): SqlQuery =>
    sql(
      `UPDATE xpost.webhooks SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL
       RETURNING ${WEBHOOK_COLUMNS}`,
      [id, now],
    ),
};

export const deliveriesApi = {
  /**
   * The outbox write of one event: a pending delivery for every live webhook subscribed to it, in one
   * statement. Each delivery's id is made here and merged into its payload (`{ id, ...payload }`),
   * so a receiver can dedupe by it. Returns the new ids.
   */
  insertForEvent: (e: { event: WebhookEvent; payload: Record<string, unknown>; at: Date }): SqlQuery =>
    sql(
      `WITH subscribed AS (
         SELECT id AS webhook_id, gen_random_uuid() AS delivery_id FROM xpost.webhooks
         WHERE deleted_at IS NULL AND $1::text = ANY(events)
       )
       INSERT INTO xpost.webhook_deliveries (id, webhook_id, event, payload, status, next_attempt_at, created_at)
       SELECT delivery_id, webhook_id, $1, jsonb_build_object('id', delivery_id) || $2::jsonb, 'pending', $3, $3
       FROM subscribed
       RETURNING id, webhook_id`,
      [e.event, JSON.stringify(e.payload), e.at],
    ),
  get: (id: string): SqlQuery =>
    sql(`SELECT ${DELIVERY_COLUMNS} FROM xpost.webhook_deliveries WHERE id = $1`, [id]),
  getOfWebhook: (webhookId: string, id: string): SqlQuery =>
    sql(`SELECT ${DELIVERY_COLUMNS} FROM xpost.webhook_deliveries WHERE id = $1 AND webhook_id = $2`, [
      id,
      webhookId,
    ]),
  /**
   * A page of a webhook's deliveries, newest first (`created_at DESC, id DESC`). `after`: the id of the
   * last delivery of the previous page (the cursor), compared by its own `(created_at, id)` so the
   * timestamp's full precision is used. Fetches `limit + 1` rows: the extra one says a next page exists.
   */
  listOfWebhook: (q: {
    webhookId: string;
    limit: number;
    after?: string;
    status?: DeliveryState;
  }): SqlQuery =>
    sql(
      `SELECT ${DELIVERY_COLUMNS} FROM xpost.webhook_deliveries d
       WHERE d.webhook_id = $1
         AND ($3::text IS NULL OR d.status = $3)
         AND ($4::uuid IS NULL OR (d.created_at, d.id) <
               (SELECT c.created_at, c.id FROM xpost.webhook_deliveries c WHERE c.id = $4 AND c.webhook_id = $1))
       ORDER BY d.created_at DESC, d.id DESC
       LIMIT $2`,
      [q.webhookId, q.limit + 1, q.status ?? null, q.after ?? null],
    ),
  /**
   * A successful attempt. Wins over a concurrent failure (it did arrive) and keeps the first
   * `delivered_at` when two runs both got through.
   */
  recordDelivered: (d: { id: string; responseCode: number; now: Date }): SqlQuery =>
    sql(
      `UPDATE xpost.webhook_deliveries SET
         attempt = attempt + 1, status = 'delivered', response_code = $2, error = NULL,
         next_attempt_at = NULL, delivered_at = COALESCE(delivered_at, $3)
       WHERE id = $1
       RETURNING ${DELIVERY_COLUMNS}`,
      [d.id, d.responseCode, d.now],
    ),
  /**
   * A failed attempt: `failed` for good when `nextAttemptAt` is null, else still `pending` until then.
   * A delivery given up meanwhile (its webhook was deleted during the attempt) keeps its status and
   * reason, the attempt still counted; one delivered meanwhile by another run is left alone.
   */
  recordFailure: (d: {
    id: string;
    responseCode: number | null;
    error: string;
    nextAttemptAt: Date | null;
  }): SqlQuery =>
    sql(
      `UPDATE xpost.webhook_deliveries SET
         attempt = attempt + 1, response_code = $2,
         error = CASE WHEN status = 'pending' THEN $3 ELSE error END,
         status = CASE WHEN status <> 'pending' THEN status WHEN $4::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
         next_attempt_at = CASE WHEN status = 'pending' THEN $4::timestamptz ELSE next_attempt_at END
       WHERE id = $1 AND status <> 'delivered'
       RETURNING ${DELIVERY_COLUMNS}`,
      [d.id, d.responseCode, d.error, d.nextAttemptAt],
    ),
  /** Gives up on a pending delivery without an attempt (its job died, its webhook was deleted). */
  markFailed: (d: { id: string; error: string }): SqlQuery =>
    sql(
      `UPDATE xpost.webhook_deliveries SET status = 'failed', error = $2, next_attempt_at = NULL
       WHERE id = $1 AND status = 'pending'
       RETURNING ${DELIVERY_COLUMNS}`,
      [d.id, d.error],
    ),
  /** The webhook was deleted: its pending deliveries will not be sent. */
  failPendingOfWebhook: (webhookId: string, error: string): SqlQuery =>
    sql(
      `UPDATE xpost.webhook_deliveries SET status = 'failed', error = $2, next_attempt_at = NULL
       WHERE webhook_id = $1 AND status = 'pending'`,
      [webhookId, error],
    ),
  /** Redeliver a failed delivery: pending again, due now. No row back: it was not failed. */
  requeueFailed: (d: { webhookId: string; id: string; now: Date }): SqlQuery =>
    sql(
      `UPDATE xpost.webhook_deliveries SET status = 'pending', next_attempt_at = $3
       WHERE id = $1 AND webhook_id = $2 AND status = 'failed'
       RETURNING ${DELIVERY_COLUMNS}`,
      [d.id, d.webhookId, d.now],
    ),
};
