import { describe, expect, it } from 'vitest';
import {
  errorFromResponse,
  XApiError,
  XAuthError,
  XForbiddenError,
  XRateLimitError,
} from '../../../src/x/errors/index.js';
import type { XRequest } from '../../../src/x/request/types.js';

const request: XRequest = {
  method: 'POST',
  path: '/2/tweets',
  endpoint: 'POST /2/tweets',
  auth: { kind: 'user' },
  idempotent: false,
  json: { text: 'hi' },
  headers: { authorization: 'Bearer secret-token-123' },
};

function raw(status: number, body: unknown, headers: Record<string, string> = {}) {
  return { status, body, headers: new Headers(headers), request };
}

const TW = 'https://api.twitter.com/2/problems/';
const X = 'https://api.x.com/2/problems/';

// Bodies word for word from REFERENCE §5.2, §3.1, §2.
const forbiddenCases: Array<[string, number, Record<string, unknown>]> = [
  [
    'duplicate-content',
    403,
    {
      detail: 'You are not allowed to create a Tweet with duplicate content.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    },
  ],
  ['missing-scope', 403, { title: 'Forbidden', type: 'about:blank', status: 403, detail: 'Forbidden' }],
  [
    'client-not-enrolled',
    403,
    {
      client_id: 'abc',
      detail:
        'When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.',
      registration_url: 'https://developer.twitter.com/en/docs/projects/overview',
      title: 'Client Forbidden',
      required_enrollment: 'Appropriate Level of API Access',
      reason: 'client-not-enrolled',
      type: `${TW}client-forbidden`,
    },
  ],
  [
    'oauth1-permissions',
    403,
    {
      title: 'Forbidden',
      status: 403,
      detail:
        'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.',
      type: `${TW}oauth1-permissions`,
    },
  ],
  [
    'unsupported-authentication',
    403,
    {
      title: 'Unsupported Authentication',
      detail:
        'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].',
      type: `${X}unsupported-authentication`,
      status: 403,
    },
  ],
  [
    'reply-not-allowed',
    403,
    {
      detail:
        'Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    },
  ],
  [
    'reply-not-allowed',
    403,
    {
      detail:
        'Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author.',
      title: 'Forbidden',
    },
  ],
  [
    'quote-not-allowed',
    403,
    {
      detail:
        'Quoting this post is not allowed because you have not been mentioned or are not part of the conversation thread of the post you are quoting.',
      title: 'Forbidden',
      status: 403,
    },
  ],
  [
    'video-too-long',
    403,
    { detail: 'This user is not allowed to post a video longer than 2 minutes.', title: 'Forbidden' },
  ],
  [
    'credits-depleted',
    402,
    { title: 'CreditsDepleted', detail: 'Your enrolled account does not have any credits.', status: 402 },
  ],
  ['forbidden', 403, { title: 'Forbidden', detail: 'Something new X invented.', type: 'about:blank' }],
  ['client-not-enrolled', 403, { title: 'Client Forbidden', type: `${X}client-forbidden`, detail: 'x' }],
];

describe('errorFromResponse', () => {
  it.each(forbiddenCases)('403/402 body → reason %s', (reason, status, body) => {
    const error = errorFromResponse(raw(status, body));
    expect(error).toBeInstanceOf(XForbiddenError);
    expect((error as XForbiddenError).reason).toBe(reason);
    expect(error.status).toBe(status);
    expect(error.message).not.toMatch(/\n/);
    if (typeof body.detail === 'string') expect(error.message).toContain(body.detail);
  });

  it('401 → XAuthError telling to log in again', () => {
    const error = errorFromResponse(
      raw(401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' }),
    );
    expect(error).toBeInstanceOf(XAuthError);
    expect(error.message).toMatch(/log in again/);
    expect(error).toMatchObject({ endpoint: 'POST /2/tweets', method: 'POST', title: 'Unauthorized' });
  });

  it.each([
    ['invalid_request', 'Value passed for the token was invalid.'],
    ['invalid_grant', 'Value passed for the authorization code was invalid.'],
  ])('token endpoint %s → XAuthError with the code', (code, description) => {
    const error = errorFromResponse(raw(400, { error: code, error_description: description }));
    expect(error).toBeInstanceOf(XAuthError);
    expect(error).toMatchObject({ code, detail: description });
    expect(error.message).toContain(description);
    expect(error.message).toMatch(/log in again/);
  });

  it('token endpoint unauthorized_client says to check the client secret', () => {
    const error = errorFromResponse(
      raw(401, { error: 'unauthorized_client', error_description: 'Missing valid authorization header' }),
    );
    expect(error).toBeInstanceOf(XAuthError);
    expect(error.message).toMatch(/client id and secret/);
  });

  it('429 → XRateLimitError naming the spent limit and its reset', () => {
    const error = errorFromResponse(
      raw(
        429,
        { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
        {
          'x-rate-limit-limit': '100',
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': '2000000000',
          'x-transaction-id': 'abc123',
        },
      ),
      undefined,
      1_000,
    ) as XRateLimitError;
    expect(error).toBeInstanceOf(XRateLimitError);
    expect(error).toMatchObject({ limit: 'window', resetAt: 2_000_000_000_000, requestId: 'abc123' });
    expect(error.rateLimit?.window?.remaining).toBe(0);
    expect(error.message).toContain('2033-05-18T03:33:20.000Z');
  });

  it('v1.1 {errors:[{code,message}]} bodies keep the code and use the message', () => {
    const error = errorFromResponse(
      raw(404, { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] }),
    );
    expect(error).toBeInstanceOf(XApiError);
    expect(error.detail).toBe('Sorry, that page does not exist');
    expect(error.errors).toEqual([{ message: 'Sorry, that page does not exist', code: 34 }]);
  });

  it('validation errors keep errors[] and X’s detail', () => {
    const body = {
      errors: [
        { parameters: {}, message: '$.media.media_ids: there must be a minimum of 1 item in the array' },
      ],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: `${TW}invalid-request`,
    };
    const error = errorFromResponse(raw(400, body));
    expect(error).toBeInstanceOf(XApiError);
    expect(error).toMatchObject({
      title: 'Invalid Request',
      type: `${TW}invalid-request`,
      errors: body.errors,
    });
  });

  it('5xx with an HTML body → XApiError with the text', () => {
    const error = errorFromResponse(raw(502, '<html>Bad Gateway</html>'));
    expect(error).toBeInstanceOf(XApiError);
    expect(error.message).toMatch(/502.*try again later/);
  });

  it('the request id comes from x-request-id when x-transaction-id is absent', () => {
    expect(errorFromResponse(raw(500, null, { 'x-request-id': 'r-1' })).requestId).toBe('r-1');
  });

  it('the error’s copy of the request has the authorization redacted and no body', () => {
    const error = errorFromResponse(raw(500, null));
    expect(error.request).toEqual({
      method: 'POST',
      endpoint: 'POST /2/tweets',
      path: '/2/tweets',
      headers: { authorization: '[REDACTED]' },
    });
    expect(JSON.stringify(error)).not.toContain('secret-token-123');
  });
});
