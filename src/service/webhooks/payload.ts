import type { PostEvent } from '../events.js';
import type { WebhookEvent } from '../states.js';

/**
 * The JSON a webhook receives (the body of the POST, and `payload` in the deliveries list):
 *
 *   { "id": "<delivery id>", "type": "post.published", "created_at": "<ISO-8601>",
 *     "data": { "post_id", "target_id", "account_id", "state", "x_post_ids",
 *               "urls"?, "error"?: { "code", "detail", "retryable" }, "retry_at"? } }
 *
 * `id` is the delivery's id (also the `xpost-delivery` header): the same event redelivered keeps it,
 * so receivers dedupe by it. One event sent to two webhooks is two deliveries with two ids.
 */

export interface WebhookPayloadData {
  post_id: string;
  target_id: string;
  account_id: string;
  state: string;
  /** X post ids published so far, in thread order. */
  x_post_ids: string[];
  /** `https://x.com/i/status/<id>` for each of `x_post_ids`; absent when none. */
  urls?: string[];
  /** `post.failed`, `post.retrying`: our reason code, X's own words, whether it will be retried. */
  error?: { code: string; detail: string | null; retryable: boolean };
  /** `post.retrying`: when the next try is due. */
  retry_at?: string;
}

export interface WebhookPayload {
  id: string;
  type: WebhookEvent;
  created_at: string;
  data: WebhookPayloadData;
}

/** A post's URL on X. The `i/status` form works without the author's username. */
export const xPostUrl = (id: string): string => `https://x.com/i/status/${id}`;

/** The payload of an event without its `id` (the delivery id, added when each delivery is made). */
export function eventPayload(event: PostEvent): Omit<WebhookPayload, 'id'> {
  const data: WebhookPayloadData = {
    post_id: event.postId,
    target_id: event.targetId,
    account_id: event.accountId,
    state: event.state,
    x_post_ids: [...event.xPostIds],
  };
  if (event.xPostIds.length > 0) data.urls = event.xPostIds.map(xPostUrl);
  if (event.error) {
    data.error = { code: event.error.code, detail: event.error.detail, retryable: event.error.retryable };
  }
  if (event.retryAt) data.retry_at = event.retryAt.toISOString();
  return { type: event.event, created_at: event.at.toISOString(), data };
}

const DATA_KEYS = [
  'post_id',
  'target_id',
  'account_id',
  'state',
  'x_post_ids',
  'urls',
  'error',
  'retry_at',
] as const;

/**
 * The stored payload (jsonb keeps keys in its own order) with its keys back in the documented order:
 * what is sent and what the deliveries list shows read the same way. Unknown keys follow, kept.
 */
export function orderedPayload(stored: unknown): WebhookPayload {
  if (!isRecord(stored)) return stored as WebhookPayload;
  const data = isRecord(stored.data) ? orderKeys(stored.data, DATA_KEYS) : stored.data;
  return orderKeys({ ...stored, data }, ['id', 'type', 'created_at', 'data']) as unknown as WebhookPayload;
}

function orderKeys(record: Record<string, unknown>, first: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of first) if (key in record) out[key] = record[key];
  for (const key of Object.keys(record)) if (!(key in out)) out[key] = record[key];
  if (isRecord(out.error)) out.error = orderKeys(out.error, ['code', 'detail', 'retryable']);
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
