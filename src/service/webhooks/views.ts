import { Type } from 'typebox';
import { DELIVERY_STATES, WEBHOOK_EVENTS } from '../states.js';
import type { DeliveryRow, WebhookRow } from '../store/webhooks-api.js';
import { orderedPayload, type WebhookPayload } from './payload.js';

/**
 * What the API shows of webhooks and deliveries, and the response schemas that say so (the OpenAPI
 * document is generated from them). A webhook's secret is never part of a view: only the answer to
 * `POST /api/webhooks` adds it, once.
 */

const Timestamp = (description: string) => Type.String({ format: 'date-time', description });
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(schema: T) =>
  Type.Union([schema, Type.Null()]);

/** A string enum (`type` included, for the OpenAPI document's readers and generators). */
export const stringEnum = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description });

export const WebhookEventSchema = stringEnum(WEBHOOK_EVENTS, `An event: ${WEBHOOK_EVENTS.join(', ')}`);

export const WebhookViewSchema = Type.Object({
  id: Type.String({ format: 'uuid', description: "The webhook's id" }),
  url: Type.String({ description: 'Where deliveries are POSTed' }),
  events: Type.Array(WebhookEventSchema, { description: 'The events delivered to it' }),
  created_at: Timestamp('When it was registered'),
});

export const CreatedWebhookSchema = Type.Object({
  ...WebhookViewSchema.properties,
  secret: Type.String({
    description:
      'The signing secret (`whsec_…`), shown this once: store it now. Verify each delivery with it (xpost-signature header).',
  }),
});

const PayloadSchema = Type.Object(
  {
    id: Type.String({ description: 'The delivery id, as in the xpost-delivery header' }),
    type: WebhookEventSchema,
    created_at: Timestamp('When the event happened'),
    data: Type.Object(
      {
        post_id: Type.String(),
        target_id: Type.String({ description: 'The post on one account' }),
        account_id: Type.String(),
        state: Type.String({ description: 'The state of the post on this account' }),
        x_post_ids: Type.Array(Type.String(), {
          description: 'X post ids published so far, in thread order',
        }),
        urls: Type.Optional(Type.Array(Type.String())),
        error: Type.Optional(
          Type.Object(
            {
              code: Type.String({ description: 'Our reason code' }),
              detail: Nullable(Type.String({ description: "X's own words, when it gave some" })),
              retryable: Type.Boolean(),
            },
            { additionalProperties: true },
          ),
        ),
        retry_at: Type.Optional(Timestamp('post.retrying: when the next try is due')),
      },
      { additionalProperties: true },
    ),
  },
  { additionalProperties: true, description: 'The JSON body POSTed to the webhook' },
);

export const DeliveryViewSchema = Type.Object({
  id: Type.String({ format: 'uuid', description: 'The delivery id (xpost-delivery header; dedupe by it)' }),
  webhook_id: Type.String({ format: 'uuid' }),
  event: WebhookEventSchema,
  status: stringEnum(
    DELIVERY_STATES,
    'pending (queued or waiting for a retry), delivered (a 2xx answer), failed (gave up)',
  ),
  attempt: Type.Integer({ description: 'Attempts made so far' }),
  response_code: Nullable(Type.Integer({ description: 'HTTP status of the last attempt' })),
  error: Nullable(
    Type.String({ description: 'Why the last attempt failed: `HTTP 500`, `timeout after 10 s`, …' }),
  ),
  next_attempt_at: Nullable(Timestamp('pending: when the next attempt is due (not before)')),
  delivered_at: Nullable(Timestamp('When a 2xx answer came')),
  created_at: Timestamp('When the delivery was made (the event)'),
  payload: PayloadSchema,
});

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  created_at: string;
}

export interface DeliveryView {
  id: string;
  webhook_id: string;
  event: string;
  status: string;
  attempt: number;
  response_code: number | null;
  error: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
  payload: WebhookPayload;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function webhookView(row: WebhookRow): WebhookView {
  return { id: row.id, url: row.url, events: [...row.events], created_at: row.created_at.toISOString() };
}

export function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    webhook_id: row.webhook_id,
    event: row.event,
    status: row.status,
    attempt: row.attempt,
    response_code: row.response_code,
    error: row.error,
    next_attempt_at: iso(row.next_attempt_at),
    delivered_at: iso(row.delivered_at),
    created_at: row.created_at.toISOString(),
    payload: orderedPayload(row.payload),
  };
}
