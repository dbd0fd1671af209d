import type { XRequest } from './types.js';

/**
 * The full URL of a request: `apiBase` (any path prefix kept) + `path` + query. Array values are
 * comma-joined as X expects (`tweet.fields=created_at,author_id`); undefined values are dropped.
 * The auth plugin passes this URL to providers, since OAuth 1.0a signs it (REFERENCE §2).
 */
export function buildUrl(apiBase: string, request: Pick<XRequest, 'path' | 'query'>): URL {
  const base = apiBase.replace(/\/+$/, '');
  const path = request.path.startsWith('/') ? request.path : `/${request.path}`;
  const url = new URL(base + path);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value === undefined) continue;
    url.searchParams.append(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  return url;
}
