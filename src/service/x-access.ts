import { DEFAULT_AUTHORIZE_URL } from '../x/index.js';
import type { ServiceConfig } from './config.js';
import type { XAppAccess } from './deps.js';
import { ServiceError } from './errors.js';
import type { AccountRow } from './store/sql.js';
import type { XAccess } from './worker/account-client.js';

/**
 * How the service reaches X: which OAuth app and API base each account uses (`RouteDeps.x`,
 * `PublishDeps.x`) and which app new accounts connect through (`RouteDeps.xApp`).
 *
 * There are two kinds of account (`accounts.sandbox`):
 * - real ones, connected through the X app of `XPOST_CLIENT_ID`/`XPOST_CLIENT_SECRET`, at
 *   `XPOST_API_BASE` (https://api.x.com);
 * - sandbox ones, connected to the emulator `xpost serve` starts in-process in sandbox mode (no
 *   `XPOST_CLIENT_ID`, see sandbox.ts). That emulator lives and dies with the serve process.
 *
 * An account whose side is not running here (a sandbox account after XPOST_CLIENT_ID was set, or a
 * real account in sandbox mode) cannot be reached: `x(account)` throws `XAccessUnavailableError`
 * before anything is sent anywhere. The worker fails such a target at once with the error's code
 * (`sandbox_account` or `x_app_not_configured`) and message; a route answers 409 with them.
 */

/** The emulator sandbox accounts live on, when `xpost serve` runs one (sandbox.ts). */
export interface SandboxX {
  /** The emulator's URL: API base and authorize host. */
  apiBase: string;
  clientId: string;
  clientSecret?: string;
}

export type XAccessUnavailableCode = 'sandbox_account' | 'x_app_not_configured';

/**
 * The account cannot be used by this process. A `ServiceError` (409), so a route that meets it
 * answers problem+json with the code; the worker fails the target with the same code and message.
 */
export class XAccessUnavailableError extends ServiceError {
  declare readonly code: XAccessUnavailableCode;

  constructor(code: XAccessUnavailableCode, message: string) {
    super(409, code, message);
  }
}

export const SANDBOX_ACCOUNT_MESSAGE =
  'this account was connected to the sandbox; connect a real account with GET /connect/x';
export const X_APP_NOT_CONFIGURED_MESSAGE =
  'this account was connected to X, but no X app is configured (sandbox mode): set XPOST_CLIENT_ID and XPOST_CLIENT_SECRET and restart';

/**
 * Why this account cannot be used here, or undefined when it can. Explicit, so callers that want to
 * check before building a client (a route listing accounts, the worker) need not catch.
 */
export function xAccessUnavailable(
  config: Pick<ServiceConfig, 'x'>,
  account: Pick<AccountRow, 'sandbox'>,
  sandbox?: SandboxX,
): XAccessUnavailableError | undefined {
  if (account.sandbox && !sandbox)
    return new XAccessUnavailableError('sandbox_account', SANDBOX_ACCOUNT_MESSAGE);
  if (!account.sandbox && config.x.sandbox)
    return new XAccessUnavailableError('x_app_not_configured', X_APP_NOT_CONFIGURED_MESSAGE);
  return undefined;
}

/** Shorthand: a sandbox account while no sandbox emulator runs in this process. */
export function sandboxUnavailable(account: Pick<AccountRow, 'sandbox'>, sandbox?: SandboxX): boolean {
  return account.sandbox && !sandbox;
}

/**
 * `RouteDeps.x` / `PublishDeps.x` from the configuration: real accounts use the configured X app,
 * sandbox accounts the sandbox emulator (when `sandbox` is given). Throws `XAccessUnavailableError`
 * for an account this process cannot reach (see above).
 */
export function xAccessFromConfig(
  config: Pick<ServiceConfig, 'x'>,
  sandbox?: SandboxX,
): (account: AccountRow) => XAccess {
  return (account) => {
    const unavailable = xAccessUnavailable(config, account, sandbox);
    if (unavailable) throw unavailable;
    // The client checks a post's weighted length against the account's own limit before sending.
    const maxWeightedLength = account.post_length_limit;
    if (account.sandbox) {
      const s = sandbox!;
      return {
        clientId: s.clientId,
        ...(s.clientSecret === undefined ? {} : { clientSecret: s.clientSecret }),
        client: { apiBase: s.apiBase, maxWeightedLength },
      };
    }
    const x = config.x as Extract<ServiceConfig['x'], { sandbox: false }>;
    const secret = x.clientSecret?.reveal();
    return {
      clientId: x.clientId,
      ...(secret === undefined ? {} : { clientSecret: secret }),
      client: { apiBase: x.apiBase, maxWeightedLength },
    };
  };
}

/**
 * `RouteDeps.xApp`: the app `GET /connect/x` connects accounts through. Sandbox mode needs the
 * running emulator (`sandbox`); accounts connected through it are marked sandbox accounts.
 */
export function xAppFromConfig(config: Pick<ServiceConfig, 'x'>, sandbox?: SandboxX): XAppAccess {
  if (config.x.sandbox) {
    if (!sandbox) {
      throw new Error(
        'sandbox mode (no XPOST_CLIENT_ID) needs the sandbox emulator: start it with startSandbox(), or set XPOST_CLIENT_ID',
      );
    }
    return {
      clientId: sandbox.clientId,
      ...(sandbox.clientSecret === undefined ? {} : { clientSecret: sandbox.clientSecret }),
      apiBase: sandbox.apiBase,
      authorizeUrl: authorizeUrlFor(sandbox.apiBase),
      sandbox: true,
    };
  }
  const secret = config.x.clientSecret?.reveal();
  return {
    clientId: config.x.clientId,
    ...(secret === undefined ? {} : { clientSecret: secret }),
    apiBase: config.x.apiBase,
    authorizeUrl: authorizeUrlFor(config.x.apiBase),
    sandbox: false,
  };
}

/** X's API hosts; any other `XPOST_API_BASE` (an emulator, a proxy) serves the authorize page itself. */
const X_API_HOSTS = new Set(['api.x.com', 'api.twitter.com']);

/**
 * `https://x.com/i/oauth2/authorize` for X itself; `<api base>/i/oauth2/authorize` when
 * `XPOST_API_BASE` points elsewhere (an `xpost emulator` on another machine, say), where the
 * emulator serves its consent page.
 */
export function authorizeUrlFor(apiBase: string): string {
  return X_API_HOSTS.has(new URL(apiBase).hostname)
    ? DEFAULT_AUTHORIZE_URL
    : `${apiBase.replace(/\/+$/, '')}/i/oauth2/authorize`;
}
