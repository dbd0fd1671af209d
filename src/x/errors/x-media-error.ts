import { XError } from './x-error.js';

/** Media processing failed at X (reserved for the media upload module). */
export class XMediaError extends XError {
  override name = 'XMediaError';
}
