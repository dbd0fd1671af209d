/**
 * Token and revoke endpoint errors. These are not problem+json: X answers with RFC 6749 §5.2 bodies
 * `{"error", "error_description"}` and the descriptions of REFERENCE §1.5, word for word.
 */
export class TokenEndpointError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
    this.name = 'TokenEndpointError';
  }

  get body(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export const INVALID_CODE = 'Value passed for the authorization code was invalid.';
export const INVALID_TOKEN = 'Value passed for the token was invalid.';

export function missingParameter(name: string): TokenEndpointError {
  return new TokenEndpointError(400, 'invalid_request', `Missing required parameter [${name}].`);
}

/** Bad, expired, reused or mismatched code; X says `invalid_request` where RFC 6749 says `invalid_grant`. */
export function invalidCode(): TokenEndpointError {
  return new TokenEndpointError(400, 'invalid_request', INVALID_CODE);
}

export function invalidToken(): TokenEndpointError {
  return new TokenEndpointError(400, 'invalid_request', INVALID_TOKEN);
}

/** A confidential client without a valid Basic header. */
export function missingAuthorizationHeader(): TokenEndpointError {
  return new TokenEndpointError(401, 'unauthorized_client', 'Missing valid authorization header');
}

export function invalidClient(): TokenEndpointError {
  return new TokenEndpointError(401, 'invalid_client', 'Client authentication failed.');
}

export function unsupportedGrantType(grantType: string): TokenEndpointError {
  return new TokenEndpointError(400, 'unsupported_grant_type', `Grant type ${grantType} is not supported.`);
}

export function duplicateParameter(name: string): TokenEndpointError {
  return new TokenEndpointError(400, 'invalid_request', `Parameter [${name}] was sent more than once.`);
}
