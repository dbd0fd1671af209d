import type { XClientCore } from '../client.js';
import type { XErrorItem } from '../errors/index.js';
import type { XRequest } from '../request/types.js';

export type { XClientCore };

/** A v2 response body: `data` and X's partial `errors` may come together in a 200 (REFERENCE §5.1). */
export interface XBody<T, M = Record<string, unknown>> {
  data?: T;
  errors?: XErrorItem[];
  includes?: Record<string, unknown[]>;
  meta?: M;
}

/** The body of X's answer (an empty one as `{}`); statuses ≥ 400 have already thrown. */
export async function callX<T, M = Record<string, unknown>>(
  client: XClientCore,
  req: XRequest,
): Promise<XBody<T, M>> {
  const response = await client.request<XBody<T, M> | null>(req);
  return response.data ?? {};
}
