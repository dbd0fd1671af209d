import { XError, type XErrorInit } from './x-error.js';

export interface XNetworkErrorInit extends XErrorInit {
  /**
   * True when the request provably never reached the server (connection refused, DNS failure,
   * connect timeout): safe to resend even when it is not idempotent.
   */
  neverSent: boolean;
  /** The system or undici code behind the failure (`ECONNREFUSED`, `UND_ERR_SOCKET`, …). */
  code?: string;
}

/** The connection failed: no HTTP answer from X. `cause` holds the underlying error. */
export class XNetworkError extends XError {
  override name = 'XNetworkError';
  readonly neverSent: boolean;
  declare readonly code?: string;

  constructor(message: string, init: XNetworkErrorInit) {
    super(message, init);
    this.neverSent = init.neverSent;
    if (init.code !== undefined) this.code = init.code;
  }
}
