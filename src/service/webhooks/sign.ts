import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, the scheme Stripe made familiar: the sender puts
 *
 *   xpost-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * on every delivery. The key is the whole secret string as shown at creation (`whsec_…`, prefix
 * included, as UTF-8 bytes). Signing the timestamp with the body lets a receiver refuse a replayed
 * delivery (older than the tolerance); it must verify over the raw bytes it received, before parsing
 * the JSON. Several `v1=` values may appear (a receiver accepts any that matches), which leaves room
 * to sign with two secrets while one is being rotated.
 */

export const SIGNATURE_HEADER = 'xpost-signature';
export const EVENT_HEADER = 'xpost-event';
export const DELIVERY_HEADER = 'xpost-delivery';
/** Default tolerance between the signed timestamp and the receiver's clock, either way. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** Past the year 5000 in seconds: a value this large is milliseconds passed by mistake. */
const MAX_PLAUSIBLE_SECONDS = 100_000_000_000;

function hmacHex(secret: string, timestampSeconds: number, body: string | Uint8Array): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestampSeconds}.`);
  hmac.update(body);
  return hmac.digest('hex');
}

/** The `xpost-signature` header value for `body` (the exact bytes sent) at `timestampSeconds`. */
export function signWebhook(secret: string, body: string | Uint8Array, timestampSeconds: number): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError(`timestampSeconds must be whole seconds since 1970 (got ${timestampSeconds})`);
  }
  if (timestampSeconds > MAX_PLAUSIBLE_SECONDS) {
    throw new RangeError(
      `timestampSeconds ${timestampSeconds} looks like milliseconds; divide by 1000 (Math.floor(Date.now() / 1000))`,
    );
  }
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, body)}`;
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | {
      ok: false;
      /**
       * - `malformed`: no header, or no `t=` / `v1=` in it;
       * - `too_old` / `in_the_future`: the timestamp is outside the tolerance (a replay, or a clock off);
       * - `mismatch`: no `v1` matches (another secret, or the body or timestamp was changed).
       */
      reason: 'malformed' | 'too_old' | 'in_the_future' | 'mismatch';
      message: string;
    };

export interface VerifyWebhookOptions {
  /** The webhook's secret (`whsec_…`), as shown when it was created. */
  secret: string;
  /** The `xpost-signature` header as received (a string array from Node's headers is accepted). */
  header: string | readonly string[] | null | undefined;
  /** The raw request body, exactly as received: not parsed and serialised again. */
  body: string | Uint8Array;
  /** The receiver's clock, unix seconds. Default: now. */
  nowSeconds?: number;
  /** How far the signed timestamp may be from `nowSeconds`, either way. Default 300. */
  toleranceSeconds?: number;
}

/**
 * Checks a delivery's signature, for receivers. Every `v1` value is compared in constant time (the
 * comparison does not leak how much of a guess matched). Returns why it failed rather than throwing,
 * so a receiver can log the reason and answer 400.
 */
export function verifyWebhookSignature(options: VerifyWebhookOptions): SignatureCheck {
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const header = Array.isArray(options.header) ? options.header.join(',') : options.header;
  if (typeof header !== 'string' || header.trim() === '') {
    return { ok: false, reason: 'malformed', message: `the ${SIGNATURE_HEADER} header is missing` };
  }
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,15}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value.toLowerCase());
  }
  if (timestamp === undefined || candidates.length === 0) {
    return {
      ok: false,
      reason: 'malformed',
      message: `the ${SIGNATURE_HEADER} header needs t=<unix seconds> and at least one v1=<64 hex digits>`,
    };
  }
  if (now - timestamp > tolerance) {
    return {
      ok: false,
      reason: 'too_old',
      message: `the signature is ${now - timestamp} s old, more than the ${tolerance} s allowed (a replay?)`,
    };
  }
  if (timestamp - now > tolerance) {
    return {
      ok: false,
      reason: 'in_the_future',
      message: `the signature is dated ${timestamp - now} s in the future; check this machine's clock`,
    };
  }
  const expected = Buffer.from(hmacHex(options.secret, timestamp, options.body), 'hex');
  let matched = false;
  // Compare with every candidate (no early exit), each in constant time.
  for (const candidate of candidates) {
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) matched = true;
  }
  if (!matched) {
    return {
      ok: false,
      reason: 'mismatch',
      message: 'no v1 signature matches: another secret, or the body or timestamp was altered',
    };
  }
  return { ok: true, timestamp };
}
