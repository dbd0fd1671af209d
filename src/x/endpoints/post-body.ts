import type { CreatePostBody, CreatePostParams } from '../types/tweets.js';

/**
 * The caller's camelCase params as X's `POST /2/tweets` body (REFERENCE §3.1). Absent fields stay
 * absent: X rejects unknown fields and treats an empty `media` or `reply` object as an error, so
 * nothing is sent that the caller did not ask for.
 */
export function toCreatePostBody(params: CreatePostParams): CreatePostBody {
  const body: CreatePostBody = {};
  if (params.text !== undefined) body.text = params.text;
  if (params.mediaIds !== undefined) {
    body.media = { media_ids: [...params.mediaIds] };
    if (params.taggedUserIds !== undefined) body.media.tagged_user_ids = [...params.taggedUserIds];
  }
  if (params.reply !== undefined) {
    body.reply = { in_reply_to_tweet_id: params.reply.inReplyTo };
    if (params.reply.excludeReplyUserIds !== undefined)
      body.reply.exclude_reply_user_ids = [...params.reply.excludeReplyUserIds];
  }
  if (params.quote !== undefined) body.quote_tweet_id = params.quote;
  if (params.poll !== undefined)
    body.poll = { options: [...params.poll.options], duration_minutes: params.poll.durationMinutes };
  if (params.replySettings !== undefined) body.reply_settings = params.replySettings;
  if (params.communityId !== undefined) body.community_id = params.communityId;
  if (params.shareWithFollowers !== undefined) body.share_with_followers = params.shareWithFollowers;
  if (params.forSuperFollowersOnly !== undefined)
    body.for_super_followers_only = params.forSuperFollowersOnly;
  if (params.madeWithAi !== undefined) body.made_with_ai = params.madeWithAi;
  if (params.paidPartnership !== undefined) body.paid_partnership = params.paidPartnership;
  if (params.placeId !== undefined) body.geo = { place_id: params.placeId };
  if (params.directMessageDeepLink !== undefined)
    body.direct_message_deep_link = params.directMessageDeepLink;
  if (params.cardUri !== undefined) body.card_uri = params.cardUri;
  if (params.nullcast !== undefined) body.nullcast = params.nullcast;
  if (params.editOf !== undefined) body.edit_options = { previous_post_id: params.editOf };
  return body;
}
