export { DbTokenStore, openTokens, sealTokens, tokenAad } from './db-token-store.js';
export {
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_ATTEMPTS,
  type PublishDeps,
  type PublishResult,
  publishTarget,
  requestItems,
  type XAccess,
} from './publish.js';
export { publishJobHandler } from './publish-job.js';
