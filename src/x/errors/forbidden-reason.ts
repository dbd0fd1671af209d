import type { ForbiddenReason } from './x-forbidden-error.js';

/**
 * X's problem `type` URIs end in a slug; live responses use the api.twitter.com prefix, spec v2.167
 * the api.x.com one (REFERENCE §5.1), so only the slug is compared.
 */
export function problemSlug(type: string | undefined): string | undefined {
  const match = /^https:\/\/api\.(?:twitter|x)\.com\/2\/problems\/([a-z0-9-]+)$/.exec(type ?? '');
  return match?.[1];
}

/** What the body of a 402/403 says, in our words. Exact strings: REFERENCE §5.2 and §3.1. */
export function forbiddenReason(status: number, body: Record<string, unknown>): ForbiddenReason {
  const detail = typeof body.detail === 'string' ? body.detail : '';
  const title = typeof body.title === 'string' ? body.title : '';
  const slug = problemSlug(typeof body.type === 'string' ? body.type : undefined);
  if (status === 402 || title === 'CreditsDepleted' || slug === 'credits') return 'credits-depleted';
  if (slug === 'unsupported-authentication') return 'unsupported-authentication';
  if (slug === 'oauth1-permissions') return 'oauth1-permissions';
  if (body.reason === 'client-not-enrolled' || slug === 'client-forbidden') return 'client-not-enrolled';
  if (/duplicate content/i.test(detail)) return 'duplicate-content';
  if (/^Reply to this conversation is not allowed/i.test(detail)) return 'reply-not-allowed';
  if (/^Quoting this (post|tweet) is not allowed/i.test(detail)) return 'quote-not-allowed';
  if (/not allowed to post a video longer than/i.test(detail)) return 'video-too-long';
  // X says only "Forbidden" when an OAuth 2.0 token lacks a scope ([S26][S43]): the likeliest cause.
  if (detail === 'Forbidden' && (title === 'Forbidden' || title === '')) return 'missing-scope';
  return 'forbidden';
}

/** What to do about each reason: the last clause of the error message. */
export const FORBIDDEN_FIX: Record<ForbiddenReason, string> = {
  'duplicate-content':
    'X refuses identical text from the same account; change the text, or treat it as already posted',
  'missing-scope':
    'the token probably lacks a scope (tweet.write, media.write, users.read, offline.access); log in again granting them',
  'client-not-enrolled':
    'attach the app to a Project in the developer portal (console.x.com) and use its keys',
  'oauth1-permissions':
    'set the app to "Read and write" in the developer portal, then regenerate the OAuth 1.0a access token',
  'unsupported-authentication':
    'this endpoint needs user context: use an OAuth 2.0 user token or OAuth 1.0a, not an app-only bearer token',
  'reply-not-allowed':
    'self-serve accounts may reply only where the author mentioned or engaged them; post without the reply',
  'quote-not-allowed': 'quote posts need an Enterprise plan or to be summoned; post the link instead',
  'credits-depleted': 'buy credits or raise the spending limit at console.x.com',
  'video-too-long': 'trim the video to the length this account may post',
  forbidden: 'the account or app may not do this',
};
