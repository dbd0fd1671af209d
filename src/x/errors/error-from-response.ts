import { limitBehind429 } from '../plugins/rate-limit/exhausted.js';
import { parseRateLimitHeaders } from '../plugins/rate-limit/parse-headers.js';
import type { RateLimitInfo } from '../plugins/rate-limit/types.js';
import type { XRawResponse } from '../request/types.js';
import { FORBIDDEN_FIX, forbiddenReason } from './forbidden-reason.js';
import { XApiError } from './x-api-error.js';
import { XAuthError } from './x-auth-error.js';
import type { XError, XErrorInit, XErrorItem } from './x-error.js';
import { XForbiddenError } from './x-forbidden-error.js';
import { XRateLimitError } from './x-rate-limit-error.js';

/**
 * The one place a failed answer becomes an error (stripe-node's `generate`): the class from the
 * status, the reason from the body (REFERENCE §5), the rate limit and request id from the headers.
 * Handles v2 problem bodies, the token endpoint's `{error, error_description}` (§1.5) and v1.1
 * `{errors:[{code,message}]}` bodies.
 */
export function errorFromResponse(raw: XRawResponse, rateLimit?: RateLimitInfo, now = Date.now()): XError {
  const body = isObject(raw.body) ? raw.body : {};
  const info = rateLimit ?? parseRateLimitHeaders(raw.headers);
  const errors = parseErrors(body.errors);
  const title = str(body.title);
  const detail = str(body.detail);
  const init: XErrorInit = {
    request: raw.request,
    status: raw.status,
    title,
    detail:
      detail ?? errors?.[0]?.message ?? (typeof raw.body === 'string' ? raw.body.slice(0, 200) : undefined),
    type: str(body.type),
    errors,
    rateLimit: info,
    requestId: raw.headers.get('x-transaction-id') ?? raw.headers.get('x-request-id') ?? undefined,
    body: raw.body,
  };
  const { status } = raw;
  const head = `${raw.request.endpoint} failed with ${status}${title ? ` ${title}` : ''}`;
  const said = init.detail && init.detail !== title ? `: ${init.detail}` : '';

  const oauthError = str(body.error);
  if (oauthError) {
    const description = str(body.error_description);
    const fix = /^Missing required parameter/i.test(description ?? '')
      ? 'check the client id and secret the client is configured with'
      : oauthError === 'unauthorized_client' || oauthError === 'invalid_client'
        ? 'check the client id and secret (confidential clients need the secret)'
        : 'log in again (xpost login) to get new tokens';
    const message = `${head}: ${description ?? oauthError} (${oauthError}); ${fix}`;
    if (status === 400 || status === 401) {
      return new XAuthError(message, { ...init, detail: description ?? init.detail, code: oauthError });
    }
    return new XApiError(message, { ...init, detail: description ?? init.detail });
  }

  if (status === 401) {
    return new XAuthError(
      `${head}${said}; the access token is invalid, expired or revoked: log in again (xpost login)`,
      init,
    );
  }
  if (status === 402 || status === 403) {
    const reason = forbiddenReason(status, body);
    return new XForbiddenError(`${head}${said}; ${FORBIDDEN_FIX[reason]}`, { ...init, reason });
  }
  if (status === 429) {
    const blocking = limitBehind429(info, now);
    const when = blocking
      ? `the ${LIMIT_NAMES[blocking.kind]} resets at ${new Date(blocking.resetAt).toISOString()}`
      : 'X did not say when the limit resets';
    return new XRateLimitError(`${head}${said}; ${when}: wait until then, or send fewer requests`, {
      ...init,
      ...(blocking ? { resetAt: blocking.resetAt, limit: blocking.kind } : {}),
    });
  }
  const fix =
    status >= 500
      ? 'X had a server problem; try again later'
      : status === 404
        ? 'check the id or path'
        : status === 400
          ? 'fix the request as X describes'
          : 'see X’s detail';
  return new XApiError(`${head}${said}; ${fix}`, init);
}

const LIMIT_NAMES = { window: 'endpoint window', user24h: "user's 24-hour cap", app24h: "app's 24-hour cap" };

function parseErrors(value: unknown): XErrorItem[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items = value.filter(isObject).map((item) => {
    const message = str(item.message) ?? str(item.detail) ?? str(item.title) ?? 'unknown error';
    return { ...item, message } as XErrorItem;
  });
  return items.length > 0 ? items : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
