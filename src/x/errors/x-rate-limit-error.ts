import type { RateLimitKind } from '../plugins/rate-limit/types.js';
import { XError, type XErrorInit } from './x-error.js';

export interface XRateLimitErrorInit extends XErrorInit {
  resetAt?: number;
  limit?: RateLimitKind;
}

/**
 * X answered 429, or the client knew the limit was spent and did not send. `resetAt` (epoch ms) is
 * when the blocking limit resets; `limit` says which one (`window` = `x-rate-limit-*`, `user24h`,
 * `app24h`).
 */
export class XRateLimitError extends XError {
  override name = 'XRateLimitError';
  declare readonly resetAt?: number;
  declare readonly limit?: RateLimitKind;

  constructor(message: string, init: XRateLimitErrorInit) {
    super(message, init);
    if (init.resetAt !== undefined) this.resetAt = init.resetAt;
    if (init.limit !== undefined) this.limit = init.limit;
  }
}
