import { XError, type XErrorInit } from './x-error.js';

/** Why X refused (REFERENCE §5.2), recognised from its `detail`, `type` and `reason`. */
export type ForbiddenReason =
  | 'duplicate-content'
  | 'missing-scope'
  | 'client-not-enrolled'
  | 'oauth1-permissions'
  | 'unsupported-authentication'
  | 'reply-not-allowed'
  | 'quote-not-allowed'
  | 'credits-depleted'
  | 'video-too-long'
  | 'forbidden';

export interface XForbiddenErrorInit extends XErrorInit {
  reason: ForbiddenReason;
}

/**
 * X understood the request and refused it (403; 402 for `credits-depleted`). Resending the same
 * request will not help; `reason` says what would.
 */
export class XForbiddenError extends XError {
  override name = 'XForbiddenError';
  readonly reason: ForbiddenReason;

  constructor(message: string, init: XForbiddenErrorInit) {
    super(message, init);
    this.reason = init.reason;
  }
}
