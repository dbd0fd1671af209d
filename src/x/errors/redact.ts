import type { XRequest } from '../request/types.js';

/**
 * The copy of a request an error carries: enough to say what failed, never a credential. Bodies are
 * left out (token-endpoint forms hold refresh tokens, secrets and PKCE verifiers; posts can be
 * large), headers that carry credentials are masked (octokit's `request.headers.authorization`
 * redaction), and query values whose names look secret are masked too.
 */
export interface RedactedRequest {
  method: string;
  endpoint: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

const REDACTED = '[REDACTED]';
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key)$/i;
const SECRET_NAME = /token|secret|password|verifier|code|key|signature/i;

export function redactRequest(request: XRequest): RedactedRequest {
  const copy: RedactedRequest = { method: request.method, endpoint: request.endpoint, path: request.path };
  if (request.query) {
    const query: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.query)) {
      if (value === undefined) continue;
      query[name] = SECRET_NAME.test(name)
        ? REDACTED
        : Array.isArray(value)
          ? value.join(',')
          : String(value);
    }
    copy.query = query;
  }
  if (request.headers) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      headers[name] = SECRET_HEADER.test(name) ? REDACTED : value;
    }
    copy.headers = headers;
  }
  return copy;
}
