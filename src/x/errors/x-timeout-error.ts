import { XError, type XErrorInit } from './x-error.js';

export interface XTimeoutErrorInit extends XErrorInit {
  timeoutMs: number;
}

/**
 * One attempt took longer than `timeoutMs`. Whether X acted is unknown (the request may have been
 * sent), so a non-idempotent write that times out becomes `XUnknownOutcomeError`.
 */
export class XTimeoutError extends XError {
  override name = 'XTimeoutError';
  readonly timeoutMs: number;

  constructor(message: string, init: XTimeoutErrorInit) {
    super(message, init);
    this.timeoutMs = init.timeoutMs;
  }
}
