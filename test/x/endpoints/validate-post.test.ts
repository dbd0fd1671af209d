import { describe, expect, it } from 'vitest';
import { validatePost } from '../../../src/x/endpoints/validate-post.js';
import type { CreatePostParams } from '../../../src/x/types/tweets.js';

const ID = '1880028106020515840';

function rules(params: CreatePostParams, maxWeightedLength?: number) {
  return validatePost(params, { maxWeightedLength }).map((issue) => [issue.field, issue.rule]);
}

describe('validatePost', () => {
  it('accepts a post that uses every field that may go together', () => {
    expect(
      validatePost({
        text: 'hello https://example.com',
        mediaIds: [ID],
        taggedUserIds: [ID],
        reply: { inReplyTo: ID, excludeReplyUserIds: [ID] },
        replySettings: 'following',
        communityId: ID,
        shareWithFollowers: true,
        forSuperFollowersOnly: false,
        madeWithAi: true,
        paidPartnership: false,
        placeId: 'df51dec6f4ee2b2c',
        directMessageDeepLink: 'https://twitter.com/messages/compose?recipient_id=2244994945',
        nullcast: false,
        editOf: ID,
      }),
    ).toEqual([]);
    expect(validatePost({ text: 'poll', poll: { options: ['a', 'b'], durationMinutes: 5 } })).toEqual([]);
    expect(validatePost({ mediaIds: [ID] })).toEqual([]);
  });

  it('names the weighted length, the limit and the fix', () => {
    const [issue] = validatePost({ text: `${'a'.repeat(290)}你` });
    expect(issue).toEqual({
      field: 'text',
      rule: 'max-weighted-length',
      message:
        'text is 292 weighted characters; the limit is 280 (split it with splitThread, or pass maxWeightedLength: 25000 for an X Premium account)',
    });
    expect(validatePost({ text: 'a'.repeat(281) }, { maxWeightedLength: 25_000 })).toEqual([]);
    expect(rules({ text: 'a'.repeat(25_001) }, 25_000)).toEqual([['text', 'max-weighted-length']]);
    // URLs count 23 whatever their length (REFERENCE §7).
    expect(validatePost({ text: `${'a'.repeat(256)} https://example.com/${'x'.repeat(100)}` })).toEqual([]);
  });

  it('requires text unless there is media, and a poll still needs text', () => {
    expect(rules({})).toEqual([['text', 'required']]);
    expect(rules({ text: '  \n' })).toEqual([['text', 'required']]);
    expect(rules({ poll: { options: ['a', 'b'], durationMinutes: 60 } })).toEqual([['text', 'required']]);
  });

  it('refuses the characters X refuses', () => {
    expect(rules({ text: 'a\uFFFEb' })).toEqual([['text', 'invalid-characters']]);
  });

  it('lists every problem at once', () => {
    const issues = validatePost({
      text: 'x',
      mediaIds: ['1', '2', '3', '4', 'five'],
      taggedUserIds: Array.from({ length: 11 }, (_, i) => String(i + 1)),
      poll: { options: ['only one', 'b'.repeat(26), ''], durationMinutes: 4 },
      quote: '12a',
      replySettings: 'everyone' as never,
      cardUri: 'card://1',
      directMessageDeepLink: 'https://x.com/messages',
      nullcast: 'yes' as never,
      mediaIDs: [ID],
    } as CreatePostParams);
    expect(issues.map((i) => [i.field, i.rule])).toEqual([
      ['mediaIDs', 'unknown-field'],
      ['mediaIds', 'max-items'],
      ['mediaIds[4]', 'id-format'],
      ['taggedUserIds', 'max-items'],
      ['quote', 'id-format'],
      ['poll.options[1]', 'length'],
      ['poll.options[2]', 'length'],
      ['poll.durationMinutes', 'range'],
      ['replySettings', 'enum'],
      ['nullcast', 'type'],
      ['mediaIds, poll', 'exclusive'],
      ['mediaIds, quote', 'exclusive'],
      ['mediaIds, cardUri', 'exclusive'],
      ['poll, quote', 'exclusive'],
      ['poll, cardUri', 'exclusive'],
      ['quote, cardUri', 'exclusive'],
      ['cardUri, directMessageDeepLink', 'exclusive'],
    ]);
    expect(issues.find((i) => i.field === 'poll.durationMinutes')?.message).toBe(
      'poll.durationMinutes is 4; it is a whole number of minutes from 5 to 10080 (7 days)',
    );
  });

  it.each([
    [{ text: 'x', mediaIds: [] }, 'mediaIds', 'min-items'],
    [{ text: 'x', poll: { options: ['a'], durationMinutes: 60 } }, 'poll.options', 'min-items'],
    [
      { text: 'x', poll: { options: ['a', 'b', 'c', 'd', 'e'], durationMinutes: 60 } },
      'poll.options',
      'max-items',
    ],
    [{ text: 'x', poll: { options: ['a', 'b'], durationMinutes: 10_081 } }, 'poll.durationMinutes', 'range'],
    [{ text: 'x', poll: { options: ['a', 'b'], durationMinutes: 60.5 } }, 'poll.durationMinutes', 'range'],
    [{ text: 'x', reply: { inReplyTo: '' } }, 'reply.inReplyTo', 'id-format'],
    [{ text: 'x', reply: { inReplyTo: '12345678901234567890' } }, 'reply.inReplyTo', 'id-format'],
    [{ text: 'x', editOf: 'abc' }, 'editOf', 'id-format'],
    [{ text: 'x', communityId: '1.5' }, 'communityId', 'id-format'],
    [{ text: 'x', taggedUserIds: [ID] }, 'taggedUserIds', 'depends-on'],
    [{ text: 'x', placeId: '' }, 'placeId', 'type'],
  ] as Array<[CreatePostParams, string, string]>)('%o → %s %s', (params, field, rule) => {
    expect(rules(params)).toEqual([[field, rule]]);
  });

  it('counts poll options in characters, as X schema does', () => {
    expect(
      validatePost({ text: 'x', poll: { options: ['😀'.repeat(25), 'b'], durationMinutes: 60 } }),
    ).toEqual([]);
  });
});
