import type { SecretBox } from '../crypto/secret-box.js';
import { one } from '../db/one.js';
import type { Db } from '../db/types.js';
import type { DeadLetterJob, WebhookDeliveryJob } from '../queue/job-queue-types.js';
import { DEFAULT_WEBHOOK_RETRY, type RetrySettings } from '../queue/queue.js';
import {
  type DeliveryRow,
  deliveriesApi,
  type WebhookWithSecretRow,
  webhooksApi,
} from '../store/webhooks-api.js';
import { orderedPayload } from './payload.js';
import { openWebhookSecret } from './secret.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhook } from './sign.js';
import { webhookUserAgent } from './user-agent.js';

/**
 * Sending one delivery, what a `webhook-delivery` job runs (`queue.workWebhookDelivery`). pg-boss
 * delivers a job at least once and retries a handler that throws, with its backoff
 * (`DEFAULT_WEBHOOK_RETRY`); this handler makes each run one recorded attempt:
 * - a delivery already delivered or given up, or whose webhook was deleted, is not sent;
 * - the signed payload is POSTed with a timeout (and the job's signal), redirects not followed;
 * - a 2xx answer marks it delivered; anything else is recorded (`HTTP 500`, `timeout after 10 s`,
 *   `connection refused`, never more than a short snippet of the answer) and, unless this was the
 *   job's last attempt, the delivery stays pending with `next_attempt_at` at the backoff's earliest
 *   next run, and the handler throws so pg-boss retries it. After the last attempt it is `failed`.
 * Receivers may see a delivery twice (a worker dying after the POST); they dedupe by `xpost-delivery`.
 */

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** At most this much of a receiver's answer is kept in a delivery's `error`. */
export const ERROR_SNIPPET_CHARS = 200;
const SNIPPET_READ_BYTES = 1024;

export interface WebhookDeliveryDeps {
  db: Db;
  box: SecretBox;
  clock: () => Date;
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** How long one attempt may take, answer included. Default 10 s. */
  timeoutMs?: number;
  /**
   * The webhook queue's retry settings (as given to `createJobQueue`'s `webhookRetry`), to tell
   * when the next attempt is due. Default `DEFAULT_WEBHOOK_RETRY`.
   */
  retry?: Partial<RetrySettings>;
}

/** Thrown to make pg-boss retry; its message is the attempt's error (no secret, no body). */
export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
}

type AttemptOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

export function webhookDeliveryHandler(
  deps: WebhookDeliveryDeps,
): (job: WebhookDeliveryJob) => Promise<void> {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const retry = { ...DEFAULT_WEBHOOK_RETRY, ...deps.retry };
  const send = deps.fetch ?? globalThis.fetch;

  return async (job) => {
    const delivery = await one<DeliveryRow>(deps.db, deliveriesApi.get(job.deliveryId));
    // Gone (its webhook was purged), delivered by an earlier run, or given up: nothing to do.
    if (delivery?.status !== 'pending') return;
    const webhook = await one<WebhookWithSecretRow>(deps.db, webhooksApi.getForDelivery(delivery.webhook_id));
    if (!webhook || webhook.deleted_at !== null) {
      await deps.db.query(
        deliveriesApi.markFailed({ id: delivery.id, error: 'webhook deleted before delivery' }),
      );
      return;
    }

    const outcome = await attempt(delivery, webhook, job.signal);
    const now = deps.clock();
    if (outcome.ok) {
      await deps.db.query(
        deliveriesApi.recordDelivered({ id: delivery.id, responseCode: outcome.status, now }),
      );
      return;
    }
    const nextAttemptAt = job.isLastAttempt
      ? null
      : new Date(now.getTime() + retryDelayMs(retry, job.retryCount));
    const recorded = await one<DeliveryRow>(
      deps.db,
      deliveriesApi.recordFailure({
        id: delivery.id,
        responseCode: outcome.status,
        error: outcome.error,
        nextAttemptAt,
      }),
    );
    // Still pending: throw, and pg-boss runs it again after its backoff. Given up meanwhile: done.
    if (recorded?.status === 'pending') {
      throw new WebhookDeliveryError(`webhook delivery ${delivery.id}: ${outcome.error}`);
    }
  };

  async function attempt(
    delivery: DeliveryRow,
    webhook: WebhookWithSecretRow,
    jobSignal: AbortSignal,
  ): Promise<AttemptOutcome> {
    let secret: string;
    try {
      secret = openWebhookSecret(deps.box, webhook);
    } catch {
      // The service's key changed without XPOST_SECRET_KEY_OLD: nothing a retry of the POST fixes,
      // but the operator may restore the key, so it counts as a failed attempt like any other.
      return {
        ok: false,
        status: null,
        error: 'cannot open the signing secret (was XPOST_SECRET_KEY changed?)',
      };
    }
    const body = JSON.stringify(orderedPayload(delivery.payload));
    const timestamp = Math.floor(deps.clock().getTime() / 1000);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('webhook delivery timed out'));
    }, timeoutMs);
    const onJobAbort = () => controller.abort(jobSignal.reason);
    if (jobSignal.aborted) onJobAbort();
    else jobSignal.addEventListener('abort', onJobAbort, { once: true });
    try {
      const response = await send(webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': webhookUserAgent(),
          [SIGNATURE_HEADER]: signWebhook(secret, body, timestamp),
          [EVENT_HEADER]: delivery.event,
          [DELIVERY_HEADER]: delivery.id,
        },
        body,
        redirect: 'manual',
        signal: controller.signal,
      });
      if (response.status >= 200 && response.status < 300) {
        await response.body?.cancel().catch(() => {});
        return { ok: true, status: response.status };
      }
      const snippet = await readSnippet(response);
      const redirect =
        response.status >= 300 && response.status < 400
          ? ' (redirects are not followed: register the final URL)'
          : '';
      return {
        ok: false,
        status: response.status,
        error: `HTTP ${response.status}${redirect}${snippet ? `: ${snippet}` : ''}`,
      };
    } catch (error) {
      if (timedOut) return { ok: false, status: null, error: `timeout after ${seconds(timeoutMs)}` };
      if (jobSignal.aborted) {
        return { ok: false, status: null, error: 'interrupted: the job expired or the worker stopped' };
      }
      return { ok: false, status: null, error: describeNetworkError(error) };
    } finally {
      clearTimeout(timer);
      jobSignal.removeEventListener('abort', onJobAbort);
    }
  }
}

/**
 * For `queue.workWebhookDeliveryDeadLetters`: a job that ran out of retries without recording its
 * end (its last run expired, or its worker died) leaves a pending delivery; it is given up here.
 */
export function webhookDeadLetterHandler(deps: {
  db: Db;
}): (job: DeadLetterJob<{ deliveryId: string }>) => Promise<void> {
  return async (job) => {
    await deps.db.query(
      deliveriesApi.markFailed({
        id: job.data.deliveryId,
        error: 'gave up: the delivery job ran out of retries (its last run expired or its worker stopped)',
      }),
    );
  };
}

/**
 * When pg-boss runs a job again after the run numbered `retryCount` (0 first) threw: `delaySeconds`,
 * or with backoff between `delay * 2^retryCount` and twice that (random jitter). The earliest is
 * shown as `next_attempt_at`.
 */
export function retryDelayMs(retry: RetrySettings, retryCount: number): number {
  const factor = retry.backoff ? 2 ** Math.min(16, retryCount) : 1;
  return retry.delaySeconds * factor * 1000;
}

/** A short, single-line description of a failed `fetch`: `connection refused`, `host not found`, … */
export function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause ?? error;
  const code = (cause as { code?: unknown })?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found (DNS lookup failed)';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return 'connection reset before an answer';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
  }
  if (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
    return `TLS certificate not accepted (${code})`;
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return clip(`network error: ${typeof code === 'string' ? code : message}`, ERROR_SNIPPET_CHARS);
}

/** The start of an error answer, one line, at most `ERROR_SNIPPET_CHARS`; read no more than 1 KiB. */
async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_READ_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut off midway still has its start.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).subarray(0, SNIPPET_READ_BYTES).toString('utf8');
  return clip(text.replace(/\s+/g, ' ').trim(), ERROR_SNIPPET_CHARS);
}

function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
