import type { Command } from 'commander';
import {
  type FileJournal,
  fileJournal,
  oauth1UserAuth,
  oauth2UserAuth,
  staticBearer,
  type UploadJournal,
  XClient,
} from '../x/index.js';
import { readOAuth1, saveRateLimits, tokenStore, uploadsDir } from './accounts.js';
import { type ResolvedSettings, readConfig, resolveHome, resolveSettings } from './config.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { createOutput, type Output } from './output.js';

/** The program's global options (`xpost --help`). */
export interface GlobalOptions {
  account?: string;
  apiBase?: string;
  json?: boolean;
  verbose?: boolean;
}

/** What every command gets: settings resolved once, output, credentials on demand, Ctrl-C as a signal. */
export interface CliContext {
  /** `$XPOST_HOME`. */
  readonly home: string;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly out: Output;
  /** Aborted on SIGINT or SIGTERM; pass it to every SDK call. */
  readonly signal: AbortSignal;
  /** The API base after flags, environment and config (default https://api.x.com). */
  readonly apiBase: string;
  /** Flags, environment and config, resolved (account, client id, premium, …). */
  settings(): Promise<ResolvedSettings>;
  /** The account this command acts for (`--account`, `XPOST_ACCOUNT`, the config's default, `default`). */
  accountName(): string;
  /** An `XClient` for the account from its stored credentials; `CliError` (exit 3) when there are none. */
  client(): Promise<XClient>;
  /** The account's resumable-upload journal (`$XPOST_HOME/accounts/<account>/uploads`). */
  journal(): UploadJournal;
  /** Store the client's rate-limit snapshot for `auth status` (runAction does it after every command too). */
  saveRateLimits(client: XClient): Promise<void>;
}

/**
 * Build the context for a command. Settings are read before the action runs (runAction awaits
 * `ready`), so `accountName()` and `apiBase` are synchronous.
 */
export async function contextFrom(
  command: Command,
  signal: AbortSignal = new AbortController().signal,
): Promise<CliContext> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const json = globals.json === true;
  const verbose = globals.verbose === true;
  const out = createOutput({ json, verbose });
  const home = resolveHome();
  const config = await readConfig(home);
  const settings = resolveSettings({
    home,
    config,
    ...(globals.account !== undefined ? { account: globals.account } : {}),
    ...(globals.apiBase !== undefined ? { apiBase: globals.apiBase } : {}),
  });
  let client: Promise<XClient> | undefined;
  let journal: FileJournal | undefined;
  const context: CliContext = {
    home,
    json,
    verbose,
    out,
    signal,
    apiBase: settings.apiBase,
    settings: async () => settings,
    accountName: () => settings.account,
    client: () => {
      client ??= buildClient(settings);
      client.catch(() => {
        client = undefined;
      });
      return client;
    },
    journal: () => {
      journal ??= fileJournal({
        dir: uploadsDir(home, settings.account),
        onWarning: (w) => out.warn(`upload journal: ${w.message} (${w.path}); starting that upload afresh`),
      });
      return journal;
    },
    saveRateLimits: (c) => saveRateLimits(home, settings.account, c.rateLimits.all()),
  };
  clients.set(context, () => client);
  return context;
}

const clients = new WeakMap<CliContext, () => Promise<XClient> | undefined>();

/**
 * An `XClient` for `settings.account` from what is stored: OAuth 1.0a keys when the account has
 * them, else its OAuth 2.0 token pair (refreshed through `oauth2UserAuth`, subject = account name).
 */
export async function buildClient(settings: ResolvedSettings): Promise<XClient> {
  const { home, account, apiBase, maxWeightedLength } = settings;
  const oauth1 = await readOAuth1(home, account);
  if (oauth1) {
    return new XClient({ apiBase, maxWeightedLength, auth: oauth1UserAuth({ ...oauth1, subject: account }) });
  }
  const store = tokenStore(home);
  const stored = await store.get(account);
  if (!stored) {
    throw new CliError(`no credentials for account "${account}"`, {
      exitCode: EXIT.AUTH,
      code: 'no_credentials',
      hint: `run \`xpost login --account ${account}\` (or \`xpost auth import\`)`,
    });
  }
  // A token imported without a refresh token can never be refreshed: no client id is needed, and
  // when it expires X's 401 becomes "run xpost login".
  if (!stored.refreshToken) {
    return new XClient({
      apiBase,
      maxWeightedLength,
      auth: staticBearer(stored.accessToken, { subject: account }),
    });
  }
  if (!settings.clientId) {
    throw new CliError(`account "${account}" has OAuth 2.0 tokens but no client id to refresh them with`, {
      exitCode: EXIT.AUTH,
      code: 'no_client_id',
      hint: 'set XPOST_CLIENT_ID (and XPOST_CLIENT_SECRET for a confidential app), or log in again with --client-id',
    });
  }
  // One XClient sends both the API calls and the refreshes, so refreshes see the same --api-base.
  let client: XClient | undefined;
  const auth = oauth2UserAuth({
    store,
    key: account,
    clientId: settings.clientId,
    ...(settings.clientSecret ? { clientSecret: settings.clientSecret } : {}),
    send: (request) => (client as XClient).send(request),
    subject: account,
  });
  client = new XClient({ apiBase, maxWeightedLength, auth });
  return client;
}

type Action<A extends unknown[]> = (ctx: CliContext, ...args: A) => Promise<void>;

/**
 * Wrap a commander action: build the context, run it, turn any error into its one line and exit code
 * (`process.exitCode`), save the rate limits the client saw. The action receives what commander
 * passes (arguments, then options, then the command) after the context:
 *
 *   .action(runAction(async (ctx, text: string, opts: PostOptions) => { … }))
 */
export function runAction<A extends unknown[]>(fn: Action<A>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const controller = new AbortController();
    let interrupts = 0;
    const onSignal = (name: NodeJS.Signals) => {
      interrupts += 1;
      // A second Ctrl-C means "now": do not wait for the command to wind down.
      if (interrupts > 1) process.exit(EXIT.INTERRUPTED);
      const error = new Error(`interrupted by ${name}`);
      error.name = 'AbortError';
      controller.abort(error);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let ctx: CliContext | undefined;
    try {
      ctx = await contextFrom(command, controller.signal);
      await fn(ctx, ...(args as A));
    } catch (error) {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const out =
        ctx?.out ?? createOutput({ json: globals.json === true, verbose: globals.verbose === true });
      const interrupted = controller.signal.aborted;
      const code = out.printError(interrupted ? controller.signal.reason : error, {
        ...(ctx ? { account: ctx.accountName() } : {}),
      });
      process.exitCode = interrupted ? EXIT.INTERRUPTED : code;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const pending = ctx ? clients.get(ctx)?.() : undefined;
      if (ctx && pending) {
        const c = await pending.catch(() => undefined);
        if (c) await ctx.saveRateLimits(c).catch(() => {});
      }
    }
  };
}
