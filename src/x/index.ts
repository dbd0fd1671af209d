/**
 * `xpost`: the SDK. A typed client for the X API v2 that gets the hard parts right.
 *
 *   import { XClient, staticBearer } from 'xpost';
 *   const x = new XClient({ auth: staticBearer(token) });
 *   await x.posts.create({ text: 'hello' });
 *
 * The public surface is chosen here on purpose (client, auth providers, the error hierarchy rooted at
 * XError, endpoint classes and types, rate-limit types, the pure retry policy, raw request types for
 * endpoints not wrapped yet, text counting, OAuth 1.0a primitives); internals stay importable by path.
 */
export * from './auth/index.js';
export { XClient, type XClientCore, type XResponse } from './client.js';
export { type Clock, systemClock } from './clock.js';
export {
  PostsApi,
  type PostsApiOptions,
  sameSentText,
  UsersApi,
  type ValidatePostOptions,
  validatePost,
} from './endpoints/index.js';
export {
  errorFromResponse,
  type ForbiddenReason,
  type MediaErrorCode,
  type MediaProcessingError,
  type ValidationIssue,
  type ValidationRule,
  XApiError,
  XAuthError,
  XError,
  type XErrorItem,
  XForbiddenError,
  XMediaError,
  XNetworkError,
  XRateLimitError,
  XThreadError,
  XTimeoutError,
  XUnknownOutcomeError,
  XValidationError,
} from './errors/index.js';
export * from './media/index.js';
export * from './oauth/index.js';
export { hmacSha1Signature, percentEncode, signatureBaseString } from './oauth/oauth1-signature.js';
export { DEFAULT_API_BASE, type XClientOptions, type XClientSettings } from './options.js';
export type {
  OnRateLimit,
  RateLimitEntry,
  RateLimitInfo,
  RateLimitReader,
  RateLimitWindow,
} from './plugins/rate-limit/index.js';
export { parseRateLimitHeaders } from './plugins/rate-limit/index.js';
export { retryDelay, shouldRetry } from './plugins/retry/policy.js';
export type { HttpMethod, RequestAuth, XRawResponse, XRequest } from './request/types.js';
export * from './text/index.js';
export * from './types/index.js';
