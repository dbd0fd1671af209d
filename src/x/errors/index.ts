export { errorFromResponse } from './error-from-response.js';
export { FORBIDDEN_FIX, forbiddenReason, problemSlug } from './forbidden-reason.js';
export { type RedactedRequest, redactRequest } from './redact.js';
export { XApiError } from './x-api-error.js';
export { XAuthError, type XAuthErrorInit } from './x-auth-error.js';
export { XError, type XErrorInit, type XErrorItem } from './x-error.js';
export { type ForbiddenReason, XForbiddenError, type XForbiddenErrorInit } from './x-forbidden-error.js';
export {
  type MediaErrorCode,
  type MediaProcessingError,
  XMediaError,
  type XMediaErrorInit,
} from './x-media-error.js';
export { XNetworkError, type XNetworkErrorInit } from './x-network-error.js';
export { XRateLimitError, type XRateLimitErrorInit } from './x-rate-limit-error.js';
export { XThreadError, type XThreadErrorInit } from './x-thread-error.js';
export { XTimeoutError, type XTimeoutErrorInit } from './x-timeout-error.js';
export {
  RECONCILE_HINT,
  XUnknownOutcomeError,
  type XUnknownOutcomeErrorInit,
} from './x-unknown-outcome-error.js';
export { type ValidationIssue, type ValidationRule, XValidationError } from './x-validation-error.js';
