import { createHmac } from 'node:crypto';

/**
 * OAuth 1.0a HMAC-SHA1 signatures (RFC 5849 §3.4), shared by the SDK (to sign) and the emulator
 * (to verify), so both read the same recipe: https://docs.x.com/fundamentals/authentication/oauth-1-0a/creating-a-signature
 */

/** RFC 3986 percent-encoding: only `A-Z a-z 0-9 - . _ ~` stay as they are; a space is `%20`, never `+`. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export type OAuthParam = readonly [key: string, value: string];

/** Sort by encoded key, then encoded value, and join as `k=v&k=v` (RFC 5849 §3.4.1.3.2). */
export function normalizeParameters(params: Iterable<OAuthParam>): string {
  const encoded = [...params].map(([k, v]) => [percentEncode(k), percentEncode(v)] as const);
  encoded.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return encoded.map(([k, v]) => `${k}=${v}`).join('&');
}

/**
 * The base string URI: scheme and host in lower case, default ports dropped, no query or fragment
 * (RFC 5849 §3.4.1.2). The host is part of what is signed: api.x.com and api.twitter.com differ.
 */
export function baseStringUri(url: string | URL): string {
  const u = new URL(url);
  const scheme = u.protocol.toLowerCase();
  const host = u.hostname.toLowerCase();
  const defaultPort = (scheme === 'http:' && u.port === '80') || (scheme === 'https:' && u.port === '443');
  const port = u.port && !defaultPort ? `:${u.port}` : '';
  return `${scheme}//${host}${port}${u.pathname}`;
}

export function signatureBaseString(method: string, url: string | URL, params: Iterable<OAuthParam>): string {
  return [
    method.toUpperCase(),
    percentEncode(baseStringUri(url)),
    percentEncode(normalizeParameters(params)),
  ].join('&');
}

export function hmacSha1Signature(baseString: string, consumerSecret: string, tokenSecret = ''): string {
  const key = `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
  return createHmac('sha1', key).update(baseString).digest('base64');
}

/** Query parameters of a URL, in order, duplicates kept (they are signed too). */
export function queryParameters(url: string | URL): OAuthParam[] {
  return [...new URL(url).searchParams.entries()];
}

/** Parse `OAuth k="v", ...` into its parameters; null when the header is not OAuth. */
export function parseOAuthHeader(header: string): Map<string, string> | null {
  const match = /^OAuth\s+(.*)$/is.exec(header.trim());
  if (!match) return null;
  const params = new Map<string, string>();
  const re = /([A-Za-z0-9_%.~-]+)\s*=\s*"([^"]*)"/g;
  try {
    for (const part of match[1]!.matchAll(re)) {
      const key = decodeURIComponent(part[1]!);
      if (params.has(key)) return null; // X rejects duplicate keys
      params.set(key, decodeURIComponent(part[2]!));
    }
  } catch {
    return null; // malformed percent-encoding: not a header we can read
  }
  return params;
}

/** Build the header value from the `oauth_*` parameters (signature included), sorted for stability. */
export function formatOAuthHeader(params: Iterable<OAuthParam>): string {
  const parts = [...params]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`);
  return `OAuth ${parts.join(', ')}`;
}

export interface OAuth1SigningInput {
  method: string;
  /** The full request URL; its query parameters are signed. */
  url: string | URL;
  /** `application/x-www-form-urlencoded` body parameters (signed); JSON and multipart bodies are not. */
  form?: Record<string, string>;
  consumerKey: string;
  consumerSecret: string;
  token: string;
  tokenSecret: string;
  nonce: string;
  /** Epoch seconds. */
  timestamp: number | string;
}

/** The `Authorization` header for one request, HMAC-SHA1 signed (REFERENCE §2, RFC 5849 §3.1–§3.5). */
export function oauth1AuthorizationHeader(input: OAuth1SigningInput): string {
  const oauth: OAuthParam[] = [
    ['oauth_consumer_key', input.consumerKey],
    ['oauth_nonce', input.nonce],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', String(input.timestamp)],
    ['oauth_token', input.token],
    ['oauth_version', '1.0'],
  ];
  const params: OAuthParam[] = [...queryParameters(input.url), ...Object.entries(input.form ?? {}), ...oauth];
  const base = signatureBaseString(input.method, input.url, params);
  const signature = hmacSha1Signature(base, input.consumerSecret, input.tokenSecret);
  return formatOAuthHeader([...oauth, ['oauth_signature', signature]]);
}
