/**
 * A post's address on x.com. `x.com/i/status/<id>` opens any post without knowing its author; with
 * the username the link is the one people share.
 */
export function postUrl(id: string, username?: string): string {
  return username ? `https://x.com/${username}/status/${id}` : `https://x.com/i/status/${id}`;
}

/** The account's @username when its settings record one (without asking X: that costs a request). */
export function knownUsername(settings: object): string | undefined {
  const username = (settings as { username?: unknown }).username;
  return typeof username === 'string' && /^[A-Za-z0-9_]{1,15}$/.test(username) ? username : undefined;
}
