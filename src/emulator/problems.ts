/**
 * X's error bodies, word for word where they have been observed (../shared/x-api/REFERENCE.md §5).
 * Route handlers throw `XProblem`; the app's error handler sends it as `application/problem+json`.
 */

/** Live responses still use the twitter.com prefix (REFERENCE §5.1). */
export const PROBLEM_TYPE_PREFIX = 'https://api.twitter.com/2/problems/';

export type ProblemBody = Record<string, unknown>;

export class XProblem extends Error {
  readonly status: number;
  readonly body: ProblemBody | null;
  readonly headers: Record<string, string>;

  constructor(status: number, body: ProblemBody | null, headers: Record<string, string> = {}) {
    super(typeof body?.detail === 'string' ? body.detail : `HTTP ${status}`);
    this.name = 'XProblem';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export interface ValidationMessage {
  message: string;
  parameters?: Record<string, unknown>;
}

/** 400 with `errors[]`: the shape of every request-validation failure. */
export function invalidRequest(messages: ValidationMessage[] | string): XProblem {
  const list = typeof messages === 'string' ? [{ message: messages }] : messages;
  return new XProblem(400, {
    errors: list.map((m) => ({ parameters: m.parameters ?? {}, message: m.message })),
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: `${PROBLEM_TYPE_PREFIX}invalid-request`,
  });
}

export function unauthorized(): XProblem {
  return new XProblem(401, {
    title: 'Unauthorized',
    type: 'about:blank',
    status: 401,
    detail: 'Unauthorized',
  });
}

/** The generic 403: missing scope, and the base for duplicate content and reply/quote rules. */
export function forbidden(detail = 'Forbidden'): XProblem {
  return new XProblem(403, { detail, type: 'about:blank', title: 'Forbidden', status: 403 });
}

export const DUPLICATE_CONTENT_DETAIL = 'You are not allowed to create a Tweet with duplicate content.';
export const REPLY_NOT_ALLOWED_DETAIL =
  'Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.';
export const QUOTE_NOT_ALLOWED_DETAIL =
  'Quoting this post is not allowed because you have not been mentioned or are not part of the conversation thread of the post you are quoting.';
/** X's long-standing wording for a reply to a post that does not exist or was deleted. */
export const REPLY_TARGET_MISSING_DETAIL =
  'You attempted to reply to a Tweet that is deleted or not visible to you.';

export function unsupportedAuthentication(): XProblem {
  return new XProblem(403, {
    title: 'Unsupported Authentication',
    // Two spaces after "endpoint." as X sends it.
    detail:
      'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].',
    type: `${PROBLEM_TYPE_PREFIX}unsupported-authentication`,
    status: 403,
  });
}

export function clientNotEnrolled(clientId: string): XProblem {
  return new XProblem(403, {
    client_id: clientId,
    detail:
      'When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.',
    registration_url: 'https://developer.twitter.com/en/docs/projects/overview',
    title: 'Client Forbidden',
    required_enrollment: 'Appropriate Level of API Access',
    reason: 'client-not-enrolled',
    type: `${PROBLEM_TYPE_PREFIX}client-forbidden`,
  });
}

export function oauth1Permissions(): XProblem {
  return new XProblem(403, {
    title: 'Forbidden',
    status: 403,
    detail:
      'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.',
    type: `${PROBLEM_TYPE_PREFIX}oauth1-permissions`,
  });
}

export function creditsDepleted(): XProblem {
  return new XProblem(402, {
    title: 'CreditsDepleted',
    detail: 'Your enrolled account does not have any credits to fulfill this request.',
    type: `${PROBLEM_TYPE_PREFIX}credits`,
    status: 402,
  });
}

export function tooManyRequests(headers: Record<string, string> = {}): XProblem {
  return new XProblem(
    429,
    { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
    headers,
  );
}

export function serviceUnavailable(status = 503): XProblem {
  const title =
    status === 500 ? 'Internal Server Error' : status === 502 ? 'Bad Gateway' : 'Service Unavailable';
  return new XProblem(status, { title, detail: title, type: 'about:blank', status });
}

/** A 200-with-errors partial error for a missing resource, as GET /2/tweets/:id answers. */
export function resourceNotFound(resourceType: 'tweet' | 'user' | 'media', parameter: string, id: string) {
  const noun = resourceType === 'tweet' ? 'tweet' : resourceType;
  return {
    value: id,
    detail: `Could not find ${noun} with ${parameter}: [${id}].`,
    title: 'Not Found Error',
    resource_type: resourceType,
    parameter,
    resource_id: id,
    type: `${PROBLEM_TYPE_PREFIX}resource-not-found`,
  };
}

/** Unknown paths: X still answers these with the v1.1-style body. */
export function pageNotFound(): XProblem {
  return new XProblem(404, { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] });
}
