import { XError, type XErrorInit } from '../errors/x-error.js';

/**
 * A token store could not be read or written. The message names the file and says what to do; it
 * never quotes the file's content (it holds tokens).
 */
export class XTokenStoreError extends XError {
  override name = 'XTokenStoreError';
  /** The file or resource involved, when there is one. */
  readonly path?: string;

  constructor(message: string, init: XErrorInit & { path?: string } = {}) {
    super(message, init);
    if (init.path !== undefined) this.path = init.path;
  }
}
