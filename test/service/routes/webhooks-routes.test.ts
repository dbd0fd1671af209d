import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { SecretBox } from '../../../src/service/crypto/secret-box.js';
import { createJobQueue, type JobQueue, QUEUES } from '../../../src/service/queue/queue.js';
import { registerWebhookRoutes } from '../../../src/service/routes/webhooks.js';
import { type DeliveryRow, deliveriesApi } from '../../../src/service/store/webhooks-api.js';
import { eventPayload } from '../../../src/service/webhooks/payload.js';
import { webhookSecretAad } from '../../../src/service/webhooks/secret.js';
import { describeDatabases } from '../../helpers/database.js';
import { buildTestServiceApp, type TestServiceApp } from '../../helpers/service-app.js';
import { getDelivery, postEvent } from '../webhooks/fixtures.js';

const box = new SecretBox(randomBytes(32));
const URL_OK = 'https://hooks.example.com/xpost';

describeDatabases('webhook routes', ({ db }) => {
  let queue: JobQueue;
  let svc: TestServiceApp;

  beforeAll(async () => {
    // A real queue that nobody works: the retry route's job is asserted in pg-boss's table.
    queue = createJobQueue(db(), { pollingIntervalSeconds: 0.5 });
    await queue.start();
  });
  afterAll(async () => {
    await queue?.stop({ timeoutMs: 1_000 });
  });
  beforeEach(async () => {
    svc = await buildTestServiceApp({ db: db(), box, queue, register: registerWebhookRoutes });
  });
  afterEach(async () => {
    await svc.app.close();
  });

  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    svc.app.inject({
      method,
      url,
      headers: svc.headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  async function create(body: Record<string, unknown> = {}) {
    const res = await inject('POST', '/api/webhooks', { url: URL_OK, events: ['post.published'], ...body });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; url: string; events: string[]; created_at: string; secret: string };
  }

  /** Deliveries for `webhookId` made directly (as the sink does), one second apart from `start`. */
  async function makeDeliveries(count: number, start = svc.clock().getTime()) {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const event = postEvent({ at: new Date(start + i * 1000) });
      const { rows } = await db().query<{ id: string }>(
        deliveriesApi.insertForEvent({ event: event.event, payload: eventPayload(event), at: event.at }),
      );
      ids.push(...rows.map((r) => r.id));
    }
    return ids;
  }

  const problemOf = (res: { json(): unknown }) =>
    res.json() as {
      status: number;
      code: string;
      detail: string;
      errors?: { field: string; code: string; message: string }[];
    };

  it('POST /api/webhooks registers and answers the secret once; it is stored sealed', async () => {
    const res = await inject('POST', '/api/webhooks', {
      url: URL_OK,
      events: ['post.failed', 'post.published', 'post.failed'],
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      url: URL_OK,
      events: ['post.failed', 'post.published'],
      created_at: svc.clock().toISOString(),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
    });
    // The database holds ciphertext bound to this row, and no trace of the secret in clear.
    const dump = await db().query<{ row: string; api_key_id: string; secret: Uint8Array }>({
      text: 'SELECT w::text AS row, api_key_id, secret FROM xpost.webhooks w',
    });
    expect(dump.rows).toHaveLength(1);
    const stored = dump.rows[0]!;
    const secretBody = body.secret.slice('whsec_'.length);
    expect(stored.row).not.toContain(secretBody);
    expect(stored.row).not.toContain(Buffer.from(body.secret).toString('hex'));
    expect(Buffer.from(stored.secret).toString('latin1')).not.toContain(secretBody);
    expect(stored.api_key_id).toBe(svc.apiKeyId);
    expect(box.openText(Buffer.from(stored.secret), webhookSecretAad(body.id))).toBe(body.secret);
    expect(() => box.openText(Buffer.from(stored.secret), webhookSecretAad(randomUUID()))).toThrow();
  });

  it('GET /api/webhooks and /api/webhooks/:id never show a secret', async () => {
    const a = await create();
    svc.clock.advance(1000);
    const b = await create({ events: ['post.retrying'] });
    const list = await inject('GET', '/api/webhooks');
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({
      data: [
        { id: a.id, url: URL_OK, events: ['post.published'], created_at: a.created_at },
        { id: b.id, url: URL_OK, events: ['post.retrying'], created_at: b.created_at },
      ],
    });
    const one = await inject('GET', `/api/webhooks/${b.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({
      id: b.id,
      url: URL_OK,
      events: ['post.retrying'],
      created_at: b.created_at,
    });
    for (const text of [list.body, one.body]) {
      expect(text).not.toContain(a.secret);
      expect(text).not.toContain(b.secret);
      expect(text).not.toContain('secret');
    }
  });

  it('POST /api/webhooks lists every problem by field (422)', async () => {
    const cases: [unknown, { field: string; code: string }[]][] = [
      [
        {},
        [
          { field: 'url', code: 'required' },
          { field: 'events', code: 'required' },
        ],
      ],
      [
        { url: 'http://example.com/hook', events: ['post.deleted', 'post.published', 'nope'] },
        [
          { field: 'events[0]', code: 'unknown_event' },
          { field: 'events[2]', code: 'unknown_event' },
          { field: 'url', code: 'https_required' },
        ],
      ],
      [{ url: URL_OK, events: [] }, [{ field: 'events', code: 'empty' }]],
      [{ url: 'hooks.example.com', events: ['post.failed'] }, [{ field: 'url', code: 'invalid_url' }]],
      [
        { url: 'https://u:p@example.com/h', events: ['post.failed'] },
        [{ field: 'url', code: 'credentials_in_url' }],
      ],
      [
        { url: 'http://169.254.169.254/', events: ['post.failed'] },
        [{ field: 'url', code: 'forbidden_address' }],
      ],
      [
        { url: {}, events: { a: 1 } },
        [
          { field: 'url', code: 'type' },
          { field: 'events', code: 'type' },
        ],
      ],
      [
        { url: URL_OK, events: ['post.failed'], description: 'mine' },
        [{ field: 'description', code: 'unknown_field' }],
      ],
    ];
    for (const [payload, expected] of cases) {
      const res = await inject('POST', '/api/webhooks', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = problemOf(res);
      expect(problem.code).toBe('validation_failed');
      const got = (problem.errors ?? []).map(({ field, code }) => ({ field, code }));
      expect(got.sort(byField), JSON.stringify(payload)).toEqual([...expected].sort(byField));
    }
    const res = await inject('POST', '/api/webhooks', { url: URL_OK, events: ['post.deleted'] });
    expect(problemOf(res).errors?.[0]?.message).toBe(
      'is not an event; use one of post.published, post.failed, post.retrying',
    );
    expect((await inject('GET', '/api/webhooks')).json()).toEqual({ data: [] });
  });

  it('404 for an unknown, malformed or deleted webhook id', async () => {
    const hook = await create();
    for (const id of [randomUUID(), 'nope', `${hook.id}x`]) {
      for (const [method, path] of [
        ['GET', `/api/webhooks/${id}`],
        ['DELETE', `/api/webhooks/${id}`],
        ['GET', `/api/webhooks/${id}/deliveries`],
        ['POST', `/api/webhooks/${id}/deliveries/${randomUUID()}/retry`],
      ] as const) {
        const res = await inject(method, path);
        expect(res.statusCode, `${method} ${path}`).toBe(404);
        expect(problemOf(res)).toMatchObject({
          code: 'not_found',
          detail: expect.stringContaining('no webhook'),
        });
      }
    }
    expect((await inject('GET', `/api/webhooks/${hook.id}`)).statusCode).toBe(200);
  });

  it('DELETE /api/webhooks/:id: gone from the API, its pending deliveries given up', async () => {
    const hook = await create();
    const [pendingId, deliveredId] = await makeDeliveries(2);
    await db().query(
      deliveriesApi.recordDelivered({ id: deliveredId!, responseCode: 200, now: svc.clock() }),
    );
    const res = await inject('DELETE', `/api/webhooks/${hook.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await inject('GET', `/api/webhooks/${hook.id}`)).statusCode).toBe(404);
    expect((await inject('GET', '/api/webhooks')).json()).toEqual({ data: [] });
    expect((await inject('DELETE', `/api/webhooks/${hook.id}`)).statusCode).toBe(404);
    expect(await getDelivery(db(), pendingId!)).toMatchObject({
      status: 'failed',
      error: 'webhook deleted before delivery',
      next_attempt_at: null,
    });
    expect((await getDelivery(db(), deliveredId!)).status).toBe('delivered');
    const { rows } = await db().query<{ deleted_at: Date }>({
      text: 'SELECT deleted_at FROM xpost.webhooks WHERE id = $1',
      values: [hook.id],
    });
    expect(rows[0]?.deleted_at).toEqual(svc.clock());
  });

  it('GET /api/webhooks/:id/deliveries: newest first, by pages, filtered by status', async () => {
    const hook = await create();
    const other = await create({ url: 'https://other.example.com/hook', events: ['post.failed'] });
    const ids = await makeDeliveries(5);
    await db().query(deliveriesApi.markFailed({ id: ids[1]!, error: 'HTTP 500' }));
    const newestFirst = [...ids].reverse();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const res = await inject('GET', `/api/webhooks/${hook.id}/deliveries${query}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { data: { id: string }[]; next_cursor: string | null };
      seen.push(...page.data.map((d) => d.id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst);

    const all = (await inject('GET', `/api/webhooks/${hook.id}/deliveries`)).json();
    expect(all.next_cursor).toBeNull();
    const first = all.data[0];
    const row = (await db().query<DeliveryRow>(deliveriesApi.get(ids[4]!))).rows[0]!;
    expect(first).toEqual({
      id: ids[4],
      webhook_id: hook.id,
      event: 'post.published',
      status: 'pending',
      attempt: 0,
      response_code: null,
      error: null,
      next_attempt_at: row.created_at.toISOString(),
      delivered_at: null,
      created_at: row.created_at.toISOString(),
      payload: {
        id: ids[4],
        type: 'post.published',
        created_at: row.created_at.toISOString(),
        data: {
          post_id: expect.any(String),
          target_id: expect.any(String),
          account_id: expect.any(String),
          state: 'published',
          x_post_ids: ['1790000000000000001'],
          urls: ['https://x.com/i/status/1790000000000000001'],
        },
      },
    });
    expect(Object.keys(first.payload)).toEqual(['id', 'type', 'created_at', 'data']);

    const failed = (await inject('GET', `/api/webhooks/${hook.id}/deliveries?status=failed`)).json();
    expect(failed.data.map((d: { id: string }) => d.id)).toEqual([ids[1]]);
    expect(failed.data[0]).toMatchObject({ status: 'failed', error: 'HTTP 500' });
    // The other webhook is not subscribed to post.published.
    expect((await inject('GET', `/api/webhooks/${other.id}/deliveries`)).json()).toEqual({
      data: [],
      next_cursor: null,
    });
  });

  it('GET /api/webhooks/:id/deliveries: 422 for a bad limit, status, cursor or parameter', async () => {
    const hook = await create();
    const other = await create();
    // One event, one delivery for each webhook: a cursor from the other webhook's list is not one of ours.
    await makeDeliveries(1);
    const { rows } = await db().query<{ id: string }>({
      text: 'SELECT id FROM xpost.webhook_deliveries WHERE webhook_id = $1',
      values: [other.id],
    });
    const othersDelivery = rows[0]!.id;
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['status=sent', 'status'],
      ['cursor=nope', 'cursor'],
      [`cursor=${randomUUID()}`, 'cursor'],
      [`cursor=${othersDelivery}`, 'cursor'],
      ['page=2', 'page'],
    ] as const) {
      const res = await inject('GET', `/api/webhooks/${hook.id}/deliveries?${query}`);
      expect(res.statusCode, query).toBe(422);
      expect(
        problemOf(res).errors?.map((e) => e.field.replace(/^querystring\./, '')),
        query,
      ).toEqual([field]);
    }
  });

  it('POST …/deliveries/:deliveryId/retry queues a failed delivery again; 409 otherwise', async () => {
    const hook = await create();
    const [failedId, pendingId, deliveredId] = await makeDeliveries(3);
    await db().query(
      deliveriesApi.recordFailure({
        id: failedId!,
        responseCode: 500,
        error: 'HTTP 500',
        nextAttemptAt: null,
      }),
    );
    await db().query(
      deliveriesApi.recordDelivered({ id: deliveredId!, responseCode: 200, now: svc.clock() }),
    );
    svc.clock.advance(60_000);

    const res = await inject('POST', `/api/webhooks/${hook.id}/deliveries/${failedId}/retry`);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({
      id: failedId,
      status: 'pending',
      attempt: 1,
      response_code: 500,
      error: 'HTTP 500',
      next_attempt_at: svc.clock().toISOString(),
    });
    const jobs = await db().query<{ state: string; data: unknown }>({
      text: 'SELECT state, data FROM pgboss.job WHERE name = $1 AND singleton_key = $2',
      values: [QUEUES.webhookDelivery, `delivery:${failedId}`],
    });
    expect(jobs.rows).toEqual([{ state: 'created', data: { deliveryId: failedId } }]);

    for (const [id, words] of [
      [failedId, /pending/],
      [pendingId, /pending/],
      [deliveredId, /delivered already/],
    ] as const) {
      const again = await inject('POST', `/api/webhooks/${hook.id}/deliveries/${id}/retry`);
      expect(again.statusCode).toBe(409);
      expect(problemOf(again)).toMatchObject({ code: 'conflict', detail: expect.stringMatching(words) });
    }
    for (const id of [randomUUID(), 'nope']) {
      const missing = await inject('POST', `/api/webhooks/${hook.id}/deliveries/${id}/retry`);
      expect(missing.statusCode).toBe(404);
      expect(problemOf(missing).detail).toContain('no delivery');
    }
    // A delivery of another webhook is not found under this one.
    const other = await create();
    expect(
      (await inject('POST', `/api/webhooks/${other.id}/deliveries/${deliveredId}/retry`)).statusCode,
    ).toBe(404);
  });

  it('retry without a job queue in this process: 503, and nothing changes', async () => {
    const noQueue = await buildTestServiceApp({ db: db(), box, register: registerWebhookRoutes });
    try {
      const hook = await create();
      const [id] = await makeDeliveries(1);
      await db().query(deliveriesApi.markFailed({ id: id!, error: 'HTTP 500' }));
      const res = await noQueue.app.inject({
        method: 'POST',
        url: `/api/webhooks/${hook.id}/deliveries/${id}/retry`,
        headers: noQueue.headers,
      });
      expect(res.statusCode).toBe(503);
      expect(problemOf(res).code).toBe('service_unavailable');
      expect((await getDelivery(db(), id!)).status).toBe('failed');
    } finally {
      await noQueue.app.close();
    }
  });

  it('every route needs an API key', async () => {
    const hook = await create();
    for (const [method, url] of [
      ['POST', '/api/webhooks'],
      ['GET', '/api/webhooks'],
      ['GET', `/api/webhooks/${hook.id}`],
      ['DELETE', `/api/webhooks/${hook.id}`],
      ['GET', `/api/webhooks/${hook.id}/deliveries`],
      ['POST', `/api/webhooks/${hook.id}/deliveries/${randomUUID()}/retry`],
    ] as const) {
      const res = await svc.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
    expect((await inject('GET', `/api/webhooks/${hook.id}`)).statusCode).toBe(200);
  });
});

function byField(a: { field: string; code: string }, b: { field: string; code: string }): number {
  return a.field === b.field ? a.code.localeCompare(b.code) : a.field.localeCompare(b.field);
}
