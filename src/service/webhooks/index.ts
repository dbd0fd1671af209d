/**
 * Webhooks: signed deliveries of post events (issue 6). The worker's outbox sink (`sink.ts`), the
 * delivery job's handler (`deliver.ts`), the signature scheme for senders and receivers (`sign.ts`),
 * and the views the routes show (`views.ts`, routes/webhooks.ts).
 */
export {
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  describeNetworkError,
  retryDelayMs,
  type WebhookDeliveryDeps,
  WebhookDeliveryError,
  webhookDeadLetterHandler,
  webhookDeliveryHandler,
} from './deliver.js';
export {
  eventPayload,
  orderedPayload,
  type WebhookPayload,
  type WebhookPayloadData,
  xPostUrl,
} from './payload.js';
export {
  generateWebhookSecret,
  openWebhookSecret,
  sealWebhookSecret,
  WEBHOOK_SECRET_PREFIX,
  webhookSecretAad,
} from './secret.js';
export {
  DEFAULT_TOLERANCE_SECONDS,
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  type SignatureCheck,
  signWebhook,
  type VerifyWebhookOptions,
  verifyWebhookSignature,
} from './sign.js';
export { webhookEventSink } from './sink.js';
export { WEBHOOK_URL_MAX_LENGTH, webhookUrlProblems } from './url.js';
export { type DeliveryView, deliveryView, type WebhookView, webhookView } from './views.js';
