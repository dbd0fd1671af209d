/**
 * The publish step tells webhooks what happened: `publishTarget` with `events: webhookEventSink(queue)`
 * against the emulator, deliveries sent by a real queue to a real receiver.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SecretBox } from '../../../src/service/crypto/secret-box.js';
import { createJobQueue, type JobQueue } from '../../../src/service/queue/queue.js';
import { type PostTargetRow, posts, targets } from '../../../src/service/store/sql.js';
import { webhookDeliveryHandler } from '../../../src/service/webhooks/deliver.js';
import { webhookEventSink } from '../../../src/service/webhooks/sink.js';
import { type PublishDeps, publishTarget } from '../../../src/service/worker/publish.js';
import { describeDatabases } from '../../helpers/database.js';
import { useEmulator } from '../../helpers/emulator.js';
import { connectEmulatorUser, emulatorAccess } from '../../helpers/service-app.js';
import { deliveriesOf, insertWebhook } from './fixtures.js';
import { useReceiver } from './receiver.js';

const emulator = useEmulator();
const receiver = useReceiver();
const box = new SecretBox(randomBytes(32));

describeDatabases('publishTarget → webhooks', ({ db }) => {
  let queue: JobQueue;
  const clock = { now: () => new Date() };

  beforeAll(async () => {
    queue = createJobQueue(db(), {
      webhookRetry: { limit: 2, delaySeconds: 1, backoff: false },
      pollingIntervalSeconds: 0.5,
    });
    await queue.start();
    await queue.workWebhookDelivery(webhookDeliveryHandler({ db: db(), box, clock: () => new Date() }));
  });
  afterAll(async () => {
    await queue?.stop({ timeoutMs: 2_000 });
  });

  const deps = (): PublishDeps => ({
    db: db(),
    box,
    clock,
    workerId: 'worker-webhooks',
    x: () => emulatorAccess(emulator()),
    events: webhookEventSink(queue),
  });

  async function setUp(path: string, text: string) {
    const account = await connectEmulatorUser(db(), box, emulator());
    const hook = await insertWebhook(db(), box, { url: `${receiver().url}${path}` });
    receiver().secrets.set(path, hook.secret);
    const post = await db().query<{ id: string }>(
      posts.insert({
        apiKeyId: null,
        body: text,
        scheduledAt: null,
        draft: false,
        state: 'processing',
        request: { items: [{ body: text }] },
      }),
    );
    const target = (
      await db().query<PostTargetRow>(
        targets.insert({
          postId: post.rows[0]!.id,
          accountId: account.id,
          state: 'queued',
          runAt: clock.now(),
        }),
      )
    ).rows[0]!;
    return { account, hook, target };
  }

  const unique = (label: string) => `${label} ${randomBytes(4).toString('hex')}`;

  it('a published post is delivered as post.published with its X post id', async () => {
    const { account, hook, target } = await setUp('/published', unique('hello webhooks'));
    const result = await publishTarget(deps(), target.id);
    expect(result.outcome).toBe('published');
    const onX = emulator().store.postsByAuthor(emulator().user.id);
    expect(onX).toHaveLength(1);

    const [got] = await receiver().waitFor(1, '/published');
    expect(got?.check?.ok).toBe(true);
    expect(got?.headers['xpost-event']).toBe('post.published');
    expect(got?.json).toMatchObject({
      type: 'post.published',
      data: {
        post_id: target.post_id,
        target_id: target.id,
        account_id: account.id,
        state: 'published',
        x_post_ids: [onX[0]!.id],
        urls: [`https://x.com/i/status/${onX[0]!.id}`],
      },
    });
    expect(got?.json.data.error).toBeUndefined();
    const [delivery] = await deliveriesOf(db(), hook.row.id);
    expect(delivery?.id).toBe(got?.json.id);
  });

  it('a 5xx from X is delivered as post.retrying with the reason and when it is tried again', async () => {
    emulator().faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 503, times: 1 });
    const { target } = await setUp('/retrying', unique('flaky'));
    const result = await publishTarget(deps(), target.id);
    if (result.outcome !== 'requeued') throw new Error(`expected requeued, got ${result.outcome}`);

    const [got] = await receiver().waitFor(1, '/retrying');
    expect(got?.check?.ok).toBe(true);
    expect(got?.json).toMatchObject({
      type: 'post.retrying',
      data: {
        target_id: target.id,
        state: 'queued',
        x_post_ids: [],
        error: { code: result.code, retryable: true },
        retry_at: result.runAt.toISOString(),
      },
    });
  });

  it('a refusal from X is delivered as post.failed, not retried', async () => {
    emulator().faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 400, times: 1 });
    const { target } = await setUp('/failed', unique('refused'));
    const result = await publishTarget(deps(), target.id);
    if (result.outcome !== 'failed') throw new Error(`expected failed, got ${result.outcome}`);

    const [got] = await receiver().waitFor(1, '/failed');
    expect(got?.check?.ok).toBe(true);
    expect(got?.json).toMatchObject({
      type: 'post.failed',
      data: { target_id: target.id, state: 'failed', error: { code: result.code, retryable: false } },
    });
  });
});
