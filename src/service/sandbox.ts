import {
  DEFAULT_OAUTH_SETTINGS,
  DEFAULT_REDIRECT_URIS,
  type EmulatorHandle,
  type EmulatorOptions,
  startEmulator,
} from '../emulator/index.js';
import { saveOAuth2Account } from './accounts/save-account.js';
import type { ServiceConfig } from './config.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { Db } from './db/types.js';
import type { XAppAccess } from './deps.js';
import type { AccountRow } from './store/sql.js';
import type { XAccess } from './worker/account-client.js';
import type { WorkerLog } from './worker/runtime.js';
import { type SandboxX, xAccessFromConfig, xAppFromConfig } from './x-access.js';

/**
 * Sandbox mode (issue 6, "Running it"): with no X app configured (no `XPOST_CLIENT_ID`), `xpost serve`
 * starts the X API emulator in its own process, connects the emulator's ready-made user as an
 * account, and every post goes there. A newcomer can post within a minute of cloning, and sees on
 * the emulator's control API what "X" received.
 *
 * The emulator keeps its state in memory: each start is a fresh emulator on a free port with fresh
 * tokens, re-saved to the account. The ready-made user's X id (`1580000000000000001`, @sandbox) is a
 * fixed fixture, so the account keeps its id across restarts and posts scheduled for it before a
 * restart still publish after it. What the emulator received before a restart is gone.
 */

export interface StartSandboxOptions {
  db: Db;
  box: SecretBox;
  config: Pick<ServiceConfig, 'sandbox' | 'x' | 'oauthCallbackUrl'>;
  log: Pick<WorkerLog, 'warn'>;
  /** Emulator options on top of the sandbox's (tests: faults, clock). */
  emulator?: EmulatorOptions;
}

export interface RunningSandbox {
  /** The emulator's URL: `GET <url>/__emulator/posts` lists what was posted. */
  readonly url: string;
  readonly emulator: EmulatorHandle;
  /** The sandbox account (`sandbox: true`), connected and ready to post. */
  readonly account: AccountRow;
  /** The emulator as X, for x-access.ts. */
  readonly x: SandboxX;
  /** `RouteDeps.x` / `PublishDeps.x`: sandbox accounts go to this emulator, real ones to X. */
  readonly xAccess: (account: AccountRow) => XAccess;
  /** `RouteDeps.xApp`: `GET /connect/x` connects more sandbox accounts through the emulator. */
  readonly xApp: XAppAccess;
  /** What the log says, as lines for a terminal (`xpost serve` prints them). */
  readonly notice: readonly string[];
  stop(): Promise<void>;
}

export async function startSandbox(options: StartSandboxOptions): Promise<RunningSandbox> {
  const { db, box, config, log } = options;
  if (!config.sandbox) {
    throw new Error('startSandbox(): an X app is configured (XPOST_CLIENT_ID); sandbox mode is off');
  }
  const overrides = options.emulator ?? {};
  const emulator = await startEmulator({
    ...overrides,
    // Loopback only: the emulator's control API hands out its users' tokens.
    host: '127.0.0.1',
    port: 0,
    logger: false,
    fixtures: {
      ...overrides.fixtures,
      // The consent page accepts this service's callback, whatever its port or public URL.
      app: {
        redirectUris: [...new Set([...DEFAULT_REDIRECT_URIS, config.oauthCallbackUrl])],
        ...overrides.fixtures?.app,
      },
    },
  });
  try {
    const user = emulator.user;
    const account = await saveOAuth2Account(db, box, {
      user: { id: user.id, username: user.username, subscription_type: user.premium ? 'Premium' : 'None' },
      tokens: {
        accessToken: user.accessToken,
        refreshToken: user.refreshToken,
        // Minted just now on the emulator's clock, for its access-token lifetime.
        expiresAt:
          emulator.clock.now() +
          (overrides.oauth?.accessTokenTtlSecs ?? DEFAULT_OAUTH_SETTINGS.accessTokenTtlSecs) * 1000,
        scopes: [...user.scopes],
        tokenType: 'bearer',
      },
      sandbox: true,
    });
    const x: SandboxX = {
      apiBase: emulator.url,
      clientId: emulator.app.clientId,
      ...(emulator.app.clientSecret ? { clientSecret: emulator.app.clientSecret } : {}),
    };
    const notice = sandboxNotice({ url: emulator.url, account, callbackUrl: config.oauthCallbackUrl });
    log.warn({ sandbox: emulator.url, accountId: account.id, username: account.username }, notice.join(' '));
    return {
      url: emulator.url,
      emulator,
      account,
      x,
      xAccess: xAccessFromConfig(config, x),
      xApp: xAppFromConfig(config, x),
      notice,
      stop: () => emulator.close(),
    };
  } catch (error) {
    await emulator.close().catch(() => {});
    throw error;
  }
}

/** The plain words of sandbox mode: where posts go, where to look, how to switch to X. */
export function sandboxNotice(input: { url: string; account: AccountRow; callbackUrl: string }): string[] {
  const { url, account, callbackUrl } = input;
  return [
    `SANDBOX MODE: no X app is configured (XPOST_CLIENT_ID is not set), so posts go to the X API emulator running in this process at ${url}, not to X.`,
    `  Sandbox account @${account.username}, id ${account.id}: connected and ready; post with "accounts": ["${account.id}"] (or "profiles": ["x"]).`,
    `  See what was posted: GET ${url}/__emulator/posts (GET ${url}/__emulator lists the rest). The emulator forgets its posts when the service stops.`,
    `  To post to X: create an app in the X developer portal with ${callbackUrl} as its callback URL, set XPOST_CLIENT_ID and XPOST_CLIENT_SECRET, restart, then connect an account with GET /connect/x.`,
  ];
}
