import { extractCashtags, extractMentions } from '../../x/text/index.js';
import type { EmulatorContext } from '../context.js';
import type { PostRecord } from '../state/types.js';
import { EDIT_WINDOW_MS, editHistory, MAX_EDITS } from './edits.js';
import type { PostFieldSelection, TweetField } from './fields.js';
import { codePointLength } from './tco.js';
import { userView } from './user-view.js';

/**
 * A post as X's v2 lookups return it: `id`, `text` and `edit_history_tweet_ids` always, the rest on
 * request through `tweet.fields`; absent values (no reply, no media) are left out as X does.
 */
export function postView(
  ctx: EmulatorContext,
  post: PostRecord,
  fields: ReadonlySet<TweetField>,
): Record<string, unknown> {
  const history = editHistory(ctx.store, post);
  const view: Record<string, unknown> = { id: post.id, text: post.text, edit_history_tweet_ids: history };
  const has = (field: TweetField) => fields.has(field);
  if (has('created_at')) view.created_at = new Date(post.createdAt).toISOString();
  if (has('author_id')) view.author_id = post.authorId;
  if (has('conversation_id')) view.conversation_id = post.conversationId;
  if (has('in_reply_to_user_id') && post.inReplyToUserId) view.in_reply_to_user_id = post.inReplyToUserId;
  if (has('referenced_tweets')) {
    const refs = referencedTweets(post);
    if (refs.length > 0) view.referenced_tweets = refs;
  }
  if (has('attachments')) {
    const attachments: Record<string, string[]> = {};
    if (post.mediaKeys.length > 0) attachments.media_keys = [...post.mediaKeys];
    if (post.poll) attachments.poll_ids = [post.poll.id];
    if (Object.keys(attachments).length > 0) view.attachments = attachments;
  }
  if (has('entities')) {
    const entities = postEntities(ctx, post);
    if (Object.keys(entities).length > 0) view.entities = entities;
  }
  if (has('reply_settings')) view.reply_settings = post.replySettings;
  if (has('edit_controls')) {
    const original = ctx.store.posts.get(history[0]!) ?? post;
    view.edit_controls = {
      edits_remaining: Math.max(0, MAX_EDITS - (history.length - 1)),
      is_edit_eligible: post.poll === undefined,
      editable_until: new Date(original.createdAt + EDIT_WINDOW_MS).toISOString(),
    };
  }
  if (has('public_metrics')) view.public_metrics = publicMetrics(ctx, post);
  if (has('possibly_sensitive')) view.possibly_sensitive = false;
  // The emulator detects no language; `zxx` is X's tag for "no linguistic content" (a media-only post).
  if (has('lang')) view.lang = post.sourceText.trim() === '' ? 'zxx' : 'en';
  if (has('display_text_range')) view.display_text_range = [0, displayEnd(post)];
  if (has('community_id') && post.communityId) view.community_id = post.communityId;
  if (has('paid_partnership') && post.paidPartnership !== undefined)
    view.paid_partnership = post.paidPartnership;
  if (has('card_uri') && typeof post.request.card_uri === 'string') view.card_uri = post.request.card_uri;
  if (has('geo') && post.request.geo)
    view.geo = { place_id: (post.request.geo as { place_id: string }).place_id };
  return view;
}

function referencedTweets(post: PostRecord): Array<{ type: string; id: string }> {
  const refs: Array<{ type: string; id: string }> = [];
  if (post.inReplyToTweetId) refs.push({ type: 'replied_to', id: post.inReplyToTweetId });
  if (post.quoteTweetId) refs.push({ type: 'quoted', id: post.quoteTweetId });
  return refs;
}

/** Where the text ends before X's appended media link. */
function displayEnd(post: PostRecord): number {
  const media = post.mediaKeys.length > 0 ? post.urls[post.urls.length - 1] : undefined;
  return media ? Math.max(0, media.start - (media.start > 0 ? 1 : 0)) : codePointLength(post.text);
}

/** UTF-16 index → code point index: the text extractors count UTF-16 units, v2 entities code points. */
function toCodePoints(text: string, utf16Index: number): number {
  return codePointLength(text.slice(0, utf16Index));
}

function postEntities(ctx: EmulatorContext, post: PostRecord): Record<string, unknown[]> {
  const entities: Record<string, unknown[]> = {};
  if (post.urls.length > 0) {
    entities.urls = post.urls.map((u, i) => {
      const isMediaLink = post.mediaKeys.length > 0 && i === post.urls.length - 1;
      return isMediaLink ? { ...u, media_key: post.mediaKeys[0] } : { ...u };
    });
  }
  const mentions = extractMentions(post.text).map((m) => {
    const user = ctx.store.userByUsername(m.username);
    return {
      start: toCodePoints(post.text, m.start),
      end: toCodePoints(post.text, m.end),
      username: m.username,
      ...(user ? { id: user.id } : {}),
    };
  });
  if (mentions.length > 0) entities.mentions = mentions;
  const cashtags = extractCashtags(post.text).map((c) => ({
    start: toCodePoints(post.text, c.start),
    end: toCodePoints(post.text, c.end),
    tag: c.cashtag,
  }));
  if (cashtags.length > 0) entities.cashtags = cashtags;
  return entities;
}

function publicMetrics(ctx: EmulatorContext, post: PostRecord): Record<string, number> {
  let replies = 0;
  let quotes = 0;
  for (const other of ctx.store.posts.values()) {
    if (other.deletedAt !== undefined) continue;
    if (other.inReplyToTweetId === post.id) replies++;
    if (other.quoteTweetId === post.id) quotes++;
  }
  return {
    retweet_count: 0,
    reply_count: replies,
    like_count: 0,
    quote_count: quotes,
    bookmark_count: 0,
    impression_count: 0,
  };
}

/** `includes` for the requested expansions, or undefined when nothing was expanded. */
export function postIncludes(
  ctx: EmulatorContext,
  posts: PostRecord[],
  selection: PostFieldSelection,
): Record<string, unknown[]> | undefined {
  const ex = selection.expansions;
  const userIds = new Set<string>();
  const tweetIds = new Set<string>();
  const media: unknown[] = [];
  const polls: unknown[] = [];
  for (const post of posts) {
    if (ex.has('author_id')) userIds.add(post.authorId);
    if (ex.has('in_reply_to_user_id') && post.inReplyToUserId) userIds.add(post.inReplyToUserId);
    if (ex.has('entities.mentions.username')) for (const id of post.mentionedUserIds) userIds.add(id);
    if (
      ex.has('referenced_tweets.id') ||
      ex.has('referenced_posts') ||
      ex.has('referenced_tweets.id.author_id')
    ) {
      for (const ref of referencedTweets(post)) tweetIds.add(ref.id);
    }
    if (ex.has('edit_history_tweet_ids') || ex.has('edit_history_post_ids')) {
      for (const id of editHistory(ctx.store, post)) if (id !== post.id) tweetIds.add(id);
    }
    if (ex.has('attachments.media_keys')) {
      for (const id of post.mediaIds) {
        const record = ctx.store.media.get(id);
        if (record) media.push(mediaView(record, selection));
      }
    }
    if (ex.has('attachments.poll_ids') && post.poll) polls.push(pollView(ctx, post.poll, selection));
  }
  const tweets = [...tweetIds]
    .map((id) => ctx.store.posts.get(id))
    .filter((p) => p && p.deletedAt === undefined);
  if (ex.has('referenced_tweets.id.author_id')) for (const t of tweets) userIds.add(t!.authorId);
  const users = [...userIds].map((id) => ctx.store.users.get(id)).filter((u) => u !== undefined);
  const includes: Record<string, unknown[]> = {};
  if (users.length > 0) includes.users = users.map((u) => userView(ctx, u, selection.user));
  if (tweets.length > 0) includes.tweets = tweets.map((t) => postView(ctx, t!, selection.tweet));
  if (media.length > 0) includes.media = media;
  if (polls.length > 0) includes.polls = polls;
  return Object.keys(includes).length > 0 ? includes : undefined;
}

function mediaView(
  record: { mediaKey: string; category: string; altText?: string; image?: { w: number; h: number } },
  selection: PostFieldSelection,
): Record<string, unknown> {
  const type = /gif/.test(record.category)
    ? 'animated_gif'
    : /video/.test(record.category)
      ? 'video'
      : 'photo';
  const view: Record<string, unknown> = { media_key: record.mediaKey, type };
  if (selection.media.has('alt_text') && record.altText) view.alt_text = record.altText;
  if (selection.media.has('width') && record.image) view.width = record.image.w;
  if (selection.media.has('height') && record.image) view.height = record.image.h;
  return view;
}

function pollView(
  ctx: EmulatorContext,
  poll: NonNullable<PostRecord['poll']>,
  selection: PostFieldSelection,
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: poll.id,
    options: poll.options.map((label, i) => ({ position: i + 1, label, votes: 0 })),
  };
  if (selection.poll.has('duration_minutes')) view.duration_minutes = poll.durationMinutes;
  if (selection.poll.has('end_datetime')) view.end_datetime = new Date(poll.endsAt).toISOString();
  if (selection.poll.has('voting_status'))
    view.voting_status = ctx.clock.now() < poll.endsAt ? 'open' : 'closed';
  return view;
}
