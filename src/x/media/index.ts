export {
  DETECT_TYPE_BYTES,
  detectKind,
  detectMediaType,
  type FileKind,
  MEDIA_TYPES,
  matchesDeclaredType,
  mediaTypeOfKind,
} from './detect-type.js';
export * from './journal/index.js';
export {
  categoryForType,
  DEFAULT_CHUNK_SIZE,
  formatBytes,
  MAX_ALT_TEXT_LENGTH,
  MAX_CHUNK_SIZE,
  MAX_SEGMENTS,
  MEDIA_CATEGORIES,
  MEDIA_SIZE_LIMITS,
  MIN_CHUNK_SIZE,
} from './limits.js';
export { MediaApi, type UploadResult } from './media-api.js';
export { chunkSizeFor, planUpload, type UploadPlan } from './plan-upload.js';
export type * from './types.js';
export {
  DEFAULT_APPEND_CONCURRENCY,
  DEFAULT_PROCESSING_TIMEOUT_MS,
  type UploadOptions,
} from './upload-options.js';
export { MEDIA_ENDPOINTS, type MediaStatusData, type ProcessingInfo } from './upload-requests.js';
