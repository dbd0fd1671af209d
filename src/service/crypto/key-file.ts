import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from '../../x/auth/atomic-write.js';
import { formatSecretKey, generateSecretKey, parseSecretKey, SECRET_KEY_HINT } from './secret-key.js';

/**
 * The embedded mode's key: `<data folder>/secret.key`, made on first run (DESIGN, "secrets at rest").
 * It encrypts every token the service stores, so it is created readable by its owner only and a copy
 * that others can read is refused rather than used. With `DATABASE_URL` the key comes from
 * `XPOST_SECRET_KEY` instead (see config.ts), and this file is not made.
 */

export const KEY_FILE_NAME = 'secret.key';
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
/** Group and other permission bits: any of them lets another local user read or replace the key. */
const SHARED_BITS = 0o077;

export type SecretKeyFileErrorCode = 'insecure_permissions' | 'invalid_content' | 'not_a_file';

export class SecretKeyFileError extends Error {
  override readonly name = 'SecretKeyFileError';

  constructor(
    readonly code: SecretKeyFileErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export function keyFilePath(dataDir: string): string {
  return join(dataDir, KEY_FILE_NAME);
}

/**
 * Read the key file, or create it if there is none. Two processes starting at once on a fresh folder
 * get the same key: the file is written under a temporary name and then hard-linked into place,
 * which fails if the name exists (unlike rename, which would replace a key the other process may
 * already have used), and the loser reads the winner's key.
 */
export async function loadOrCreateKey(dataDir: string): Promise<Buffer> {
  await mkdir(dataDir, { recursive: true, mode: DIR_MODE });
  const path = keyFilePath(dataDir);
  const existing = await readKeyFile(path);
  if (existing) return existing;

  const key = generateSecretKey();
  const created = await createExclusive(path, `${formatSecretKey(key)}\n`);
  if (created) return key;
  const winner = await readKeyFile(path);
  if (!winner) throw new Error(`${path} vanished while it was being created; start the service again`);
  return winner;
}

/** The key in `path`, or undefined when there is no such file. */
export async function readKeyFile(path: string): Promise<Buffer | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    // fstat the open handle, not the path, so the checked file is the one read.
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new SecretKeyFileError('not_a_file', path, `${path} is not a regular file; move it away`);
    }
    // Windows has no POSIX modes (Node reports 0o666); its ACLs are the operator's to set.
    if (process.platform !== 'win32' && (stat.mode & SHARED_BITS) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
      throw new SecretKeyFileError(
        'insecure_permissions',
        path,
        `${path} can be read or changed by other users (mode ${mode}); it encrypts every stored ` +
          `token, so xpost will not use it: run \`chmod 600 ${path}\` (and consider the key ` +
          'exposed: rotate it, docs/operations.md)',
      );
    }
    const key = parseSecretKey(await handle.readFile('utf8'));
    if (!key) {
      throw new SecretKeyFileError(
        'invalid_content',
        path,
        `${path} does not hold a valid key (${SECRET_KEY_HINT}); restore it from a backup. Deleting ` +
          'it makes a new key, and the tokens stored so far can no longer be read (every account ' +
          'must be connected again)',
      );
    }
    return key;
  } finally {
    await handle.close();
  }
}

/** Write `text` to `path` unless it exists, whole or not at all. False when it already existed. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', FILE_MODE);
    try {
      // open()'s mode passes through the umask; chmod makes it exactly 0600.
      await handle.chmod(FILE_MODE);
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // Some file systems (FAT, a few network mounts) have no hard links: create in place instead.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
        return await createInPlace(path, text);
      }
      throw error;
    }
  } finally {
    await rm(temp, { force: true }).catch(() => {});
  }
  await syncDir(join(path, '..'));
  return true;
}

async function createInPlace(path: string, text: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.chmod(FILE_MODE);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncDir(join(path, '..'));
  return true;
}
