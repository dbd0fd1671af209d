/**
 * The delivery handler on its own, called the way the queue calls it (a job per run), against a
 * real HTTP receiver and a real database. Retries through pg-boss are in delivery-queue.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { SecretBox } from '../../../src/service/crypto/secret-box.js';
import type { WebhookDeliveryJob } from '../../../src/service/queue/job-queue-types.js';
import { deliveriesApi, webhooksApi } from '../../../src/service/store/webhooks-api.js';
import {
  ERROR_SNIPPET_CHARS,
  WebhookDeliveryError,
  webhookDeadLetterHandler,
  webhookDeliveryHandler,
} from '../../../src/service/webhooks/deliver.js';
import { eventPayload } from '../../../src/service/webhooks/payload.js';
import { describeDatabases } from '../../helpers/database.js';
import { testClock } from '../../helpers/service-app.js';
import { getDelivery, insertWebhook, postEvent } from './fixtures.js';
import { useReceiver } from './receiver.js';

const receiver = useReceiver();
const box = new SecretBox(randomBytes(32));
const version = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;

function job(deliveryId: string, over: Partial<WebhookDeliveryJob> = {}): WebhookDeliveryJob {
  return {
    jobId: 'job-1',
    retryCount: 0,
    retryLimit: 3,
    isLastAttempt: false,
    signal: new AbortController().signal,
    deliveryId,
    ...over,
  };
}

describeDatabases('webhookDeliveryHandler', ({ db }) => {
  const clock = testClock();

  /** A webhook at `path` of the receiver with one pending delivery of a post.published event. */
  async function pending(path: string, url = `${receiver().url}${path}`) {
    const hook = await insertWebhook(db(), box, { url });
    receiver().secrets.set(path, hook.secret);
    const event = postEvent({ at: clock() });
    const { rows } = await db().query<{ id: string }>(
      deliveriesApi.insertForEvent({ event: event.event, payload: eventPayload(event), at: event.at }),
    );
    return { hook, event, deliveryId: rows[0]!.id };
  }

  const handler = (over: Partial<Parameters<typeof webhookDeliveryHandler>[0]> = {}) =>
    webhookDeliveryHandler({ db: db(), box, clock, ...over });

  it('POSTs the signed payload with its headers and marks the delivery delivered', async () => {
    clock.set(Date.now());
    const { deliveryId, event, hook } = await pending('/ok');
    await handler()(job(deliveryId));
    const [got] = receiver().received;
    expect(got?.check).toEqual({ ok: true, timestamp: Math.floor(clock().getTime() / 1000) });
    expect(got?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': `xpost-webhooks/${version}`,
      'xpost-event': 'post.published',
      'xpost-delivery': deliveryId,
    });
    // The documented key order, whatever order jsonb keeps.
    expect(Object.keys(got?.json)).toEqual(['id', 'type', 'created_at', 'data']);
    expect(got?.json).toEqual({
      id: deliveryId,
      type: 'post.published',
      created_at: event.at.toISOString(),
      data: {
        post_id: event.postId,
        target_id: event.targetId,
        account_id: event.accountId,
        state: 'published',
        x_post_ids: event.xPostIds,
        urls: [`https://x.com/i/status/${event.xPostIds[0]}`],
      },
    });
    const row = await getDelivery(db(), deliveryId);
    expect(row).toMatchObject({ status: 'delivered', attempt: 1, response_code: 200, error: null });
    expect(row.delivered_at).toEqual(clock());
    expect(row.next_attempt_at).toBeNull();
    expect(row.webhook_id).toBe(hook.row.id);
    // A second run of the same job (at-least-once) sends nothing.
    await handler()(job(deliveryId));
    expect(receiver().received).toHaveLength(1);
  });

  it('a non-2xx answer: recorded with a short snippet, kept pending until the backoff, and thrown to retry', async () => {
    const { deliveryId } = await pending('/broken');
    receiver().on('/broken', () => ({ status: 500, body: `oops\n${'x'.repeat(5000)}` }));
    const run = handler({ retry: { delaySeconds: 10, backoff: true } })(job(deliveryId, { retryCount: 2 }));
    await expect(run).rejects.toThrow(WebhookDeliveryError);
    await expect(run).rejects.toThrow(/HTTP 500/);
    const row = await getDelivery(db(), deliveryId);
    expect(row).toMatchObject({ status: 'pending', attempt: 1, response_code: 500 });
    expect(row.error).toMatch(/^HTTP 500: oops x+…$/);
    expect(Array.from(row.error!.slice('HTTP 500: '.length))).toHaveLength(ERROR_SNIPPET_CHARS);
    // The third run (retryCount 2) failed: pg-boss waits 10 s × 2² at least.
    expect(row.next_attempt_at).toEqual(new Date(clock().getTime() + 40_000));
  });

  it('the last attempt failing marks the delivery failed and does not throw', async () => {
    const { deliveryId } = await pending('/down');
    receiver().on('/down', () => ({ status: 503 }));
    await handler()(job(deliveryId, { retryCount: 3, isLastAttempt: true }));
    expect(await getDelivery(db(), deliveryId)).toMatchObject({
      status: 'failed',
      attempt: 1,
      response_code: 503,
      error: 'HTTP 503',
      next_attempt_at: null,
      delivered_at: null,
    });
  });

  it('does not follow redirects', async () => {
    const { deliveryId } = await pending('/moved');
    receiver().on('/moved', () => ({ status: 302, location: `${receiver().url}/elsewhere` }));
    await expect(handler()(job(deliveryId))).rejects.toThrow(/HTTP 302/);
    expect(receiver().received.map((r) => r.path)).toEqual(['/moved']);
    expect((await getDelivery(db(), deliveryId)).error).toBe(
      'HTTP 302 (redirects are not followed: register the final URL)',
    );
  });

  it('times out a receiver that does not answer', async () => {
    const { deliveryId } = await pending('/slow');
    receiver().on('/slow', () => ({ status: 200, delayMs: 10_000 }));
    const started = Date.now();
    await expect(handler({ timeoutMs: 150 })(job(deliveryId))).rejects.toThrow(/timeout after 0.15 s/);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await getDelivery(db(), deliveryId)).toMatchObject({
      status: 'pending',
      attempt: 1,
      response_code: null,
      error: 'timeout after 0.15 s',
    });
  });

  it('says "connection refused" when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const { deliveryId } = await pending('/gone', `http://127.0.0.1:${port}/gone`);
    await expect(handler()(job(deliveryId))).rejects.toThrow(/connection refused/);
    expect((await getDelivery(db(), deliveryId)).error).toBe('connection refused');
  });

  it('stops when the job is aborted (expired, or the worker stops)', async () => {
    const { deliveryId } = await pending('/hang');
    receiver().on('/hang', () => ({ status: 200, delayMs: 10_000 }));
    const abort = new AbortController();
    const run = handler()(job(deliveryId, { signal: abort.signal }));
    await receiver().waitFor(1, '/hang');
    abort.abort(new Error('job expired'));
    await expect(run).rejects.toThrow(/interrupted/);
    expect((await getDelivery(db(), deliveryId)).status).toBe('pending');
  });

  it('does not send for a deleted webhook, and gives the delivery up', async () => {
    const { deliveryId, hook } = await pending('/deleted');
    await db().query(webhooksApi.softDelete(hook.row.id, clock()));
    await handler()(job(deliveryId));
    expect(receiver().received).toEqual([]);
    expect(await getDelivery(db(), deliveryId)).toMatchObject({
      status: 'failed',
      attempt: 0,
      error: 'webhook deleted before delivery',
    });
  });

  it('a webhook deleted during the attempt: the attempt counts, no retry is asked for', async () => {
    const { deliveryId, hook } = await pending('/deleting');
    receiver().on('/deleting', () => ({ status: 500, delayMs: 300 }));
    const run = handler()(job(deliveryId));
    await receiver().waitFor(1, '/deleting');
    await db().query(webhooksApi.softDelete(hook.row.id, clock()));
    await db().query(deliveriesApi.failPendingOfWebhook(hook.row.id, 'webhook deleted before delivery'));
    await expect(run).resolves.toBeUndefined();
    expect(await getDelivery(db(), deliveryId)).toMatchObject({
      status: 'failed',
      attempt: 1,
      response_code: 500,
      error: 'webhook deleted before delivery',
      next_attempt_at: null,
    });
  });

  it('a secret the service cannot open (key changed) is a failed attempt, nothing sent', async () => {
    const { deliveryId } = await pending('/other-key');
    const otherBox = new SecretBox(randomBytes(32));
    await expect(handler({ box: otherBox })(job(deliveryId))).rejects.toThrow(/signing secret/);
    expect(receiver().received).toEqual([]);
    expect((await getDelivery(db(), deliveryId)).error).toMatch(/XPOST_SECRET_KEY/);
  });

  it('the dead-letter handler gives up a pending delivery and leaves a delivered one alone', async () => {
    const a = await pending('/a');
    const b = await pending('/b');
    await handler()(job(b.deliveryId));
    const dead = webhookDeadLetterHandler({ db: db() });
    await dead({ jobId: 'j', data: { deliveryId: a.deliveryId } });
    await dead({ jobId: 'j', data: { deliveryId: b.deliveryId } });
    expect(await getDelivery(db(), a.deliveryId)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^gave up/),
    });
    expect((await getDelivery(db(), b.deliveryId)).status).toBe('delivered');
  });
});
