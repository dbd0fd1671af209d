import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isTokenSet, type TokenSet } from '../oauth/token-set.js';
import { syncDir, writeFileAtomic } from './atomic-write.js';
import { type FileLockOptions, withFileLock } from './file-lock.js';
import { KeyMutex } from './key-mutex.js';
import { assertTokenKey, type TokenStore } from './token-store.js';
import { XTokenStoreError } from './token-store-error.js';

const FILE_VERSION = 1;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export interface FileTokenStoreOptions extends FileLockOptions {
  /** Folder holding one `<account>.json` per key; created with mode 0700 when missing. */
  dir: string;
}

interface TokenFile {
  version: number;
  account: string;
  tokens: TokenSet;
}

/**
 * Tokens on disk, one JSON file per account key, shared safely by every process on the machine:
 * files are replaced atomically with mode 0600 (`atomic-write.ts`), and `withLock` holds a
 * `proper-lockfile` lock on the account's file (`file-lock.ts`). Inside one process, callers of the
 * same store queue on a mutex before they contend for the file lock.
 */
export class FileTokenStore implements TokenStore {
  readonly dir: string;
  readonly #lock: FileLockOptions;
  readonly #mutex = new KeyMutex();

  constructor(options: FileTokenStoreOptions) {
    if (!options?.dir) throw new TypeError('fileTokenStore({ dir }): pass the folder to keep token files in');
    this.dir = resolve(options.dir);
    this.#lock = {
      ...(options.staleMs !== undefined ? { staleMs: options.staleMs } : {}),
      ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
    };
  }

  /** The file that holds `key`'s tokens. */
  pathFor(key: string): string {
    assertTokenKey(key);
    return join(this.dir, `${fileNameFor(key)}.json`);
  }

  async get(key: string): Promise<TokenSet | undefined> {
    const path = this.pathFor(key);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new XTokenStoreError(`could not read token file ${path}: ${(error as Error).message}`, {
        path,
        cause: error,
      });
    }
    return parseTokenFile(text, path, key);
  }

  async set(key: string, tokens: TokenSet): Promise<void> {
    const path = this.pathFor(key);
    if (!isTokenSet(tokens))
      throw new TypeError(`FileTokenStore.set(${JSON.stringify(key)}): not a TokenSet`);
    const file: TokenFile = { version: FILE_VERSION, account: key, tokens };
    await this.#ensureDir();
    try {
      await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, FILE_MODE);
    } catch (error) {
      throw new XTokenStoreError(`could not write token file ${path}: ${(error as Error).message}`, {
        path,
        cause: error,
      });
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathFor(key);
    await rm(path, { force: true });
    await syncDir(this.dir).catch(() => {});
  }

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const path = this.pathFor(key);
    return this.#mutex.run(key, async () => {
      await this.#ensureDir();
      return withFileLock(path, this.#lock, fn);
    });
  }

  async #ensureDir(): Promise<void> {
    // `mode` applies only to folders this call creates; an existing folder keeps its mode.
    await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
  }
}

export function fileTokenStore(options: FileTokenStoreOptions): FileTokenStore {
  return new FileTokenStore(options);
}

/**
 * Keys become file names: RFC 3986 unreserved characters stay, everything else (dots included, so
 * no key can name `..` or a hidden file) is percent-encoded.
 */
function fileNameFor(key: string): string {
  return encodeURIComponent(key).replace(
    /[!'()*.~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function parseTokenFile(text: string, path: string, key: string): TokenSet {
  const corrupt = (why: string) =>
    new XTokenStoreError(
      `token file ${path} is unreadable (${why}): it was damaged or edited by hand. Delete it and log in again (xpost login).`,
      { path },
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the file's text, which holds tokens.
    throw corrupt('not valid JSON');
  }
  if (typeof data !== 'object' || data === null) throw corrupt('not a JSON object');
  const file = data as Partial<TokenFile>;
  if (file.version !== FILE_VERSION) throw corrupt(`not version ${FILE_VERSION} of the format`);
  if (file.account !== key) throw corrupt('it names another account');
  if (!isTokenSet(file.tokens)) throw corrupt('no token set in it');
  return file.tokens;
}
