import { XError, type XErrorInit } from './x-error.js';

/** What went wrong with an upload, for code that reacts to it. */
export type MediaErrorCode =
  /** The file is larger than its category allows (checked before any request). */
  | 'too_large'
  /** More than 1000 segments even at the largest chunk size. */
  | 'too_many_segments'
  /** The bytes match no format X takes, or none for the category. */
  | 'unsupported_type'
  /** The file is empty. */
  | 'empty'
  /** X's edge refused a segment of the smallest size (413). */
  | 'segment_too_large'
  /** X's processing ended `failed`; `processingError` has X's `name` and `message`. */
  | 'processing_failed'
  /** Processing did not finish before `processingTimeoutMs`. */
  | 'processing_timeout'
  /** The file, stream or URL could not be read. */
  | 'source_unreadable'
  /** The file changed while it was uploaded. */
  | 'source_changed'
  /** A stream held fewer or more bytes than the `size` it was given. */
  | 'size_mismatch';

/** X's `processing_info.error` (REFERENCE §4.1). */
export interface MediaProcessingError {
  code?: number;
  name?: string;
  message?: string;
}

export interface XMediaErrorInit extends XErrorInit {
  code: MediaErrorCode;
  mediaId?: string;
  /** The limit that was broken (bytes, segments), when one was. */
  limit?: number;
  /** The file's own figure for that limit. */
  actual?: number;
  processingError?: MediaProcessingError;
}

/** An upload failed: a limit checked before sending, the source, or X's processing. `code` says which. */
export class XMediaError extends XError {
  override name = 'XMediaError';
  readonly code: MediaErrorCode;
  declare readonly mediaId?: string;
  declare readonly limit?: number;
  declare readonly actual?: number;
  declare readonly processingError?: MediaProcessingError;

  constructor(message: string, init: XMediaErrorInit) {
    super(message, init);
    this.code = init.code;
    if (init.mediaId !== undefined) this.mediaId = init.mediaId;
    if (init.limit !== undefined) this.limit = init.limit;
    if (init.actual !== undefined) this.actual = init.actual;
    if (init.processingError !== undefined) this.processingError = init.processingError;
  }
}
