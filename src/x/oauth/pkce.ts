import { createHash, randomBytes } from 'node:crypto';

/**
 * OAuth 2.0 Authorization Code with PKCE (RFC 7636; REFERENCE §1.2). Every secret here comes from
 * `crypto.randomBytes`, never `Math.random` (a predictable verifier or state defeats the point).
 */

/** Where X's consent page lives (REFERENCE §1.1); the emulator serves the same path. */
export const DEFAULT_AUTHORIZE_URL = 'https://x.com/i/oauth2/authorize';

/** What a posting client needs (REFERENCE §1.7); `offline.access` is what brings a refresh token. */
export const DEFAULT_SCOPES: readonly string[] = [
  'tweet.read',
  'tweet.write',
  'users.read',
  'offline.access',
  'media.write',
];

/** 64 random bytes → 86 base64url characters, inside RFC 7636 §4.1's 43–128 with room to spare. */
const VERIFIER_BYTES = 64;
/** 32 random bytes → 43 characters; X allows a state of up to 500 (REFERENCE §1.2). */
const STATE_BYTES = 32;

/** A fresh `code_verifier`: base64url characters are all in RFC 7636's unreserved set. */
export function generateCodeVerifier(): string {
  return randomBytes(VERIFIER_BYTES).toString('base64url');
}

/** `BASE64URL(SHA256(verifier))` (RFC 7636 §4.2, method S256). */
export function codeChallengeS256(codeVerifier: string): string {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(codeVerifier)) {
    throw new RangeError(
      'codeChallengeS256(verifier): a PKCE verifier is 43–128 unreserved characters (RFC 7636 §4.1)',
    );
  }
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

/** A fresh `state`: the CSRF token checked by `parseCallback()`. */
export function generateState(): string {
  return randomBytes(STATE_BYTES).toString('base64url');
}

export interface AuthorizeUrlOptions {
  clientId: string;
  /** Must match one of the app's registered callback URLs exactly. */
  redirectUri: string;
  scopes?: readonly string[];
  state: string;
  codeChallenge: string;
  authorizeBase?: string;
}

/** The consent-page URL to open in the user's browser (REFERENCE §1.2). */
export function buildAuthorizeUrl(options: AuthorizeUrlOptions): URL {
  const { clientId, redirectUri, state, codeChallenge } = options;
  const scopes = options.scopes ?? DEFAULT_SCOPES;
  if (!clientId) throw new TypeError("buildAuthorizeUrl(): pass clientId (the app's OAuth 2.0 Client ID)");
  if (!redirectUri)
    throw new TypeError('buildAuthorizeUrl(): pass redirectUri (a callback URL registered for the app)');
  if (scopes.length === 0) throw new TypeError('buildAuthorizeUrl(): pass at least one scope');
  if (state.length === 0 || state.length > 500) {
    throw new RangeError('buildAuthorizeUrl(): state must be 1–500 characters (REFERENCE §1.2)');
  }
  const url = new URL(options.authorizeBase ?? DEFAULT_AUTHORIZE_URL);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', scopes.join(' '));
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  // URLSearchParams writes spaces as '+'; X's docs show %20 (REFERENCE §1.2), which every server reads.
  url.search = url.search.replace(/\+/g, '%20');
  return url;
}

export interface StartAuthorizationOptions {
  clientId: string;
  redirectUri: string;
  scopes?: readonly string[];
  authorizeBase?: string;
}

export interface PendingAuthorization {
  /** Open this in the user's browser. */
  url: URL;
  /** Keep it to check the callback (`parseCallback`). */
  state: string;
  /** Keep it secret until the code exchange (`exchangeCode`). */
  codeVerifier: string;
}

/** Everything the first leg of a login needs: a fresh verifier, its challenge, a state and the URL. */
export function startAuthorization(options: StartAuthorizationOptions): PendingAuthorization {
  const codeVerifier = generateCodeVerifier();
  const state = generateState();
  const url = buildAuthorizeUrl({ ...options, state, codeChallenge: codeChallengeS256(codeVerifier) });
  return { url, state, codeVerifier };
}
