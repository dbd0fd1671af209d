/**
 * Webhooks end to end: registered through the API, events emitted through the sink in a
 * transaction, delivered by a real pg-boss queue (short retry delays: pg-boss runs on the
 * database's clock, so these waits are real, about a second each) to a real receiver that checks
 * every signature.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { SecretBox } from '../../../src/service/crypto/secret-box.js';
import {
  createJobQueue,
  type JobQueue,
  QUEUES,
  type RetrySettings,
} from '../../../src/service/queue/queue.js';
import { registerWebhookRoutes } from '../../../src/service/routes/webhooks.js';
import { deliveriesApi } from '../../../src/service/store/webhooks-api.js';
import { webhookDeadLetterHandler, webhookDeliveryHandler } from '../../../src/service/webhooks/deliver.js';
import { eventPayload } from '../../../src/service/webhooks/payload.js';
import { webhookEventSink } from '../../../src/service/webhooks/sink.js';
import { describeDatabases } from '../../helpers/database.js';
import { buildTestServiceApp, insertApiKey, type TestServiceApp } from '../../helpers/service-app.js';
import { postEvent } from './fixtures.js';
import { useReceiver } from './receiver.js';

const receiver = useReceiver();
const box = new SecretBox(randomBytes(32));
const RETRY: RetrySettings = { limit: 2, delaySeconds: 1, backoff: false };

async function until<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeDatabases('webhook deliveries through the job queue', ({ db }) => {
  let queue: JobQueue;
  let svc: TestServiceApp;
  const backgroundErrors: Error[] = [];

  beforeAll(async () => {
    queue = createJobQueue(db(), {
      webhookRetry: RETRY,
      pollingIntervalSeconds: 0.5,
      onError: (error) => backgroundErrors.push(error),
    });
    await queue.start();
    const clock = () => new Date();
    await queue.workWebhookDelivery(
      webhookDeliveryHandler({ db: db(), box, clock, timeoutMs: 2_000, retry: RETRY }),
      { concurrency: 4 },
    );
    await queue.workWebhookDeliveryDeadLetters(webhookDeadLetterHandler({ db: db() }));
    svc = await buildTestServiceApp({ db: db(), box, queue, register: registerWebhookRoutes });
  });
  // Every table is emptied before each test, API keys included.
  let headers: { authorization: string };
  beforeEach(async () => {
    headers = { authorization: `Bearer ${(await insertApiKey(db())).key}` };
  });
  afterAll(async () => {
    await svc?.app.close();
    await queue?.stop({ timeoutMs: 2_000 });
    expect(backgroundErrors).toEqual([]);
  });

  async function register(path: string, events: string[] = ['post.published']) {
    const res = await svc.app.inject({
      method: 'POST',
      url: '/api/webhooks',
      headers,
      payload: { url: `${receiver().url}${path}`, events },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { id: string; secret: string };
    receiver().secrets.set(path, body.secret);
    return body;
  }

  async function deliveries(webhookId: string) {
    const res = await svc.app.inject({
      method: 'GET',
      url: `/api/webhooks/${webhookId}/deliveries`,
      headers,
    });
    expect(res.statusCode).toBe(200);
    return (res.json() as { data: any[] }).data;
  }

  const emit = (event = postEvent()) => db().transaction((tx) => webhookEventSink(queue).emit(tx, event));

  it('delivers an event committed with its transaction, signed; a rolled-back one never exists', async () => {
    const published = await register('/hook', ['post.published']);
    const failedOnly = await register('/failed-only', ['post.failed']);
    const gone = await register('/gone');
    expect(
      (await svc.app.inject({ method: 'DELETE', url: `/api/webhooks/${gone.id}`, headers })).statusCode,
    ).toBe(204);

    const rolledBack = postEvent();
    await expect(
      db().transaction(async (tx) => {
        await webhookEventSink(queue).emit(tx, rolledBack);
        throw new Error('the move failed');
      }),
    ).rejects.toThrow('the move failed');
    expect(await deliveries(published.id)).toEqual([]);
    expect(await queue.size(QUEUES.webhookDelivery)).toBe(0);

    const event = postEvent();
    await emit(event);
    const [got] = await receiver().waitFor(1, '/hook');
    expect(got?.check?.ok).toBe(true);
    expect(got?.json.data.post_id).toBe(event.postId);
    expect(got?.json.data.post_id).not.toBe(rolledBack.postId);
    const [row] = await until(async () => {
      const list = await deliveries(published.id);
      return list[0]?.status === 'delivered' && list;
    });
    expect(row).toMatchObject({ event: 'post.published', attempt: 1, response_code: 200, id: got?.json.id });

    // The events filter: post.failed goes to its subscriber only.
    const failure = postEvent({
      event: 'post.failed',
      state: 'failed',
      xPostIds: [],
      error: {
        code: 'duplicate_content',
        detail: 'You are not allowed to create a Tweet with duplicate content.',
        retryable: false,
      },
    });
    await emit(failure);
    const [failedGot] = await receiver().waitFor(1, '/failed-only');
    expect(failedGot?.check?.ok).toBe(true);
    expect(failedGot?.headers['xpost-event']).toBe('post.failed');
    expect(failedGot?.json.data).toEqual({
      post_id: failure.postId,
      target_id: failure.targetId,
      account_id: failure.accountId,
      state: 'failed',
      x_post_ids: [],
      error: failure.error,
    });
    await until(async () => (await deliveries(failedOnly.id))[0]?.status === 'delivered');
    expect(receiver().received.filter((r) => r.path === '/hook')).toHaveLength(1);
    expect(receiver().received.filter((r) => r.path === '/gone')).toEqual([]);
    expect(await deliveries(published.id)).toHaveLength(1);
  });

  it('retries: delivered on the third try, failed after the limit, stopped by deleting the webhook', async () => {
    const flaky = await register('/flaky');
    const down = await register('/down');
    const deleted = await register('/deleted-later');
    receiver().on('/flaky', (r) => (r.n <= 2 ? { status: 500, body: 'not yet' } : { status: 204 }));
    receiver().on('/down', () => ({ status: 502, body: 'bad gateway' }));
    // The third webhook is deleted while its first attempt waits for the answer.
    receiver().on('/deleted-later', () => ({ status: 500, delayMs: 300 }));
    await emit();
    const [deletedGot] = await receiver().waitFor(1, '/deleted-later');
    const deletion = await svc.app.inject({ method: 'DELETE', url: `/api/webhooks/${deleted.id}`, headers });
    expect(deletion.statusCode).toBe(204);

    const flakyRow = await until(async () => {
      const [d] = await deliveries(flaky.id);
      return d?.status === 'delivered' && d;
    });
    expect(flakyRow).toMatchObject({ attempt: 3, response_code: 204, error: null, next_attempt_at: null });
    const downRow = await until(async () => {
      const [d] = await deliveries(down.id);
      return d?.status === 'failed' && d;
    });
    expect(downRow).toMatchObject({
      attempt: RETRY.limit + 1,
      response_code: 502,
      error: 'HTTP 502: bad gateway',
      next_attempt_at: null,
    });

    const flakyGot = receiver().received.filter((r) => r.path === '/flaky');
    expect(flakyGot).toHaveLength(3);
    // Every try signed, and the same delivery id for the receiver to dedupe by.
    expect(flakyGot.every((r) => r.check?.ok)).toBe(true);
    expect(new Set(flakyGot.map((r) => r.headers['xpost-delivery']))).toEqual(new Set([flakyRow.id]));
    expect(receiver().received.filter((r) => r.path === '/down')).toHaveLength(3);

    // The deleted webhook's delivery: the attempt under way counted, no retry, given up.
    const deliveryId = deletedGot?.headers['xpost-delivery'] as string;
    await until(async () => {
      const { rows } = await db().query<{ state: string }>({
        text: 'SELECT state FROM pgboss.job WHERE name = $1 AND singleton_key = $2',
        values: [QUEUES.webhookDelivery, `delivery:${deliveryId}`],
      });
      return rows.length > 0 && rows.every((r) => r.state === 'completed');
    });
    expect(receiver().received.filter((r) => r.path === '/deleted-later')).toHaveLength(1);
    const { rows } = await db().query(deliveriesApi.get(deliveryId));
    expect(rows[0]).toMatchObject({
      status: 'failed',
      attempt: 1,
      response_code: 500,
      error: 'webhook deleted before delivery',
    });
  });

  it('redelivers a failed delivery on request, with the same id and payload', async () => {
    const hook = await register('/again');
    const event = postEvent({ at: new Date() });
    const { rows } = await db().query<{ id: string }>(
      deliveriesApi.insertForEvent({ event: event.event, payload: eventPayload(event), at: event.at }),
    );
    const id = rows[0]!.id;
    await db().query(deliveriesApi.markFailed({ id, error: 'HTTP 500' }));

    const res = await svc.app.inject({
      method: 'POST',
      url: `/api/webhooks/${hook.id}/deliveries/${id}/retry`,
      headers,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id, status: 'pending' });
    const [got] = await receiver().waitFor(1, '/again');
    expect(got?.check?.ok).toBe(true);
    expect(got?.headers['xpost-delivery']).toBe(id);
    expect(got?.json.data.post_id).toBe(event.postId);
    await until(async () => (await deliveries(hook.id))[0]?.status === 'delivered');
  });
});
