import { ApiKeyError } from './auth/api-keys.js';

/**
 * The service's errors, answered as problem+json (RFC 9457) with a stable `code` that clients can
 * switch on: `{ type, title, status, detail, code }`. `type` is `urn:xpost:problem:<code>`. A 5xx
 * never shows its detail (it is logged instead): the body only says something went wrong.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export type ServiceErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'conflict'
  | 'idempotency_key_reused'
  | 'idempotency_key_in_use'
  | 'missing_authorization'
  | 'malformed_authorization'
  | 'malformed_api_key'
  | 'invalid_api_key'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'internal_error'
  | 'service_unavailable';

/** One thing wrong with a request, by field: `post.body`, `media[1].url`, `thread[0].body`. */
export interface FieldProblem {
  /** Where, as a path into the JSON body (`a.b[2].c`), a query parameter or a header name. */
  field: string;
  /** Stable, for clients to switch on: `required`, `too_long`, `in_the_past`, `unknown_account`, … */
  code: string;
  /** What is wrong and how to fix it, in words. */
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  /** For `validation_failed` (422): every problem found, not just the first. */
  errors?: FieldProblem[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An error a route throws on purpose; its message is the problem's `detail` (below 500). */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';

  readonly errors: FieldProblem[] | undefined;

  constructor(
    readonly statusCode: number,
    readonly code: ServiceErrorCode | (string & {}),
    message: string,
    options?: { cause?: unknown; errors?: FieldProblem[] },
  ) {
    super(message, options);
    this.errors = options?.errors;
  }
}

/** 422 `validation_failed` listing every problem; the detail sums them up. */
export function validationError(errors: FieldProblem[]): ServiceError {
  const detail =
    errors.length === 1
      ? `${errors[0]!.field}: ${errors[0]!.message}`
      : `${errors.length} problems: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`;
  return new ServiceError(422, 'validation_failed', detail, { errors });
}

export function problemType(code: string): string {
  return `urn:xpost:problem:${code}`;
}

export function problem(status: number, code: string, detail: string): Problem {
  return { type: problemType(code), title: TITLES[status] ?? 'Error', status, detail, code };
}

/** Codes for the client errors Fastify itself raises (body parsing, content type, size). */
const FASTIFY_CODES: Record<string, ServiceErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
  FST_ERR_VALIDATION: 'validation_failed',
};

export const INTERNAL_DETAIL = 'something went wrong on our side; it has been logged';

/**
 * The problem for any thrown value. `internal` is true when the status is 5xx: the caller logs the
 * error and the body carries only `INTERNAL_DETAIL` (or a `ServiceError`'s own words for a 503).
 */
export function toProblem(error: unknown): { problem: Problem; internal: boolean } {
  if (error instanceof ApiKeyError) {
    return { problem: problem(401, error.code, error.message), internal: false };
  }
  if (error instanceof ServiceError) {
    const internal = error.statusCode >= 500;
    const detail = internal && error.statusCode !== 503 ? INTERNAL_DETAIL : error.message;
    const body = problem(error.statusCode, error.code, detail);
    if (error.errors && !internal) body.errors = error.errors;
    return { problem: body, internal };
  }
  const validation = (error as { validation?: unknown; validationContext?: unknown })?.validation;
  if (Array.isArray(validation)) {
    // Fastify's schema validation (ajv): the same 422 shape as our own checks.
    const context = (error as { validationContext?: string }).validationContext ?? 'body';
    const errors = validation.map((v: AjvLikeError) => fieldProblemOfAjv(v, context));
    const { problem: body } = toProblem(validationError(errors));
    return { problem: body, internal: false };
  }
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown; validation?: unknown };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const fastifyCode = typeof e.code === 'string' ? FASTIFY_CODES[e.code] : undefined;
    const code =
      e.validation !== undefined
        ? 'validation_failed'
        : (fastifyCode ??
          (status === 404 ? 'not_found' : status === 413 ? 'payload_too_large' : 'bad_request'));
    const detail = typeof e.message === 'string' ? e.message : 'the request could not be processed';
    return { problem: problem(status, code, detail), internal: false };
  }
  return { problem: problem(500, 'internal_error', INTERNAL_DETAIL), internal: true };
}

interface AjvLikeError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** `/post/body` → `post.body`, `/media/1/url` → `media[1].url`; a missing property names itself. */
function fieldProblemOfAjv(error: AjvLikeError, context: string): FieldProblem {
  const parts = (error.instancePath ?? '').split('/').filter((p) => p !== '');
  const missing = error.keyword === 'required' ? error.params?.missingProperty : undefined;
  if (typeof missing === 'string') parts.push(missing);
  const extra = error.keyword === 'additionalProperties' ? error.params?.additionalProperty : undefined;
  if (typeof extra === 'string') parts.push(extra);
  let field = '';
  for (const part of parts) field += /^\d+$/.test(part) ? `[${part}]` : field === '' ? part : `.${part}`;
  if (field === '') field = context;
  else if (context !== 'body') field = `${context}.${field}`;
  const code =
    error.keyword === 'required'
      ? 'required'
      : error.keyword === 'additionalProperties'
        ? 'unknown_field'
        : (error.keyword ?? 'invalid');
  const message =
    error.keyword === 'additionalProperties'
      ? 'is not a field of this request; remove it (check its spelling)'
      : error.keyword === 'required'
        ? 'is required'
        : (error.message ?? 'is not valid');
  return { field, code, message };
}
