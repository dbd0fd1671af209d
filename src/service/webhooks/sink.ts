import type { PostEventSink } from '../events.js';
import type { JobQueue } from '../queue/job-queue-types.js';
import { deliveriesApi } from '../store/webhooks-api.js';
import { eventPayload } from './payload.js';

/**
 * The webhooks side of the worker's outbox (events.ts): in the transaction that moved a target, one
 * pending delivery per live webhook subscribed to the event, due at the event's time, and its
 * delivery job queued in the same transaction. A rolled-back move leaves neither a delivery nor a
 * job; a committed one always has both, so no event is lost between the two.
 */
export function webhookEventSink(queue: Pick<JobQueue, 'sendWebhookDelivery'>): PostEventSink {
  return {
    async emit(tx, event) {
      const { rows } = await tx.query<{ id: string; webhook_id: string }>(
        deliveriesApi.insertForEvent({ event: event.event, payload: eventPayload(event), at: event.at }),
      );
      for (const row of rows) await queue.sendWebhookDelivery({ deliveryId: row.id }, { tx });
    },
  };
}
