/**
 * The OAuth 2.0 scopes X knows, each with the words its consent page shows
 * (https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code, REFERENCE §1.7).
 */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = Object.freeze({
  'tweet.read': 'See posts from your timeline, including protected posts and posts in Circles.',
  'tweet.write': 'Post and repost for you.',
  'tweet.moderate.write': 'Hide and unhide replies to your posts.',
  'users.read': 'See any account you can see, including protected accounts.',
  'users.email': 'See the email address of your account.',
  'follows.read': 'See who you follow and who follows you.',
  'follows.write': 'Follow and unfollow accounts for you.',
  'offline.access': 'Stay connected to your account until you revoke access.',
  'space.read': 'See all the Spaces you can see.',
  'mute.read': 'See the accounts you have muted.',
  'mute.write': 'Mute and unmute accounts for you.',
  'like.read': 'See posts you have liked and likes you can see.',
  'like.write': 'Like and unlike posts for you.',
  'list.read': 'See lists, their members and followers, including private lists you created or joined.',
  'list.write': 'Create and manage lists for you.',
  'block.read': 'See the accounts you have blocked.',
  'block.write': 'Block and unblock accounts for you.',
  'bookmark.read': 'See your bookmarks.',
  'bookmark.write': 'Add and remove bookmarks for you.',
  'dm.read': 'See all your direct messages.',
  'dm.write': 'Send and manage direct messages for you.',
  'media.write': 'Upload media, such as images and videos, for you.',
});

export function isKnownScope(scope: string): boolean {
  return Object.hasOwn(SCOPE_DESCRIPTIONS, scope);
}

/**
 * Split a `scope` parameter: space separated (RFC 6749 §3.3), duplicates dropped, order kept. Any run
 * of spaces counts as one, since some clients join with `%20` and others with `+`.
 */
export function parseScopes(scope: string): string[] {
  return [...new Set(scope.split(' ').filter((s) => s.length > 0))];
}
