/**
 * What a failed `fetch` tells us about whether the request left this machine. Node's fetch (undici)
 * throws `TypeError('fetch failed')` whose `cause` carries a code; with happy-eyeballs the cause can
 * be an `AggregateError` whose members carry it.
 *
 * Provably not sent: the connection was never established (refused, DNS failure, unreachable, connect
 * timeout, TLS handshake failure). Anything after the socket is up (`ECONNRESET`, undici's
 * `UND_ERR_SOCKET` "other side closed", a body error) may have happened after X read the request, so
 * the outcome is unknown.
 */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

export interface NetworkFailure {
  code?: string;
  neverSent: boolean;
  /** The most specific message found in the cause chain. */
  message: string;
}

export function describeNetworkFailure(error: unknown): NetworkFailure {
  const codes: string[] = [];
  let message = error instanceof Error ? error.message : String(error);
  const visit = (value: unknown, depth: number): void => {
    if (!value || typeof value !== 'object' || depth > 5) return;
    const { code, cause, errors } = value as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (value instanceof Error && depth > 0 && value.message) message = value.message;
    if (Array.isArray(errors)) for (const member of errors) visit(member, depth + 1);
    visit(cause, depth + 1);
  };
  visit(error, 0);
  const code = codes.find((c) => NEVER_SENT_CODES.has(c)) ?? codes[0];
  // Every code found must say "not sent": one reset among refused addresses means something was sent.
  const neverSent = codes.length > 0 && codes.every((c) => NEVER_SENT_CODES.has(c));
  return { ...(code === undefined ? {} : { code }), neverSent, message };
}
