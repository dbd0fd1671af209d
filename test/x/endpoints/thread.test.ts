import { describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../../src/emulator/index.js';
import {
  XForbiddenError,
  XThreadError,
  XUnknownOutcomeError,
  XValidationError,
} from '../../../src/x/errors/index.js';
import { useEmulator } from '../../helpers/emulator.js';
import { endpoints, storedPosts } from './clients.js';

const ITEMS = [
  '1/5 a thread',
  '2/5 with https://example.com/two',
  '3/5 in the middle',
  '4/5 almost',
  '5/5 done',
];

/** The live posts as (text sent, reply target) pairs, oldest first: what X holds. */
function chain(emu: EmulatorHandle) {
  return storedPosts(emu).map((post) => ({
    id: post.id,
    text: post.sourceText,
    inReplyTo: post.inReplyToTweetId,
  }));
}

/** Each post replies to the one before; the first to `root`. */
function expectChain(emu: EmulatorHandle, ids: string[], root?: string) {
  const stored = chain(emu).filter((post) => ITEMS.includes(post.text));
  expect(stored.map((post) => post.text)).toEqual(ITEMS);
  expect(stored.map((post) => post.id)).toEqual(ids);
  expect(stored.map((post) => post.inReplyTo)).toEqual([root, ...ids.slice(0, -1)]);
}

describe('PostsApi.thread', () => {
  const emu = useEmulator();

  it('posts each item as a reply to the one before', async () => {
    const { posts } = endpoints(emu());
    const result = await posts.thread(ITEMS);
    expect(result.ids).toHaveLength(5);
    expect(result.posts.map((p) => [p.index, p.reconciled])).toEqual([0, 1, 2, 3, 4].map((i) => [i, false]));
    expect(result.posts[1]?.text).toMatch(/^2\/5 with https:\/\/t\.co\//);
    expectChain(emu(), result.ids);
  });

  it('starts as a reply to inReplyTo when the first item has one, and keeps items as full posts', async () => {
    const { posts } = endpoints(emu());
    const root = await posts.create({ text: 'an earlier post of mine' });
    const result = await posts.thread([
      { text: ITEMS[0]!, reply: { inReplyTo: root.id } },
      ITEMS[1]!,
      { text: ITEMS[2]!, poll: { options: ['yes', 'no'], durationMinutes: 60 } },
      ITEMS[3]!,
      { text: ITEMS[4]!, replySettings: 'following' },
    ]);
    expectChain(emu(), result.ids, root.id);
    expect(emu().store.posts.get(result.ids[2]!)?.poll?.options).toEqual(['yes', 'no']);
    expect(emu().store.posts.get(result.ids[4]!)?.replySettings).toBe('following');
  });

  it('checks every item before posting any', async () => {
    const { posts } = endpoints(emu());
    const error = await posts
      .thread(['fine', 'also fine', 'x'.repeat(300), { text: 'mine', reply: { inReplyTo: '1' } }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XValidationError);
    expect((error as XValidationError).issues.map((i) => [i.field, i.rule])).toEqual([
      ['items[2].text', 'max-weighted-length'],
      ['items[3].reply.inReplyTo', 'thread-reply'],
    ]);
    expect(emu().requestCounts()['POST /2/tweets'] ?? 0).toBe(0);
  });

  it('stops at a refused item with the ids so far, and resumes from there without reposting', async () => {
    const { posts } = endpoints(emu());
    // 402 CreditsDepleted: X refused for sure, nothing to reconcile.
    emu().faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 402, skip: 2, times: 1 });
    const error = (await posts.thread(ITEMS).catch((e: unknown) => e)) as XThreadError;
    expect(error).toBeInstanceOf(XThreadError);
    expect(error).toMatchObject({ failedIndex: 2, outcomeUnknown: false });
    expect(error.postedIds).toEqual(chain(emu()).map((post) => post.id));
    expect(error.postedIds).toHaveLength(2);
    expect(error.cause).toBeInstanceOf(XForbiddenError);
    expect(error.message).toMatch(/^Thread stopped at items\[2\] of 5 after posting 2: /);

    const result = await posts.thread(ITEMS, { resumeFrom: error.resumeFrom });
    expect(result.ids.slice(0, 2)).toEqual(error.postedIds);
    expect(result.posts.map((p) => p.index)).toEqual([2, 3, 4]);
    expectChain(emu(), result.ids);
  });

  it('a 503 on item 3 is an unknown outcome: it looks, finds nothing, sends again and goes on', async () => {
    const { posts } = endpoints(emu());
    emu().faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 503, skip: 2, times: 1 });
    const result = await posts.thread(ITEMS);
    expectChain(emu(), result.ids);
    expect(result.posts[2]?.reconciled).toBe(false);
    expect(emu().requestCounts()['POST /2/tweets']).toBe(6);
    expect(emu().requestCounts()['GET /2/users/:id/tweets']).toBe(1);
  });

  it('when item 3 stays unknown it stops; resuming checks first, then posts exactly 5 in all', async () => {
    const { posts } = endpoints(emu());
    emu().faults.add({ endpoint: 'POST /2/tweets', kind: 'status', status: 503, skip: 2, times: 3 });
    const error = (await posts.thread(ITEMS).catch((e: unknown) => e)) as XThreadError;
    expect(error).toBeInstanceOf(XThreadError);
    expect(error).toMatchObject({ failedIndex: 2, outcomeUnknown: true });
    expect(error.cause).toBeInstanceOf(XUnknownOutcomeError);
    expect(error.postedIds).toHaveLength(2);

    const result = await posts.thread(ITEMS, { resumeFrom: error.resumeFrom });
    expectChain(emu(), result.ids);
    expect(storedPosts(emu())).toHaveLength(5);
  });

  it('commit_then_drop on item 2: finds the post that landed, records it and goes on without a duplicate', async () => {
    const { posts } = endpoints(emu());
    emu().faults.add({ endpoint: 'POST /2/tweets', kind: 'commit_then_drop', skip: 1, times: 1 });
    const result = await posts.thread(ITEMS);
    expectChain(emu(), result.ids);
    expect(result.posts[1]).toMatchObject({ index: 1, reconciled: true, id: result.ids[1] });
    expect(emu().requestCounts()['POST /2/tweets']).toBe(5);
    expect(storedPosts(emu())).toHaveLength(5);
  });

  it('after an unknown outcome, duplicate content on the resend stops the thread instead of guessing', async () => {
    // Our clock an hour ahead of X's: the search window misses the post that landed, as a lagging
    // timeline would; X's duplicate-content 403 on the resend is the evidence that it landed.
    const { posts } = endpoints(emu(), { now: () => emu().clock.now() + 3_600_000 });
    emu().faults.add({ endpoint: 'POST /2/tweets', kind: 'commit_then_drop', times: 1 });
    const error = (await posts.thread(ITEMS).catch((e: unknown) => e)) as XThreadError;
    expect(error).toBeInstanceOf(XThreadError);
    expect(error).toMatchObject({ failedIndex: 0, outcomeUnknown: true, postedIds: [] });
    expect(error.cause).toMatchObject({ name: 'XForbiddenError', reason: 'duplicate-content' });
    expect(emu().requestCounts()['POST /2/tweets']).toBe(2);
    expect(storedPosts(emu())).toHaveLength(1);
  });

  it('a resumed thread finds an item the failed run posted but never recorded', async () => {
    const { posts } = endpoints(emu());
    // As if a run posted items 0–2 and crashed before it could record item 2's id.
    const first = await posts.create({ text: ITEMS[0]! });
    const second = await posts.create({ text: ITEMS[1]!, reply: { inReplyTo: first.id } });
    const third = await posts.create({ text: ITEMS[2]!, reply: { inReplyTo: second.id } });

    const result = await posts.thread(ITEMS, { resumeFrom: { postedIds: [first.id, second.id] } });
    expect(result.ids[2]).toBe(third.id);
    expect(result.posts[0]).toMatchObject({ index: 2, reconciled: true });
    expectChain(emu(), result.ids);
    expect(emu().requestCounts()['POST /2/tweets']).toBe(5);
  });

  it('a cancelled thread stops before sending', async () => {
    const { posts } = endpoints(emu());
    const error = (await posts
      .thread(ITEMS, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e)) as XThreadError;
    expect(error).toBeInstanceOf(XThreadError);
    expect(error).toMatchObject({ failedIndex: 0, outcomeUnknown: false, postedIds: [] });
    expect(emu().requestCounts()).toEqual({});
  });

  it('a resume with every id posted sends nothing; a resume with too many ids is refused', async () => {
    const { posts } = endpoints(emu());
    const done = await posts.thread(ITEMS);
    const again = await posts.thread(ITEMS, { resumeFrom: { postedIds: done.ids } });
    expect(again).toEqual({ ids: done.ids, posts: [] });
    await expect(posts.thread(ITEMS.slice(0, 2), { resumeFrom: { postedIds: done.ids } })).rejects.toThrow(
      /resumeFrom.postedIds has 5 ids for 2 items/,
    );
    expect(emu().requestCounts()['POST /2/tweets']).toBe(5);
  });
});
