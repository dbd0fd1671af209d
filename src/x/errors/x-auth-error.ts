import { XError, type XErrorInit } from './x-error.js';

export interface XAuthErrorInit extends XErrorInit {
  /**
   * What was refused, for code to branch on. The OAuth helpers set their own precise codes
   * (`TOKEN_ERROR_CODES` and `CALLBACK_ERROR_CODES` in `oauth/`: `invalid_refresh_token`,
   * `invalid_authorization_code`, `login_required`, `state_mismatch`, …); otherwise it is the token
   * endpoint's raw `error` (`invalid_request`, `invalid_grant`, `unauthorized_client`, …).
   */
  code?: string;
}

/**
 * The credentials were refused: a 401 from X, or the token endpoint rejected a code or refresh token
 * (REFERENCE §1.5). The fix is almost always to log in again.
 */
export class XAuthError extends XError {
  override name = 'XAuthError';
  declare readonly code?: string;

  constructor(message: string, init: XAuthErrorInit = {}) {
    super(message, init);
    if (init.code !== undefined) this.code = init.code;
  }
}
