import { XError } from './x-error.js';

/** Any other 4xx or 5xx answer from X (validation errors, not found, server errors). */
export class XApiError extends XError {
  override name = 'XApiError';
}
