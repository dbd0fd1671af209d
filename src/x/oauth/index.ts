export { CALLBACK_ERROR_CODES, parseCallback } from './authorization-callback.js';
export { applyClientAuth, basicCredentials, clientAuthPlugin } from './client-auth.js';
export { type OAuth1SigningInput, oauth1AuthorizationHeader } from './oauth1-signature.js';
export {
  type AuthorizeUrlOptions,
  buildAuthorizeUrl,
  codeChallengeS256,
  DEFAULT_AUTHORIZE_URL,
  DEFAULT_SCOPES,
  generateCodeVerifier,
  generateState,
  type PendingAuthorization,
  type StartAuthorizationOptions,
  startAuthorization,
} from './pkce.js';
export {
  type ExchangeCodeOptions,
  exchangeCode,
  type OAuthClientOptions,
  type RefreshTokenOptions,
  type RevokeTokenOptions,
  refreshToken,
  revokeToken,
} from './token-client.js';
export { TOKEN_ERROR_CODES } from './token-errors.js';
export type { NowClock, TokenSet } from './token-set.js';
