import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../x/auth/atomic-write.js';
import { DEFAULT_API_BASE, type FileTokenStore, fileTokenStore, type RateLimitEntry } from '../x/index.js';
import { ensureDir, FILE_MODE, readConfig, updateConfig } from './config.js';
import { CliError } from './errors.js';

/**
 * Where an account's credentials and state live under `$XPOST_HOME`:
 *
 *   tokens/<account>.json                  OAuth 2.0 token pair (the SDK's fileTokenStore, locked, atomic)
 *   accounts/<account>/oauth1.json         OAuth 1.0a keys and tokens (0600)
 *   accounts/<account>/rate-limits.json    the rate limits X stated, as last seen by any command
 *   accounts/<account>/uploads/            resumable-upload journal
 */

export interface OAuth1Credentials {
  consumerKey: string;
  consumerSecret: string;
  token: string;
  tokenSecret: string;
}

export interface RateLimitSnapshot {
  savedAt: string;
  entries: RateLimitEntry[];
}

const OAUTH1_FIELDS = ['consumerKey', 'consumerSecret', 'token', 'tokenSecret'] as const;

export function tokenStore(home: string): FileTokenStore {
  return fileTokenStore({ dir: join(home, 'tokens') });
}

export function accountDir(home: string, account: string): string {
  return join(home, 'accounts', account);
}

export function uploadsDir(home: string, account: string): string {
  return join(accountDir(home, account), 'uploads');
}

function oauth1Path(home: string, account: string): string {
  return join(accountDir(home, account), 'oauth1.json');
}

function rateLimitsPath(home: string, account: string): string {
  return join(accountDir(home, account), 'rate-limits.json');
}

export async function readOAuth1(home: string, account: string): Promise<OAuth1Credentials | undefined> {
  const file = oauth1Path(home, account);
  const data = await readJson(file);
  if (data === undefined) return undefined;
  const record = data as Record<string, unknown>;
  for (const field of OAUTH1_FIELDS) {
    if (typeof record[field] !== 'string' || record[field] === '')
      throw new CliError(`${file} is damaged ("${field}" is missing)`, {
        hint: `run \`xpost auth import --account ${account} --consumer-key …\` again`,
      });
  }
  return Object.fromEntries(OAUTH1_FIELDS.map((f) => [f, record[f]])) as unknown as OAuth1Credentials;
}

export async function writeOAuth1(
  home: string,
  account: string,
  credentials: OAuth1Credentials,
): Promise<void> {
  await ensureDir(accountDir(home, account));
  await writeFileAtomic(
    oauth1Path(home, account),
    `${JSON.stringify({ version: 1, ...credentials }, null, 2)}\n`,
    FILE_MODE,
  );
}

export async function deleteOAuth1(home: string, account: string): Promise<void> {
  await rm(oauth1Path(home, account), { force: true });
}

export async function readRateLimits(home: string, account: string): Promise<RateLimitSnapshot | undefined> {
  const data = (await readJson(rateLimitsPath(home, account)).catch(() => undefined)) as
    | RateLimitSnapshot
    | undefined;
  return data && Array.isArray(data.entries) ? data : undefined;
}

/** Merge the newest limits into the account's snapshot: per endpoint, the later answer wins. */
export async function saveRateLimits(
  home: string,
  account: string,
  entries: readonly RateLimitEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const previous = (await readRateLimits(home, account))?.entries ?? [];
  const merged = new Map<string, RateLimitEntry>();
  for (const entry of [...previous, ...entries]) {
    const key = `${entry.subject}\u0000${entry.endpoint}`;
    const old = merged.get(key);
    if (!old || old.updatedAt <= entry.updatedAt) merged.set(key, entry);
  }
  const snapshot: RateLimitSnapshot = { savedAt: new Date().toISOString(), entries: [...merged.values()] };
  await ensureDir(accountDir(home, account));
  await writeFileAtomic(rateLimitsPath(home, account), `${JSON.stringify(snapshot, null, 2)}\n`, FILE_MODE);
}

/** Remove the account's local state (its tokens are removed through the token store). */
export async function forgetAccountState(home: string, account: string): Promise<void> {
  await rm(accountDir(home, account), { recursive: true, force: true });
}

/** Every account with credentials or settings: the config's, the token store's, the OAuth 1.0a ones. */
export async function listAccounts(home: string, configured: Iterable<string>): Promise<string[]> {
  const names = new Set(configured);
  for (const file of await readdir(join(home, 'tokens')).catch(() => [] as string[])) {
    if (file.endsWith('.json') && !file.startsWith('.')) names.add(decodeURIComponent(file.slice(0, -5)));
  }
  for (const dir of await readdir(join(home, 'accounts')).catch(() => [] as string[])) {
    if ((await readOAuth1(home, dir).catch(() => undefined)) !== undefined) names.add(dir);
  }
  return [...names].sort();
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch {
    // Not quoted: the file may hold secrets.
    throw new CliError(`${file} is not valid JSON`, { hint: 'delete it and log in again' });
  }
}

/**
 * After a login or an import: remember what the account's credentials belong to. The API base is kept
 * when it was chosen for this login (tokens from an emulator are no good at api.x.com); the client id
 * and secret when they were passed as flags (refreshes need the app that issued the tokens). The
 * first account logged in becomes the default one.
 */
export async function rememberAccount(
  home: string,
  account: string,
  remember: { apiBase?: string; clientId?: string; clientSecret?: string },
): Promise<void> {
  await updateConfig(home, (config) => {
    const settings = { ...(config.accounts[account] ?? {}) };
    if (remember.apiBase !== undefined) {
      if (remember.apiBase === DEFAULT_API_BASE) delete settings.apiBase;
      else settings.apiBase = remember.apiBase;
    }
    if (remember.clientId !== undefined) {
      settings.clientId = remember.clientId;
      if (remember.clientSecret !== undefined) settings.clientSecret = remember.clientSecret;
      else delete settings.clientSecret;
    }
    config.accounts[account] = settings;
    config.defaultAccount ??= account;
  });
}

/** Drop the account from the config (and as the default account). */
export async function forgetAccountSettings(home: string, account: string): Promise<void> {
  const config = await readConfig(home);
  if (!config.accounts[account] && config.defaultAccount !== account) return;
  await updateConfig(home, (c) => {
    delete c.accounts[account];
    if (c.defaultAccount === account) delete c.defaultAccount;
  });
}
