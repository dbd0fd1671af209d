import { createHash } from 'node:crypto';

/**
 * PKCE (RFC 7636). Verifiers and challenges are 43 to 128 unreserved characters (§4.1, §4.2); S256
 * compares BASE64URL(SHA256(ASCII(verifier))) with the challenge (§4.6).
 */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

export type ChallengeMethod = 'S256' | 'plain';

export function isChallengeMethod(value: string): value is ChallengeMethod {
  return value === 'S256' || value === 'plain';
}

/** Same alphabet and length rules for verifier and challenge (RFC 7636 §4.1, §4.2). */
export function isPkceValue(value: string): boolean {
  return PKCE_VALUE.test(value);
}

export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function verifierMatches(verifier: string, challenge: string, method: ChallengeMethod): boolean {
  if (!isPkceValue(verifier)) return false;
  return (method === 'S256' ? s256Challenge(verifier) : verifier) === challenge;
}
