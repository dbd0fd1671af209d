import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../x/auth/atomic-write.js';
import { DEFAULT_API_BASE } from '../x/index.js';
import { usageError } from './errors.js';

/**
 * `$XPOST_HOME/config.json`: the app's client id and secret, the default account, and per-account
 * settings. Environment variables override it (docs/cli.md, "Configuration"). Secrets live here and
 * in `tokens/`, so every file is 0600 and every folder 0700.
 */

export const DEFAULT_HOME = join(homedir(), '.config', 'xpost');
export const CONFIG_FILE_NAME = 'config.json';
export const DEFAULT_ACCOUNT = 'default';
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;
/** X Premium accounts may post up to 25,000 weighted characters (REFERENCE §7). */
export const PREMIUM_MAX_WEIGHTED_LENGTH = 25_000;
export const STANDARD_MAX_WEIGHTED_LENGTH = 280;
/** Account names become folder and file names: keep them portable. */
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface AccountSettings {
  /** The API this account's credentials belong to (an emulator's URL, say). */
  apiBase?: string;
  /** X Premium: posts may be 25,000 weighted characters instead of 280. */
  premium?: boolean;
  /** The OAuth 2.0 app the account logged in with (its tokens refresh only with the same app). */
  clientId?: string;
  clientSecret?: string;
}

export interface ConfigFile {
  clientId?: string;
  clientSecret?: string;
  defaultAccount?: string;
  apiBase?: string;
  accounts: Record<string, AccountSettings>;
}

const TOP_KEYS: Record<string, 'string' | 'object'> = {
  clientId: 'string',
  clientSecret: 'string',
  defaultAccount: 'string',
  apiBase: 'string',
  accounts: 'object',
};
const ACCOUNT_KEYS: Record<string, 'string' | 'boolean'> = {
  apiBase: 'string',
  premium: 'boolean',
  clientId: 'string',
  clientSecret: 'string',
};

/** `$XPOST_HOME`, or `~/.config/xpost`. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.XPOST_HOME && env.XPOST_HOME !== '' ? env.XPOST_HOME : DEFAULT_HOME;
}

export function configPath(home: string): string {
  return join(home, CONFIG_FILE_NAME);
}

/** Read and check the config file; a missing file is an empty config. */
export async function readConfig(home: string): Promise<ConfigFile> {
  const file = configPath(home);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { accounts: {} };
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw usageError(`${file} is not valid JSON (${(error as Error).message})`, 'fix or delete the file');
  }
  return parseConfig(data, file);
}

/** Check a parsed config: unknown keys and wrong types are refused, naming the file and the key. */
export function parseConfig(data: unknown, file: string): ConfigFile {
  if (!isPlainObject(data)) throw usageError(`${file}: the config must be a JSON object`);
  for (const [key, value] of Object.entries(data)) {
    const type = TOP_KEYS[key];
    if (!type)
      throw usageError(`${file}: unknown key "${key}"`, `known keys: ${Object.keys(TOP_KEYS).join(', ')}`);
    if (type === 'object' ? !isPlainObject(value) : typeof value !== type)
      throw usageError(`${file}: "${key}" must be ${type === 'object' ? 'an object' : `a ${type}`}`);
  }
  const accounts: Record<string, AccountSettings> = {};
  for (const [name, settings] of Object.entries((data.accounts as Record<string, unknown>) ?? {})) {
    if (!ACCOUNT_NAME.test(name))
      throw usageError(`${file}: "accounts.${name}" is not a valid account name`, ACCOUNT_NAME_RULE);
    if (!isPlainObject(settings)) throw usageError(`${file}: "accounts.${name}" must be an object`);
    for (const [key, value] of Object.entries(settings)) {
      const type = ACCOUNT_KEYS[key];
      if (!type)
        throw usageError(
          `${file}: unknown key "accounts.${name}.${key}"`,
          `known keys: ${Object.keys(ACCOUNT_KEYS).join(', ')}`,
        );
      if (typeof value !== type) throw usageError(`${file}: "accounts.${name}.${key}" must be a ${type}`);
    }
    if (typeof settings.apiBase === 'string')
      checkApiBase(settings.apiBase, `${file}: "accounts.${name}.apiBase"`);
    accounts[name] = settings as AccountSettings;
  }
  const config = { ...(data as Omit<ConfigFile, 'accounts'>), accounts };
  if (config.apiBase !== undefined) checkApiBase(config.apiBase, `${file}: "apiBase"`);
  if (config.defaultAccount !== undefined)
    checkAccountName(config.defaultAccount, `${file}: "defaultAccount"`);
  return config;
}

/** Change the config under `fn` and write it back atomically, mode 0600. */
export async function updateConfig(home: string, fn: (config: ConfigFile) => void): Promise<ConfigFile> {
  const config = await readConfig(home);
  fn(config);
  await ensureHome(home);
  await writeFileAtomic(configPath(home), `${JSON.stringify(config, null, 2)}\n`, FILE_MODE);
  return config;
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
}

export async function ensureHome(home: string): Promise<void> {
  await ensureDir(home);
}

export const ACCOUNT_NAME_RULE = 'use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit';

export function checkAccountName(name: string, what = 'account name'): string {
  if (!ACCOUNT_NAME.test(name)) throw usageError(`${what} "${name}" is not valid`, ACCOUNT_NAME_RULE);
  return name;
}

/** An API base must be an http(s) URL with nothing after the host but an optional path. */
export function checkApiBase(value: string, what = '--api-base'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(
      `${what} "${value}" is not a URL`,
      'pass e.g. https://api.x.com or http://127.0.0.1:8787',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw usageError(`${what} "${value}" must be an http(s) URL`, 'pass e.g. https://api.x.com');
  if (url.search || url.hash) throw usageError(`${what} "${value}" must not have a query or fragment`);
  return value.replace(/\/+$/, '');
}

export interface ResolvedSettings {
  home: string;
  account: string;
  apiBase: string;
  /** Where `apiBase` came from, for `auth status`. */
  apiBaseSource: 'flag' | 'env' | 'account' | 'config' | 'default';
  clientId?: string;
  clientSecret?: string;
  premium: boolean;
  maxWeightedLength: number;
  config: ConfigFile;
}

export interface SettingsInput {
  home: string;
  config: ConfigFile;
  env?: NodeJS.ProcessEnv;
  /** `--account`, `--api-base` as given on the command line. */
  account?: string;
  apiBase?: string;
}

/** Flags beat the environment, which beats the account's settings, which beat the file's defaults. */
export function resolveSettings(input: SettingsInput): ResolvedSettings {
  const env = input.env ?? process.env;
  const { config } = input;
  const account = checkAccountName(
    input.account ?? nonEmpty(env.XPOST_ACCOUNT) ?? config.defaultAccount ?? DEFAULT_ACCOUNT,
    input.account !== undefined
      ? '--account'
      : nonEmpty(env.XPOST_ACCOUNT)
        ? 'XPOST_ACCOUNT'
        : 'account name',
  );
  const settings = config.accounts[account] ?? {};
  let apiBase: string;
  let apiBaseSource: ResolvedSettings['apiBaseSource'];
  if (input.apiBase !== undefined) [apiBase, apiBaseSource] = [checkApiBase(input.apiBase), 'flag'];
  else if (nonEmpty(env.XPOST_API_BASE))
    [apiBase, apiBaseSource] = [checkApiBase(env.XPOST_API_BASE as string, 'XPOST_API_BASE'), 'env'];
  else if (settings.apiBase) [apiBase, apiBaseSource] = [settings.apiBase, 'account'];
  else if (config.apiBase) [apiBase, apiBaseSource] = [config.apiBase, 'config'];
  else [apiBase, apiBaseSource] = [DEFAULT_API_BASE, 'default'];
  const clientId = nonEmpty(env.XPOST_CLIENT_ID) ?? settings.clientId ?? config.clientId;
  // A secret belongs to its client id: take it from the same place the id came from, or the env.
  const clientSecret =
    nonEmpty(env.XPOST_CLIENT_SECRET) ??
    (nonEmpty(env.XPOST_CLIENT_ID)
      ? undefined
      : settings.clientId
        ? settings.clientSecret
        : (settings.clientSecret ?? config.clientSecret));
  const premium = settings.premium === true;
  return {
    home: input.home,
    account,
    apiBase,
    apiBaseSource,
    ...(clientId ? { clientId } : {}),
    ...(clientSecret ? { clientSecret } : {}),
    premium,
    maxWeightedLength: premium ? PREMIUM_MAX_WEIGHTED_LENGTH : STANDARD_MAX_WEIGHTED_LENGTH,
    config,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
