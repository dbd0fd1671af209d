import { extractMentions, extractUrls } from '../../x/text/index.js';
import type { EmulatorContext } from '../context.js';
import type { EmulatorUser, PostRecord } from '../state/types.js';
import type { CreatePostBody } from './schemas.js';
import { appendMediaLink, shortenUrls } from './tco.js';
import type { CheckedPost } from './validate-post.js';

/** Posts without `reply_settings` are open to everyone; X reports that as `everyone`. */
const DEFAULT_REPLY_SETTINGS = 'everyone';

/**
 * Store a post that passed every check and return it. The stored text is what X returns: URLs
 * rewritten to t.co links and the media link appended (REFERENCE §3.2).
 */
export function createPost(
  ctx: EmulatorContext,
  author: EmulatorUser,
  clientId: string,
  body: CreatePostBody,
  checked: CheckedPost,
): PostRecord {
  const id = ctx.store.nextId();
  const now = ctx.clock.now();
  let rendered = shortenUrls(checked.text, extractUrls(checked.text));
  if (checked.media.length > 0) {
    const moving = checked.media.some((m) => /video|gif/.test(m.category));
    rendered = appendMediaLink(rendered, {
      username: author.username,
      postId: id,
      kind: moving ? 'video' : 'photo',
    });
  }

  const mentionedUserIds: string[] = [];
  for (const mention of extractMentions(checked.text)) {
    const user = ctx.store.userByUsername(mention.username);
    if (user && !mentionedUserIds.includes(user.id)) mentionedUserIds.push(user.id);
  }

  const previous = checked.editOf?.previous;
  const post: PostRecord = {
    id,
    authorId: author.id,
    text: rendered.text,
    sourceText: checked.text,
    createdAt: now,
    // An edit stays in its conversation; a reply joins its target's; anything else starts one.
    conversationId: previous?.conversationId ?? checked.replyTo?.conversationId ?? id,
    clientId,
    mediaIds: checked.media.map((m) => m.id),
    mediaKeys: checked.media.map((m) => m.mediaKey),
    replySettings: body.reply_settings ?? previous?.replySettings ?? DEFAULT_REPLY_SETTINGS,
    urls: rendered.entities,
    mentionedUserIds,
    request: structuredClone(body) as Record<string, unknown>,
  };
  const replyTo =
    checked.replyTo ??
    (previous?.inReplyToTweetId ? ctx.store.posts.get(previous.inReplyToTweetId) : undefined);
  if (replyTo) {
    post.inReplyToTweetId = replyTo.id;
    post.inReplyToUserId = replyTo.authorId;
  }
  if (checked.quoted) post.quoteTweetId = checked.quoted.id;
  if (body.poll) {
    post.poll = {
      id: ctx.store.nextId(),
      options: [...body.poll.options],
      durationMinutes: body.poll.duration_minutes,
      endsAt: now + body.poll.duration_minutes * 60_000,
    };
  }
  if (body.community_id !== undefined) post.communityId = body.community_id;
  if (body.made_with_ai !== undefined) post.madeWithAi = body.made_with_ai;
  if (body.paid_partnership !== undefined) post.paidPartnership = body.paid_partnership;
  ctx.store.posts.set(id, post);
  return post;
}
