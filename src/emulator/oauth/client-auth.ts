import type { FastifyRequest } from 'fastify';
import type { EmulatorStore } from '../state/store.js';
import type { EmulatorApp } from '../state/types.js';
import { invalidClient, missingAuthorizationHeader, missingParameter } from './token-errors.js';

/**
 * Who is calling the token or revoke endpoint (REFERENCE §1.3). Confidential clients authenticate
 * with `Authorization: Basic base64(client_id:client_secret)` (RFC 6749 §2.3.1); public clients name
 * themselves with `client_id` in the body and have no secret. A `client_id` in the body next to Basic
 * auth does no harm, as long as it names the same client.
 */
export function authenticateClient(
  request: FastifyRequest,
  params: Map<string, string>,
  store: EmulatorStore,
): EmulatorApp {
  const basic = parseBasic(request.headers.authorization);
  const bodyClientId = params.get('client_id');

  if (basic === 'malformed') {
    const named = bodyClientId === undefined ? undefined : store.appByClientId(bodyClientId);
    if (named?.clientType === 'public') return named;
    throw missingAuthorizationHeader();
  }
  if (basic) {
    const app = store.appByClientId(basic.id);
    if (!app) throw invalidClient();
    if (bodyClientId !== undefined && bodyClientId !== app.clientId) throw invalidClient();
    if (app.clientType === 'public') {
      // Some libraries send `client_id:` for public clients; a secret they do not have cannot match.
      if (basic.secret !== '') throw invalidClient();
      return app;
    }
    if (!secretMatches(basic.secret, app.clientSecret)) throw missingAuthorizationHeader();
    return app;
  }

  if (bodyClientId === undefined) throw missingParameter('client_id');
  const app = store.appByClientId(bodyClientId);
  if (!app) throw invalidClient();
  if (app.clientType === 'confidential') throw missingAuthorizationHeader();
  return app;
}

export type BasicCredentials = { id: string; secret: string } | 'malformed' | null;

/** null when there is no Basic header at all; `malformed` when there is one that cannot be read. */
export function parseBasic(header: string | undefined): BasicCredentials {
  if (typeof header !== 'string') return null;
  const match = /^Basic\s+(\S*)\s*$/i.exec(header);
  if (!match) return /^Basic\b/i.test(header) ? 'malformed' : null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return 'malformed';
  // RFC 6749 §2.3.1: both halves are form-urlencoded before they are joined.
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

function secretMatches(given: string, expected: string | null): boolean {
  return expected !== null && given === expected;
}
