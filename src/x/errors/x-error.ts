import type { RateLimitInfo } from '../plugins/rate-limit/types.js';
import type { XRequest } from '../request/types.js';
import { type RedactedRequest, redactRequest } from './redact.js';

/** One entry of X's `errors[]` (validation failures, partial errors, v1.1 bodies). REFERENCE §5.1. */
export interface XErrorItem {
  message: string;
  /** v1.1 numeric code (`88` rate limit, `34` not found). */
  code?: number;
  parameters?: Record<string, unknown>;
  title?: string;
  detail?: string;
  type?: string;
  value?: unknown;
  resource_type?: string;
  resource_id?: string;
  [field: string]: unknown;
}

export interface XErrorInit {
  /** The failed request; only a redacted copy is kept. */
  request?: XRequest;
  endpoint?: string;
  method?: string;
  status?: number;
  title?: string;
  detail?: string;
  type?: string;
  errors?: XErrorItem[];
  rateLimit?: RateLimitInfo;
  requestId?: string;
  /** X's response body, as parsed. Never a credential: bodies that carry tokens are 200s. */
  body?: unknown;
  cause?: unknown;
}

/**
 * The root of every error the SDK throws about X (stripe-node's shape: one base, a factory picks the
 * subclass). It keeps X's own words (`title`, `detail`, `type`, `errors`) and adds what we know:
 * the endpoint, the parsed rate limit, the request id to quote to X support.
 */
export class XError extends Error {
  override name = 'XError';
  declare readonly endpoint?: string;
  declare readonly method?: string;
  declare readonly status?: number;
  declare readonly title?: string;
  declare readonly detail?: string;
  declare readonly type?: string;
  declare readonly errors?: XErrorItem[];
  declare readonly rateLimit?: RateLimitInfo;
  /** `x-transaction-id` / `x-request-id`: quote it when asking X about a failure. */
  declare readonly requestId?: string;
  declare readonly request?: RedactedRequest;
  declare readonly body?: unknown;

  constructor(message: string, init: XErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    const assign = <K extends keyof this>(key: K, value: this[K] | undefined) => {
      if (value !== undefined) (this as Record<K, unknown>)[key] = value;
    };
    assign('endpoint', init.endpoint ?? init.request?.endpoint);
    assign('method', init.method ?? init.request?.method);
    assign('status', init.status);
    assign('title', init.title);
    assign('detail', init.detail);
    assign('type', init.type);
    assign('errors', init.errors);
    assign('rateLimit', init.rateLimit);
    assign('requestId', init.requestId);
    assign('request', init.request ? redactRequest(init.request) : undefined);
    assign('body', init.body);
  }

  /** A plain object for logs and `JSON.stringify` (the stack and the cause chain stay out). */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, message: this.message };
    for (const key of Object.keys(this)) json[key] = (this as Record<string, unknown>)[key];
    return json;
  }
}
