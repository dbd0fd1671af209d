import type { ServiceConfig } from '../config.js';
import { keyFilePath, loadOrCreateKey, readKeyFile } from './key-file.js';
import { SecretBox } from './secret-box.js';

/**
 * The service's `SecretBox`, from the config: `XPOST_SECRET_KEY` when set (always, with a database
 * server), otherwise `<data folder>/secret.key`, made on first run. `XPOST_SECRET_KEY_OLD` keys open
 * what they sealed.
 *
 * An embedded install that later sets `XPOST_SECRET_KEY` keeps its key file as an old key, so the
 * tokens sealed so far still open (and `needsRotation` finds them) instead of every account having to
 * be connected again.
 */
export async function loadSecretBox(
  config: Pick<ServiceConfig, 'secretKey' | 'previousSecretKeys' | 'dataDir' | 'database'>,
): Promise<SecretBox> {
  const previous = config.previousSecretKeys.map((key) => key.reveal());
  if (config.secretKey) {
    const fileKey =
      config.database.kind === 'embedded' ? await readKeyFile(keyFilePath(config.dataDir)) : undefined;
    return new SecretBox(config.secretKey.reveal(), fileKey ? [...previous, fileKey] : previous);
  }
  return new SecretBox(await loadOrCreateKey(config.dataDir), previous);
}
