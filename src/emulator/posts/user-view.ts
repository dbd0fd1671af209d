import type { EmulatorContext } from '../context.js';
import type { EmulatorUser } from '../state/types.js';
import type { UserField } from './fields.js';

/** X's default avatar, which new accounts show until they upload one. */
export const DEFAULT_PROFILE_IMAGE_URL =
  'https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png';

/**
 * A user as `GET /2/users/me` returns it (REFERENCE §3.4): `id`, `name` and `username` always, the
 * rest on request through `user.fields`. Fields the emulator has no data for are left out, as X
 * leaves out empty ones.
 */
export function userView(
  ctx: EmulatorContext,
  user: EmulatorUser,
  fields: ReadonlySet<UserField>,
): Record<string, unknown> {
  const view: Record<string, unknown> = { id: user.id, name: user.name, username: user.username };
  const has = (field: UserField) => fields.has(field);
  if (has('created_at')) view.created_at = new Date(user.createdAt).toISOString();
  if (has('description')) view.description = user.description;
  if (has('protected')) view.protected = user.protected;
  // X Premium brings the blue check; verified_type is `blue` for it and `none` otherwise.
  if (has('verified')) view.verified = user.premium;
  if (has('verified_type')) view.verified_type = user.premium ? 'blue' : 'none';
  if (has('subscription_type')) view.subscription_type = user.premium ? 'Premium' : 'None';
  if (has('profile_image_url')) view.profile_image_url = DEFAULT_PROFILE_IMAGE_URL;
  const posts = has('public_metrics') || has('most_recent_tweet_id') ? ctx.store.postsByAuthor(user.id) : [];
  if (has('public_metrics')) {
    view.public_metrics = {
      followers_count: 0,
      following_count: 0,
      tweet_count: posts.length,
      listed_count: 0,
      like_count: 0,
      media_count: posts.filter((p) => p.mediaIds.length > 0).length,
    };
  }
  if (has('most_recent_tweet_id') && posts[0]) view.most_recent_tweet_id = posts[0].id;
  return view;
}
