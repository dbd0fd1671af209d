import { randomBytes } from 'node:crypto';
import { systemClock } from '../clock.js';
import { oauth1AuthorizationHeader } from '../oauth/oauth1-signature.js';
import type { NowClock } from '../oauth/token-set.js';
import type { XRequest } from '../request/types.js';
import type { AuthProvider } from './types.js';

export interface OAuth1UserAuthOptions {
  /** The app's API Key (consumer key). */
  consumerKey: string;
  consumerSecret: string;
  /** The user's access token and secret. Regenerate them after changing the app's permissions (REFERENCE §2). */
  token: string;
  tokenSecret: string;
  /** Where `oauth_timestamp` comes from; X allows some minutes of skew. */
  clock?: NowClock;
  /** A fresh nonce per request; default 32 hex characters from `crypto.randomBytes`. */
  nonce?: () => string;
  /** `subject()`; default the user id at the start of X's access tokens (`<user id>-…`), else `oauth1`. */
  subject?: string;
}

/**
 * OAuth 1.0a user context (REFERENCE §2): every request signed with HMAC-SHA1 over its method, its URL
 * with the query, and its form parameters. JSON and multipart bodies are not signed (RFC 5849
 * §3.4.1.3). Tokens do not expire, so there is nothing to refresh: a 401 means the credentials are wrong.
 */
export function oauth1UserAuth(options: OAuth1UserAuthOptions): AuthProvider {
  for (const name of ['consumerKey', 'consumerSecret', 'token', 'tokenSecret'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') {
      throw new TypeError(`oauth1UserAuth(): pass ${name} (from the app's "Keys and tokens" page)`);
    }
  }
  const clock = options.clock ?? systemClock;
  const nonce = options.nonce ?? (() => randomBytes(16).toString('hex'));
  const subject = options.subject ?? /^(\d+)-/.exec(options.token)?.[1] ?? 'oauth1';
  return {
    kind: 'oauth1',
    async authorize(request: XRequest, url: URL) {
      const authorization = oauth1AuthorizationHeader({
        method: request.method,
        url,
        ...(request.form ? { form: request.form } : {}),
        consumerKey: options.consumerKey,
        consumerSecret: options.consumerSecret,
        token: options.token,
        tokenSecret: options.tokenSecret,
        nonce: nonce(),
        timestamp: Math.floor(clock.now() / 1000),
      });
      return { authorization };
    },
    subject: () => subject,
  };
}
