import type { XRequest } from './types.js';

/**
 * Whether the request can be sent again: a stream body is consumed by the first attempt. Strings,
 * buffers, `Blob`s, `FormData` and `URLSearchParams` can be read any number of times.
 */
export function isReplayable(request: XRequest): boolean {
  const { body } = request;
  if (body === undefined || body === null) return true;
  if (typeof body === 'string' || body instanceof Blob || body instanceof FormData) return true;
  if (body instanceof URLSearchParams || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return true;
  return false;
}
