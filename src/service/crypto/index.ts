export { KEY_FILE_NAME, keyFilePath, loadOrCreateKey, readKeyFile, SecretKeyFileError } from './key-file.js';
export { loadSecretBox } from './load-secret-box.js';
export { Redacted } from './redacted.js';
export { SEALED_VERSION, SecretBox } from './secret-box.js';
export { SecretBoxError, type SecretBoxErrorCode } from './secret-box-error.js';
export {
  formatSecretKey,
  generateSecretKey,
  parseSecretKey,
  SECRET_KEY_BYTES,
  secretKeyId,
} from './secret-key.js';
