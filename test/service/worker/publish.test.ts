import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecretBox } from '../../../src/service/crypto/secret-box.js';
import {
  type AccountRow,
  accounts,
  attempts,
  type PostTargetRow,
  type PublishAttemptRow,
  posts,
  targets,
} from '../../../src/service/store/sql.js';
import { openTokens, sealTokens } from '../../../src/service/worker/db-token-store.js';
import { RESET_MARGIN_MS } from '../../../src/service/worker/pacing.js';
import { type PublishDeps, publishTarget, requestItems } from '../../../src/service/worker/publish.js';
import { publishJobHandler } from '../../../src/service/worker/publish-job.js';
import { describeDatabases } from '../../helpers/database.js';
import { api, useEmulator } from '../../helpers/emulator.js';

const emulator = useEmulator();
const box = new SecretBox(randomBytes(32));

describeDatabases('publishTarget', ({ db }) => {
  let time = Date.now();
  const clock = { now: () => new Date(time) };
  const advance = (ms: number) => {
    time += ms;
  };
  // The emulator's clock is real time: each test starts our clock there too.
  beforeEach(() => {
    time = Date.now();
  });

  function deps(
    overrides: Partial<PublishDeps> = {},
    fetchHook?: (url: string, init?: RequestInit) => void,
  ): PublishDeps {
    const emu = emulator();
    const client: NonNullable<ReturnType<PublishDeps['x']>['client']> = {
      apiBase: emu.url,
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 5,
    };
    if (fetchHook) {
      client.fetch = (input, init) => {
        fetchHook(String(input), init);
        return fetch(input, init);
      };
    }
    return {
      db: db(),
      box,
      clock,
      workerId: 'worker-a',
      x: () => ({ clientId: emu.app.clientId, clientSecret: emu.app.clientSecret ?? undefined, client }),
      ...overrides,
    } as PublishDeps;
  }

  async function insertAccount(
    tokens: { accessToken?: string; refreshToken?: string; expiresAt?: number } = {},
  ): Promise<AccountRow> {
    const emu = emulator();
    const { rows } = await db().query<AccountRow>(
      accounts.upsert({
        xUserId: emu.user.id,
        username: emu.user.username,
        authKind: 'oauth2',
        accessToken: new Uint8Array([0]),
        scopes: emu.user.scopes,
      }),
    );
    const id = rows[0]!.id;
    const sealed = sealTokens(box, id, {
      accessToken: tokens.accessToken ?? emu.user.accessToken,
      refreshToken: tokens.refreshToken ?? emu.user.refreshToken,
      expiresAt: tokens.expiresAt ?? time + 2 * 3600_000,
      scopes: emu.user.scopes,
      tokenType: 'bearer',
    });
    const updated = await db().query<AccountRow>(accounts.updateTokens(id, sealed));
    return updated.rows[0]!;
  }

  async function insertTarget(texts: string[], accountId?: string): Promise<PostTargetRow> {
    const account = accountId ?? (await insertAccount()).id;
    const post = await db().query<{ id: string }>(
      posts.insert({
        apiKeyId: null,
        body: texts[0]!,
        scheduledAt: null,
        draft: false,
        state: 'processing',
        request: { items: texts.map((body) => ({ body })) },
      }),
    );
    const t = await db().query<PostTargetRow>(
      targets.insert({ postId: post.rows[0]!.id, accountId: account, state: 'queued', runAt: clock.now() }),
    );
    return t.rows[0]!;
  }

  const unique = (label: string) => `${label} ${randomBytes(4).toString('hex')}`;
  const getTarget = async (id: string) => (await db().query<PostTargetRow>(targets.get(id))).rows[0]!;
  const attemptsOf = async (id: string) => (await db().query<PublishAttemptRow>(attempts.ofTarget(id))).rows;
  const postsOnX = () => emulator().store.postsByAuthor(emulator().user.id);
  const postState = async (postId: string) =>
    (await db().query<{ state: string }>(posts.get(postId))).rows[0]!.state;

  it('publishes a single post once, and the post is published', async () => {
    const target = await insertTarget([unique('hello')]);
    const result = await publishTarget(deps(), target.id);
    expect(result.outcome).toBe('published');
    const row = await getTarget(target.id);
    expect(row.state).toBe('published');
    expect(row.x_post_ids).toHaveLength(1);
    expect(postsOnX().map((p) => p.id)).toEqual(row.x_post_ids);
    expect(await postState(target.post_id)).toBe('published');
    expect((await attemptsOf(target.id)).map((a) => a.outcome)).toEqual(['sent']);
    // Run again: nothing to claim, nothing sent.
    expect((await publishTarget(deps(), target.id)).outcome).toBe('not-claimed');
    expect(postsOnX()).toHaveLength(1);
  });

  it('publishes a thread of 3, each replying to the previous', async () => {
    const target = await insertTarget([unique('one'), unique('two'), unique('three')]);
    expect((await publishTarget(deps(), target.id)).outcome).toBe('published');
    const row = await getTarget(target.id);
    expect(row.x_post_ids).toHaveLength(3);
    expect(postsOnX()).toHaveLength(3);
  });

  it('commit_then_drop: reconciles instead of posting twice', async () => {
    const emu = emulator();
    emu.faults.add({ endpoint: 'POST /2/tweets', kind: 'commit_then_drop', times: 1 });
    const target = await insertTarget([unique('dropped')]);
    expect((await publishTarget(deps(), target.id)).outcome).toBe('published');
    const onX = postsOnX();
    expect(onX).toHaveLength(1);
    const row = await getTarget(target.id);
    expect(row.x_post_ids).toEqual([onX[0]!.id]);
    expect((await attemptsOf(target.id)).map((a) => a.outcome)).toEqual(['reconciled']);
    expect(emu.requestCounts()['POST /2/tweets']).toBe(1);
  });

  it('a worker that died after sending: the next run reconciles and does not repost', async () => {
    const emu = emulator();
    const text = unique('crash');
    const target = await insertTarget([text]);
    // Worker "dead" claims, records its attempt, sends, and dies before writing the answer.
    const now = clock.now();
    const claimed = await db().query(
      targets.claim({
        workerId: 'dead',
        now,
        leaseUntil: new Date(now.getTime() + 60_000),
        targetId: target.id,
      }),
    );
    expect(claimed.rows).toHaveLength(1);
    await db().query(attempts.record({ targetId: target.id, workerId: 'dead', itemIndex: 0, text, now }));
    const sent = await api(emu, 'POST', '/2/tweets', { json: { text } });
    expect(sent.status).toBe(201);

    // While the lease lasts, nobody else takes it.
    expect((await publishTarget(deps(), target.id)).outcome).toBe('not-claimed');
    advance(61_000);
    const result = await publishTarget(deps(), target.id);
    expect(result).toEqual({ outcome: 'published', xPostIds: [sent.body.data.id] });
    expect(postsOnX()).toHaveLength(1);
    expect(emu.requestCounts()['POST /2/tweets']).toBe(1);
    expect((await attemptsOf(target.id)).map((a) => [a.outcome, a.worker_id])).toEqual([
      ['reconciled', 'dead'],
    ]);
  });

  it('a worker that died before sending: the next run finds nothing and sends once', async () => {
    const text = unique('crash-early');
    const target = await insertTarget([text]);
    const now = clock.now();
    await db().query(
      targets.claim({
        workerId: 'dead',
        now,
        leaseUntil: new Date(now.getTime() + 60_000),
        targetId: target.id,
      }),
    );
    await db().query(attempts.record({ targetId: target.id, workerId: 'dead', itemIndex: 0, text, now }));
    advance(61_000);
    expect((await publishTarget(deps(), target.id)).outcome).toBe('published');
    expect(postsOnX()).toHaveLength(1);
    expect((await attemptsOf(target.id)).map((a) => a.outcome)).toEqual(['failed', 'sent']);
  });

  it('503: requeued with backoff, then published once', async () => {
    const emu = emulator();
    emu.faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 503, times: 1 });
    const target = await insertTarget([unique('flaky')]);
    const first = await publishTarget(deps(), target.id);
    expect(first.outcome).toBe('requeued');
    let row = await getTarget(target.id);
    expect(row.state).toBe('queued');
    expect(row.run_at.getTime()).toBeGreaterThan(time);
    expect(row.error_retryable).toBe(true);
    expect(row.attempts).toBe(1);
    expect(await postState(target.post_id)).toBe('processing');
    // Not due before the backoff ends.
    expect((await publishTarget(deps(), target.id)).outcome).toBe('not-claimed');
    advance(row.run_at.getTime() - time);
    expect((await publishTarget(deps(), target.id)).outcome).toBe('published');
    row = await getTarget(target.id);
    expect(row.state).toBe('published');
    expect(row.error_code).toBeNull();
    expect(postsOnX()).toHaveLength(1);
  });

  it('5xx every time: fails for good after the attempt limit', async () => {
    const emu = emulator();
    emu.faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 503 });
    const target = await insertTarget([unique('down')]);
    const d = deps({ maxAttempts: 2 });
    expect((await publishTarget(d, target.id)).outcome).toBe('requeued');
    advance((await getTarget(target.id)).run_at.getTime() - time);
    const result = await publishTarget(d, target.id);
    expect(result).toMatchObject({ outcome: 'failed', code: 'x_outcome_unknown' });
    const row = await getTarget(target.id);
    expect(row).toMatchObject({ state: 'failed', failures: 2 });
    expect(row.error_detail).toMatch(/gave up after 2 failed attempts/);
    expect(row.error_retryable).toBe(false);
    expect(postsOnX()).toHaveLength(0);
  });

  it('429: requeued at the reset, the window shared, then published', async () => {
    const emu = emulator();
    emu.faults.add({ endpoint: 'POST /2/tweets', kind: 'rate_limit', times: 1, resetAfterSecs: 600 });
    const target = await insertTarget([unique('limited')]);
    const result = await publishTarget(deps(), target.id);
    expect(result.outcome).toBe('requeued');
    const row = await getTarget(target.id);
    expect(row.state).toBe('queued');
    expect(row.error_code).toBe('rate_limited');
    expect(row.run_at.getTime()).toBeGreaterThan(time + 500_000);
    const limits = await db().query<{ reset_at: Date; remaining: number }>({
      text: 'SELECT reset_at, remaining FROM xpost.rate_limits WHERE subject = $1',
      values: [target.account_id],
    });
    // Due again just after X's reset (the margin keeps the next try out of the window's last second).
    expect(limits.rows[0]).toMatchObject({ remaining: 0 });
    expect(row.run_at.getTime() - limits.rows[0]!.reset_at.getTime()).toBe(RESET_MARGIN_MS);
    // Another target of the account waits for the reset without calling X.
    const other = await insertTarget([unique('other')], target.account_id);
    expect((await publishTarget(deps(), other.id)).outcome).toBe('requeued');
    expect(emu.requestCounts()['POST /2/tweets']).toBe(1);
    advance(row.run_at.getTime() - time);
    expect((await publishTarget(deps(), target.id)).outcome).toBe('published');
    expect(postsOnX()).toHaveLength(1);
  });

  it('429 whose reset has passed by the time it is read: due again at once, not in 15 minutes', async () => {
    const emu = emulator();
    // X's resets are whole seconds: a 429 in the window's last moment names a second already gone.
    emu.faults.add({ endpoint: 'POST /2/tweets', kind: 'rate_limit', times: 1, resetAfterSecs: 0 });
    const target = await insertTarget([unique('edge')]);
    expect((await publishTarget(deps(), target.id)).outcome).toBe('requeued');
    const row = await getTarget(target.id);
    expect(row).toMatchObject({ state: 'queued', error_code: 'rate_limited', failures: 0 });
    // (Up to a second more: the emulator's whole second may have turned since our clock was read.)
    expect(row.run_at.getTime() - time).toBeLessThanOrEqual(RESET_MARGIN_MS + 1_000);
    advance(row.run_at.getTime() - time);
    expect((await publishTarget(deps(), target.id)).outcome).toBe('published');
    expect(postsOnX()).toHaveLength(1);
  });

  it('403 missing scope: failed with the reason, not retried', async () => {
    const emu = emulator();
    const issued = emu.issueToken({ scopes: ['tweet.read', 'users.read'] });
    const account = await insertAccount({ accessToken: issued.access_token });
    const target = await insertTarget([unique('scope')], account.id);
    const result = await publishTarget(deps(), target.id);
    expect(result).toMatchObject({ outcome: 'failed', code: 'missing_scope' });
    const row = await getTarget(target.id);
    expect(row.state).toBe('failed');
    expect(row.error_retryable).toBe(false);
    expect(row.error_detail).toBeTruthy();
    expect(await postState(target.post_id)).toBe('failed');
    expect(postsOnX()).toHaveLength(0);
  });

  it('a worker with another secret key: fails at once with secret_key_mismatch, nothing sent', async () => {
    const account = await insertAccount();
    const target = await insertTarget([unique('other key')], account.id);
    const result = await publishTarget(deps({ box: new SecretBox(randomBytes(32)) }), target.id);
    expect(result).toMatchObject({ outcome: 'failed', code: 'secret_key_mismatch' });
    expect((await getTarget(target.id)).error_detail).toMatch(/same XPOST_SECRET_KEY/);
    expect(postsOnX()).toHaveLength(0);
  });

  it('a refused refresh token: the account needs reconnecting and the target fails with that reason', async () => {
    const account = await insertAccount({ refreshToken: 'not-a-refresh-token', expiresAt: time - 1000 });
    const target = await insertTarget([unique('stale')], account.id);
    const result = await publishTarget(deps(), target.id);
    expect(result).toMatchObject({ outcome: 'failed', code: 'account_needs_reconnect' });
    const acc = await db().query<AccountRow>(accounts.get(account.id));
    expect(acc.rows[0]!.needs_reconnect).toBe(true);
    expect(postsOnX()).toHaveLength(0);
  });

  it('a refresh rotates the pair under the row lock and stores it sealed', async () => {
    const account = await insertAccount({ expiresAt: time - 1000 });
    const before = openTokens(box, account);
    const target = await insertTarget([unique('refresh')], account.id);
    expect((await publishTarget(deps(), target.id)).outcome).toBe('published');
    const acc = (await db().query<AccountRow>(accounts.get(account.id))).rows[0]!;
    const after = openTokens(box, acc);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(Buffer.from(acc.access_token).toString('utf8')).not.toContain(after.accessToken);
  });

  it('a thread of 3 failing at item 2, then a rerun: exactly 3 posts, chained', async () => {
    const emu = emulator();
    let tweets = 0;
    const hook = (url: string, init?: RequestInit) => {
      if (init?.method === 'POST' && url.endsWith('/2/tweets')) {
        tweets += 1;
        if (tweets === 2)
          emu.faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 503, times: 1 });
      }
    };
    const target = await insertTarget([unique('t1'), unique('t2'), unique('t3')]);
    expect((await publishTarget(deps({}, hook), target.id)).outcome).toBe('requeued');
    let row = await getTarget(target.id);
    expect(row.next_item).toBe(1);
    expect(postsOnX()).toHaveLength(1);
    advance(row.run_at.getTime() - time);
    expect((await publishTarget(deps({}, hook), target.id)).outcome).toBe('published');
    row = await getTarget(target.id);
    expect(row.x_post_ids).toHaveLength(3);
    const onX = postsOnX();
    expect(onX).toHaveLength(3);
    expect(new Set(onX.map((p) => p.id))).toEqual(new Set(row.x_post_ids));
    expect(new Set(onX.map((p) => p.conversationId)).size).toBe(1);
  });

  it('a thread longer than the attempt limit: a 5xx at its last item is retried with the first backoff', async () => {
    const emu = emulator();
    let tweets = 0;
    const hook = (url: string, init?: RequestInit) => {
      if (init?.method === 'POST' && url.endsWith('/2/tweets') && ++tweets === 4)
        emu.faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 503, times: 1 });
    };
    const target = await insertTarget([unique('l1'), unique('l2'), unique('l3'), unique('l4')]);
    // Four POSTs are four attempts; only the failed run counts against the limit of 2.
    const d = deps({ maxAttempts: 2, backoffBaseMs: 1_000 }, hook);
    expect((await publishTarget(d, target.id)).outcome).toBe('requeued');
    let row = await getTarget(target.id);
    expect(row).toMatchObject({ state: 'queued', attempts: 4, failures: 1, next_item: 3 });
    expect(row.run_at.getTime() - time).toBe(1_000);
    advance(1_000);
    expect((await publishTarget(d, target.id)).outcome).toBe('published');
    row = await getTarget(target.id);
    expect(row.x_post_ids).toHaveLength(4);
    expect(postsOnX()).toHaveLength(4);
  });

  it('duplicate-content 403 after an earlier attempt of the item: reconciled, not failed', async () => {
    const emu = emulator();
    const text = unique('dup');
    const target = await insertTarget([text]);
    // A dead worker sent it, and a reconciliation that missed it (X lagging) settled it as failed.
    const now = clock.now();
    await db().query(
      targets.claim({
        workerId: 'dead',
        now,
        leaseUntil: new Date(now.getTime() + 60_000),
        targetId: target.id,
      }),
    );
    const recorded = await db().query<PublishAttemptRow>(
      attempts.record({ targetId: target.id, workerId: 'dead', itemIndex: 0, text, now }),
    );
    const sent = await api(emu, 'POST', '/2/tweets', { json: { text } });
    await db().query(
      attempts.finish({ attemptId: recorded.rows[0]!.id, workerId: 'dead', outcome: 'failed', now }),
    );
    advance(61_000);
    const result = await publishTarget(deps(), target.id);
    expect(result).toEqual({ outcome: 'published', xPostIds: [sent.body.data.id] });
    expect(postsOnX()).toHaveLength(1);
    expect((await attemptsOf(target.id)).map((a) => a.outcome)).toEqual(['failed', 'reconciled']);
  });

  it('duplicate-content 403 with no earlier attempt: failed with that reason', async () => {
    const emu = emulator();
    const text = unique('already');
    await api(emu, 'POST', '/2/tweets', { json: { text } });
    const target = await insertTarget([text]);
    const result = await publishTarget(deps(), target.id);
    expect(result).toMatchObject({ outcome: 'failed', code: 'duplicate_content' });
    expect(postsOnX()).toHaveLength(1);
  });

  it('the job handler schedules the job again at the new run_at', async () => {
    const emu = emulator();
    emu.faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 503, times: 1 });
    const target = await insertTarget([unique('job')]);
    const scheduled: { targetId: string; runAt?: Date }[] = [];
    const handler = publishJobHandler(deps(), {
      schedulePublish: async (input) => {
        scheduled.push(input);
        return 'job-2';
      },
    });
    await handler({ targetId: target.id });
    expect(scheduled).toEqual([{ targetId: target.id, runAt: (await getTarget(target.id)).run_at }]);
    advance(scheduled[0]!.runAt!.getTime() - time);
    await handler({ targetId: target.id });
    expect(scheduled).toHaveLength(1);
    expect((await getTarget(target.id)).state).toBe('published');
  });
});

describe('requestItems', () => {
  it('reads items with their media, the reply target, and the first item options', () => {
    const request = {
      version: 1,
      items: [
        { body: 'one', media: [{ id: 'm1', alt: 'first' }, { id: 'm2' }] },
        { body: '', media: [{ id: 'm3' }] },
      ],
      x: {
        reply_to: '111',
        quote: '222',
        poll: { options: ['a', 'b'], duration_minutes: 30 },
        reply_settings: 'verified',
        auto_thread: true,
      },
    };
    expect(requestItems({ body: 'one', request })).toEqual({
      items: [
        { text: 'one', media: [{ id: 'm1', alt: 'first' }, { id: 'm2' }] },
        { text: '', media: [{ id: 'm3' }] },
      ],
      replyTo: '111',
      first: {
        quote: '222',
        poll: { options: ['a', 'b'], duration_minutes: 30 },
        reply_settings: 'verified',
      },
    });
  });

  it('an old stored shape without media or options still reads', () => {
    expect(requestItems({ body: 'hello', request: { items: [{ body: 'hello' }] } })).toEqual({
      items: [{ text: 'hello', media: [] }],
      first: {},
    });
  });
});
