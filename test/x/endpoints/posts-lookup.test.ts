import { describe, expect, it } from 'vitest';
import { XForbiddenError, XValidationError } from '../../../src/x/errors/index.js';
import { useEmulator } from '../../helpers/emulator.js';
import { endpoints } from './clients.js';

describe('PostsApi.delete and PostsApi.get', () => {
  const emu = useEmulator();

  it('gets a post camelCased, with the fields asked for', async () => {
    const { posts } = endpoints(emu());
    const root = await posts.create({ text: 'root' });
    const reply = await posts.create({ text: 'reply https://example.com', reply: { inReplyTo: root.id } });
    const post = await posts.get(reply.id, {
      fields: [
        'created_at',
        'author_id',
        'conversation_id',
        'referenced_tweets',
        'entities',
        'public_metrics',
      ],
    });
    expect(post).toMatchObject({
      id: reply.id,
      text: reply.text,
      editHistoryTweetIds: [reply.id],
      authorId: emu().user.id,
      conversationId: root.id,
      referencedTweets: [{ type: 'replied_to', id: root.id }],
      entities: {
        urls: [{ expandedUrl: 'https://example.com', url: expect.stringMatching(/^https:\/\/t\.co\//) }],
      },
      publicMetrics: { replyCount: 0, likeCount: 0 },
    });
    expect(new Date(post!.createdAt!).getTime()).toBe(emu().store.posts.get(reply.id)!.createdAt);
    expect(decodeURIComponent(emu().requests('GET /2/tweets/:id')[0]!.url)).toContain(
      'tweet.fields=created_at,author_id,conversation_id,referenced_tweets,entities,public_metrics',
    );
  });

  it('deletes a post: true, then false for one already gone; get answers null for it', async () => {
    const { posts } = endpoints(emu());
    const { id } = await posts.create({ text: 'short-lived' });
    expect(await posts.delete(id)).toBe(true);
    expect(await posts.delete(id)).toBe(false);
    expect(await posts.get(id)).toBeNull();
    expect(await posts.get('1234567890123456789')).toBeNull();
  });

  it("passes X's refusal to delete someone else's post through", async () => {
    const theirs = await endpoints(emu(), { token: emu().otherUser.accessToken }).posts.create({
      text: 'mine',
    });
    await expect(endpoints(emu()).posts.delete(theirs.id)).rejects.toBeInstanceOf(XForbiddenError);
  });

  it('checks ids before sending', async () => {
    const { posts } = endpoints(emu());
    await expect(posts.get('12/../34')).rejects.toBeInstanceOf(XValidationError);
    await expect(posts.delete('')).rejects.toBeInstanceOf(XValidationError);
    expect(emu().requestCounts()).toEqual({});
  });
});
