export { FileTokenStore, type FileTokenStoreOptions, fileTokenStore } from './file-token-store.js';
export { MemoryTokenStore, memoryTokenStore } from './memory-token-store.js';
export { type OAuth1UserAuthOptions, oauth1UserAuth } from './oauth1-user-auth.js';
export {
  DEFAULT_REFRESH_SKEW_MS,
  type OAuth2UserAuth,
  type OAuth2UserAuthOptions,
  oauth2UserAuth,
} from './oauth2-user-auth.js';
export { staticBearer } from './static-bearer.js';
export type { TokenStore } from './token-store.js';
export { XTokenStoreError } from './token-store-error.js';
export type { AuthProvider } from './types.js';
