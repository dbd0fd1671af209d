import type { FastifyRequest } from 'fastify';
import { duplicateParameter } from './token-errors.js';

/**
 * The token and revoke endpoints take `application/x-www-form-urlencoded` bodies only (RFC 6749 §4.1.3);
 * any other body is read as no parameters, so the caller learns which parameter is missing.
 */
export function formParams(request: FastifyRequest): Map<string, string> {
  const params = new Map<string, string>();
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded')) return params;
  const body = request.body;
  if (!body || typeof body !== 'object') return params;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    // Parameters must not repeat (RFC 6749 §3.2).
    if (Array.isArray(value)) throw duplicateParameter(key);
    if (typeof value === 'string' && value !== '') params.set(key, value);
  }
  return params;
}
