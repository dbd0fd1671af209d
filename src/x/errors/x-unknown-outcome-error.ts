import type { RedactedRequest } from './redact.js';
import { XError, type XErrorInit } from './x-error.js';

export const RECONCILE_HINT =
  'check whether it took effect (for posts: posts.findRecent()) before sending it again';

export interface XUnknownOutcomeErrorInit extends XErrorInit {
  /** The failure behind it: an `XNetworkError`, `XTimeoutError` or a 5xx `XApiError`. */
  cause: XError;
}

/**
 * A write that is not idempotent (`POST /2/tweets`) failed in a way that leaves its result unknown:
 * X may have acted (the connection dropped after sending, the attempt timed out, X answered 5xx).
 * Sending it again could post twice, so the SDK does not; the caller reconciles.
 */
export class XUnknownOutcomeError extends XError {
  override name = 'XUnknownOutcomeError';
  readonly hint = RECONCILE_HINT;
  declare readonly cause: XError;

  constructor(message: string, init: XUnknownOutcomeErrorInit) {
    const { cause } = init;
    super(message, {
      endpoint: cause.endpoint,
      method: cause.method,
      status: cause.status,
      title: cause.title,
      detail: cause.detail,
      type: cause.type,
      rateLimit: cause.rateLimit,
      requestId: cause.requestId,
      ...init,
    });
    // The cause holds only the redacted copy of the request; carry that one.
    if (cause.request && !this.request) (this as { request?: RedactedRequest }).request = cause.request;
  }

  static from(cause: XError): XUnknownOutcomeError {
    const what = cause.endpoint ?? 'the request';
    return new XUnknownOutcomeError(
      `${what}: outcome unknown, X may have acted (${cause.message}); ${RECONCILE_HINT}`,
      { cause },
    );
  }
}
