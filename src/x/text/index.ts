export { PREMIUM_MAX_WEIGHTED_LENGTH, WEIGHTED_LENGTH_CONFIG } from './config.js';
export { type CashtagEntity, extractCashtags } from './extract-cashtags.js';
export { extractMentions, type MentionEntity } from './extract-mentions.js';
export { extractUrls, type UrlEntity } from './extract-urls.js';
export {
  DEFAULT_SPLIT_THREAD_OPTIONS,
  MIN_THREAD_POST_LENGTH,
  type SplitThreadOptions,
  splitThread,
  type ThreadNumbering,
} from './split-thread.js';
export { type ParsedPostText, type ParseOptions, parsePostText } from './weighted-length.js';
