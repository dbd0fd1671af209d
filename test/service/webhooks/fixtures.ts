import { randomUUID } from 'node:crypto';
import type { SecretBox } from '../../../src/service/crypto/secret-box.js';
import type { Queryable } from '../../../src/service/db/types.js';
import type { PostEvent } from '../../../src/service/events.js';
import type { WebhookEvent } from '../../../src/service/states.js';
import {
  type DeliveryRow,
  deliveriesApi,
  type WebhookRow,
  webhooksApi,
} from '../../../src/service/store/webhooks-api.js';
import { generateWebhookSecret, sealWebhookSecret } from '../../../src/service/webhooks/secret.js';

/** A webhook written the way `POST /api/webhooks` writes one; returns the row and the clear secret. */
export async function insertWebhook(
  db: Queryable,
  box: SecretBox,
  w: { url: string; events?: readonly WebhookEvent[]; now?: Date },
): Promise<{ row: WebhookRow; secret: string }> {
  const id = randomUUID();
  const secret = generateWebhookSecret();
  const { rows } = await db.query<WebhookRow>(
    webhooksApi.insert({
      id,
      apiKeyId: null,
      url: w.url,
      sealedSecret: sealWebhookSecret(box, id, secret),
      events: w.events ?? ['post.published', 'post.failed', 'post.retrying'],
      now: w.now ?? new Date(),
    }),
  );
  return { row: rows[0]!, secret };
}

/** A post event as the worker emits it; ids are random unless given. */
export function postEvent(over: Partial<PostEvent> = {}): PostEvent {
  return {
    event: 'post.published',
    postId: randomUUID(),
    targetId: randomUUID(),
    accountId: randomUUID(),
    state: 'published',
    xPostIds: ['1790000000000000001'],
    at: new Date(),
    ...over,
  };
}

export async function deliveriesOf(db: Queryable, webhookId: string): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(deliveriesApi.listOfWebhook({ webhookId, limit: 1000 }));
  return rows;
}

export async function getDelivery(db: Queryable, id: string): Promise<DeliveryRow> {
  const row = (await db.query<DeliveryRow>(deliveriesApi.get(id))).rows[0];
  if (!row) throw new Error(`no delivery ${id}`);
  return row;
}
