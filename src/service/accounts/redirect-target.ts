import type { ServiceConfig } from '../config.js';
import type { FieldProblem } from '../errors.js';

/**
 * Where the browser may be sent after the connect flow. A `redirect` given to `GET /connect/x` must
 * stay on the service's own origin (`XPOST_PUBLIC_URL`) or the configured connect page's origin
 * (`XPOST_CONNECT_REDIRECT`): anything else would make the callback an open redirect that carries an
 * account id to a stranger's site.
 */

const MAX_REDIRECT_LENGTH = 2048;

export function allowedOrigins(config: Pick<ServiceConfig, 'publicUrl' | 'connectRedirect'>): string[] {
  const origins = [new URL(config.publicUrl).origin];
  if (config.connectRedirect) origins.push(new URL(config.connectRedirect).origin);
  return [...new Set(origins)];
}

/** The absolute URL to keep for `redirect`, or the problem with it (field `redirect`). */
export function checkRedirect(
  config: Pick<ServiceConfig, 'publicUrl' | 'connectRedirect'>,
  raw: string,
): { url: string } | { problem: FieldProblem } {
  const origins = allowedOrigins(config);
  const refuse = (message: string) => ({
    problem: { field: 'redirect', code: 'redirect_not_allowed', message },
  });
  if (raw.length > MAX_REDIRECT_LENGTH) {
    return refuse(`is ${raw.length} characters long; the most is ${MAX_REDIRECT_LENGTH}`);
  }
  // A path is on the service itself; `//host` and `/\host` are other hosts to a browser.
  const isPath = raw.startsWith('/') && !raw.startsWith('//') && !raw.startsWith('/\\');
  let url: URL;
  try {
    // A path is relative to the service's public URL, as XPOST_CONNECT_REDIRECT's paths are.
    url = new URL(isPath ? `${config.publicUrl}${raw}` : raw);
  } catch {
    return refuse(
      `must be an absolute http(s) URL or a path starting with /, on ${origins.join(' or ')} (got "${clip(raw)}")`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return refuse(`must be an http(s) URL (got a ${url.protocol} URL)`);
  }
  if (url.username || url.password) return refuse('must not carry a user name or password');
  if (!origins.includes(url.origin)) {
    return refuse(
      `must be on ${origins.join(' or ')} (got ${url.origin}); set XPOST_CONNECT_REDIRECT to allow your app's origin`,
    );
  }
  return { url: url.href };
}

/** `target` with the outcome in its query (kept: the query it already had, and its fragment). */
export function withOutcome(target: string, params: Record<string, string>): string {
  const url = new URL(target);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
