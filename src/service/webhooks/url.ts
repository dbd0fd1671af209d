import ipaddr from 'ipaddr.js';
import type { FieldProblem } from '../errors.js';

/**
 * Which URLs a webhook may point at (checked at registration):
 * - http(s) only, absolute, without a user name or password (the signature authenticates a
 *   delivery; credentials in the URL would be shown by every list) and without a `#fragment`;
 * - `https` is required, except for hosts that cannot be on the public internet, where plain `http`
 *   is accepted: loopback (`localhost`, `127.0.0.1`, `[::1]`), private address ranges (`10.0.0.7`,
 *   `192.168.1.2`, `[fd00::1]`) and single-label names (`http://receiver:8080`, a Docker Compose
 *   service). A receiver on the public internet reached over plain http would let anyone on the way
 *   read the events; the signature still stops them from forging one;
 * - private networks are allowed on purpose: a self-hosted xpost usually delivers next door. IP
 *   literals that are never a receiver are refused: link-local (cloud metadata at 169.254.169.254),
 *   unspecified (0.0.0.0), multicast, broadcast and reserved ranges. Host names are not resolved here.
 */

export const WEBHOOK_URL_MAX_LENGTH = 2048;

const EXAMPLE = 'https://example.com/hooks/xpost';
const REFUSED_RANGES = new Set(['unspecified', 'broadcast', 'multicast', 'linkLocal', 'reserved']);
const LOCAL_RANGES = new Set(['loopback', 'private', 'uniqueLocal']);

/** Every problem with `value` as a webhook URL (empty when it is fine), named by `field`. */
export function webhookUrlProblems(value: string, field = 'url'): FieldProblem[] {
  const problem = (code: string, message: string): FieldProblem[] => [{ field, code, message }];
  if (value.length > WEBHOOK_URL_MAX_LENGTH) {
    return problem(
      'too_long',
      `is ${value.length} characters long; at most ${WEBHOOK_URL_MAX_LENGTH} are allowed`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problem('invalid_url', `is not an absolute URL; give one such as ${EXAMPLE}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return problem(
      'unsupported_scheme',
      `uses ${url.protocol.replace(/:$/, '')}; only https (or http to a local host) is delivered to, e.g. ${EXAMPLE}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    return problem(
      'credentials_in_url',
      'must not carry a user name or password: authenticate deliveries by checking the xpost-signature header instead',
    );
  }
  if (url.hash !== '') {
    return problem('fragment_in_url', 'must not have a #fragment (it is never sent); remove it');
  }
  const host = hostKind(url.hostname);
  if (host.kind === 'refused') {
    return problem(
      'forbidden_address',
      `points at ${url.hostname}, a ${host.range} address that cannot be a webhook receiver`,
    );
  }
  if (url.protocol === 'http:' && host.kind === 'public') {
    return problem(
      'https_required',
      `must use https for a host on the internet (plain http is accepted only for loopback, private addresses and single-label names); use https://${url.host}${url.pathname}`,
    );
  }
  return [];
}

function hostKind(hostname: string): { kind: 'local' | 'public' } | { kind: 'refused'; range: string } {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (ipaddr.isValid(bare)) {
    const range = ipaddr.process(bare).range();
    if (REFUSED_RANGES.has(range)) return { kind: 'refused', range: rangeWords(range) };
    return { kind: LOCAL_RANGES.has(range) ? 'local' : 'public' };
  }
  const name = bare.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost') || !name.includes('.')) return { kind: 'local' };
  return { kind: 'public' };
}

function rangeWords(range: string): string {
  return range === 'linkLocal' ? 'link-local' : range;
}
