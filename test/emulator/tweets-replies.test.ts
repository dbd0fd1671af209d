import { describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { api, useEmulator } from '../helpers/emulator.js';

const forbidden = (detail: string) => ({ detail, type: 'about:blank', title: 'Forbidden', status: 403 });
const REPLY_NOT_ALLOWED =
  'Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.';
const QUOTE_NOT_ALLOWED =
  'Quoting this post is not allowed because you have not been mentioned or are not part of the conversation thread of the post you are quoting.';

async function postAs(emu: EmulatorHandle, token: string, json: Record<string, unknown>) {
  return api(emu, 'POST', '/2/tweets', { json, token });
}

describe('POST /2/tweets: self-serve replies', () => {
  const emu = useEmulator();
  const me = () => emu().user.accessToken;
  const friend = () => emu().otherUser.accessToken;
  const reply = (id: string) => ({ in_reply_to_tweet_id: id });

  it('threads onto the caller own posts, keeping the conversation root', async () => {
    const root = await postAs(emu(), me(), { text: 'thread 1/3' });
    const second = await postAs(emu(), me(), { text: 'thread 2/3', reply: reply(root.body.data.id) });
    const third = await postAs(emu(), me(), { text: 'thread 3/3', reply: reply(second.body.data.id) });
    expect(third.status).toBe(201);
    const stored = emu().store.posts.get(third.body.data.id)!;
    expect(stored).toMatchObject({
      conversationId: root.body.data.id,
      inReplyToTweetId: second.body.data.id,
      inReplyToUserId: emu().user.id,
    });
  });

  it('refuses a reply to a post that does not mention or quote the caller', async () => {
    const theirs = await postAs(emu(), friend(), { text: 'just me talking' });
    const res = await postAs(emu(), me(), { text: 'hi!', reply: reply(theirs.body.data.id) });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(forbidden(REPLY_NOT_ALLOWED));
  });

  it('allows a reply when the target @mentions the caller', async () => {
    const theirs = await postAs(emu(), friend(), { text: 'what do you think @SANDBOX?' });
    const res = await postAs(emu(), me(), { text: 'I agree', reply: reply(theirs.body.data.id) });
    expect(res.status).toBe(201);
    expect(emu().store.posts.get(res.body.data.id)!.inReplyToUserId).toBe(emu().otherUser.id);
  });

  it('allows a reply when the target quotes one of the caller posts', async () => {
    const mine = await postAs(emu(), me(), { text: 'original thought, cc @sandbox_friend' });
    const quoting = await postAs(emu(), friend(), { text: 'so true', quote_tweet_id: mine.body.data.id });
    expect(quoting.status).toBe(201);
    expect((await postAs(emu(), me(), { text: 'thanks', reply: reply(quoting.body.data.id) })).status).toBe(
      201,
    );
  });

  it('answers a reply to a missing or deleted post with 403 and X wording', async () => {
    const missing = await postAs(emu(), me(), { text: 'into the void', reply: reply('1234567890123456789') });
    expect(missing.status).toBe(403);
    expect(missing.body).toEqual(
      forbidden('You attempted to reply to a Tweet that is deleted or not visible to you.'),
    );
    const gone = await postAs(emu(), me(), { text: 'soon gone' });
    await api(emu(), 'DELETE', `/2/tweets/${gone.body.data.id}`);
    const res = await postAs(emu(), me(), { text: 'reply to gone', reply: reply(gone.body.data.id) });
    expect(res.body).toEqual(
      forbidden('You attempted to reply to a Tweet that is deleted or not visible to you.'),
    );
  });

  it('refuses quoting a post the caller is not engaged with, and a missing one', async () => {
    const theirs = await postAs(emu(), friend(), { text: 'unrelated' });
    const res = await postAs(emu(), me(), { text: 'look', quote_tweet_id: theirs.body.data.id });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(forbidden(QUOTE_NOT_ALLOWED));
    const missing = await postAs(emu(), me(), { text: 'look 2', quote_tweet_id: '1234567890123456789' });
    expect(missing.body).toEqual(
      forbidden('You attempted to quote a Tweet that is deleted or not visible to you.'),
    );
    const own = await postAs(emu(), me(), { text: 'mine' });
    const quoted = await postAs(emu(), me(), { text: 'quoting myself', quote_tweet_id: own.body.data.id });
    expect(quoted.status).toBe(201);
    expect(emu().store.posts.get(quoted.body.data.id)!.quoteTweetId).toBe(own.body.data.id);
  });
});

describe('POST /2/tweets: open reply and quote rules', () => {
  const emu = useEmulator({ posts: { replies: 'open', quotes: 'open' } });

  it('lets anyone reply to and quote any existing post', async () => {
    const theirs = await postAs(emu(), emu().otherUser.accessToken, { text: 'open to all' });
    const id = theirs.body.data.id;
    const token = emu().user.accessToken;
    expect((await postAs(emu(), token, { text: 'reply', reply: { in_reply_to_tweet_id: id } })).status).toBe(
      201,
    );
    expect((await postAs(emu(), token, { text: 'quote', quote_tweet_id: id })).status).toBe(201);
  });
});

describe('POST /2/tweets: enterprise-only quotes', () => {
  const emu = useEmulator({ posts: { quotes: 'enterprise-only' } });

  it('refuses every quote, even of the caller own post', async () => {
    const mine = await postAs(emu(), emu().user.accessToken, { text: 'mine' });
    const res = await postAs(emu(), emu().user.accessToken, { text: 'q', quote_tweet_id: mine.body.data.id });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(forbidden(QUOTE_NOT_ALLOWED));
  });
});
