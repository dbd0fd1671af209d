/**
 * Why a sealed value could not be opened. The message says what to check; it never carries the
 * plaintext, the key or the sealed bytes (they may end up in a log or a problem+json body).
 */
export type SecretBoxErrorCode =
  | 'malformed'
  | 'unsupported_version'
  | 'unknown_key'
  | 'authentication_failed';

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';

  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
  }
}
