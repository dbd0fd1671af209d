import { describe, expect, it } from 'vitest';
import { XForbiddenError, XValidationError } from '../../../src/x/errors/index.js';
import { useEmulator } from '../../helpers/emulator.js';
import { png, uploadChunked } from '../../helpers/media.js';
import { endpoints } from './clients.js';

const TCO = /https:\/\/t\.co\/[A-Za-z0-9]{10}/;

describe('PostsApi.create', () => {
  const emu = useEmulator({ posts: { quotes: 'open' } });

  async function uploadImage(): Promise<string> {
    const res = await uploadChunked(emu(), png(64, 64), 'image/png');
    return res.body.data.id as string;
  }

  it('posts text and answers id, text and edit history', async () => {
    const { posts } = endpoints(emu());
    const created = await posts.create({ text: 'hello from the SDK' });
    expect(created).toEqual({
      id: expect.stringMatching(/^\d{19}$/),
      text: 'hello from the SDK',
      editHistoryTweetIds: [created.id],
    });
    expect(emu().store.posts.get(created.id)?.request).toEqual({ text: 'hello from the SDK' });
  });

  it('sends every field in X snake_case names', async () => {
    const { posts } = endpoints(emu());
    const first = await posts.create({ text: 'the post to answer' });
    const mediaId = await uploadImage();
    const created = await posts.create({
      text: 'with everything https://example.com/page',
      mediaIds: [mediaId],
      taggedUserIds: [emu().otherUser.id],
      reply: { inReplyTo: first.id, excludeReplyUserIds: [emu().otherUser.id] },
      replySettings: 'mentionedUsers',
      communityId: '1146654567674912769',
      shareWithFollowers: true,
      forSuperFollowersOnly: false,
      madeWithAi: true,
      paidPartnership: true,
      placeId: 'df51dec6f4ee2b2c',
      directMessageDeepLink: 'https://twitter.com/messages/compose?recipient_id=2244994945',
      nullcast: false,
    });
    expect(emu().store.posts.get(created.id)?.request).toEqual({
      text: 'with everything https://example.com/page',
      media: { media_ids: [mediaId], tagged_user_ids: [emu().otherUser.id] },
      reply: { in_reply_to_tweet_id: first.id, exclude_reply_user_ids: [emu().otherUser.id] },
      reply_settings: 'mentionedUsers',
      community_id: '1146654567674912769',
      share_with_followers: true,
      for_super_followers_only: false,
      made_with_ai: true,
      paid_partnership: true,
      geo: { place_id: 'df51dec6f4ee2b2c' },
      direct_message_deep_link: 'https://twitter.com/messages/compose?recipient_id=2244994945',
      nullcast: false,
    });
    // X answers with its t.co form of the URL and the media link appended (REFERENCE §3.2).
    expect(created.text).toMatch(new RegExp(`^with everything ${TCO.source} ${TCO.source}$`));
    expect(emu().store.posts.get(created.id)?.inReplyToTweetId).toBe(first.id);
  });

  it('sends a poll, a quote and a card', async () => {
    const { posts } = endpoints(emu());
    const poll = await posts.create({
      text: 'tabs or spaces?',
      poll: { options: ['tabs', 'spaces'], durationMinutes: 60 },
    });
    expect(emu().store.posts.get(poll.id)?.request.poll).toEqual({
      options: ['tabs', 'spaces'],
      duration_minutes: 60,
    });
    const quote = await posts.create({ text: 'quoting myself', quote: poll.id });
    expect(emu().store.posts.get(quote.id)?.quoteTweetId).toBe(poll.id);
    const card = await posts.create({ text: 'a card', cardUri: 'card://1880028106020515840' });
    expect(emu().store.posts.get(card.id)?.request.card_uri).toBe('card://1880028106020515840');
  });

  it('edits a post through editOf, and posts long text for Premium with maxWeightedLength', async () => {
    emu().setPremium(emu().user.id, true);
    const { posts } = endpoints(emu(), { maxWeightedLength: 25_000 });
    const original = await posts.create({ text: 'first version' });
    const edited = await posts.create({ text: 'second version', editOf: original.id });
    expect(edited.editHistoryTweetIds).toEqual([original.id, edited.id]);
    const long = await posts.create({ text: 'long '.repeat(200).trim() });
    expect(emu().store.posts.get(long.id)?.sourceText).toHaveLength(999);
  });

  it('refuses bad params before sending anything, listing every problem', async () => {
    const { posts } = endpoints(emu());
    const error = await posts
      .create({
        text: 'x'.repeat(312),
        mediaIds: ['1', '2', '3', '4', '5'],
        poll: { options: ['a'], durationMinutes: 1 },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XValidationError);
    const issues = (error as XValidationError).issues;
    expect(issues.map((i) => i.rule)).toEqual([
      'max-weighted-length',
      'max-items',
      'min-items',
      'range',
      'exclusive',
    ]);
    expect(issues[0]?.message).toMatch(
      /^text is 312 weighted characters; the limit is 280 \(split it with splitThread/,
    );
    expect((error as XValidationError).endpoint).toBe('POST /2/tweets');
    await expect(posts.create({ text: 'ok', reply: { inReplyTo: 'not-an-id' } })).rejects.toThrow(
      XValidationError,
    );
    expect(emu().requestCounts()['POST /2/tweets'] ?? 0).toBe(0);
  });

  it('passes X refusals through: duplicate content is XForbiddenError duplicate-content', async () => {
    const { posts } = endpoints(emu());
    await posts.create({ text: 'say it once' });
    const error = await posts.create({ text: 'say it once' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XForbiddenError);
    expect(error).toMatchObject({
      reason: 'duplicate-content',
      status: 403,
      detail: 'You are not allowed to create a Tweet with duplicate content.',
    });
  });

  it('passes X refusals through: a reply nobody asked for is reply-not-allowed', async () => {
    const other = endpoints(emu(), { token: emu().otherUser.accessToken });
    const theirs = await other.posts.create({ text: 'a post by someone else' });
    const error = await endpoints(emu())
      .posts.create({ text: 'unsolicited', reply: { inReplyTo: theirs.id } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'XForbiddenError', reason: 'reply-not-allowed' });
  });
});
