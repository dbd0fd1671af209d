import { type Command, InvalidArgumentError } from 'commander';
import type { TokenSet, XClient } from '../../x/index.js';
import { listAccounts, readOAuth1, readRateLimits, saveRateLimits, tokenStore } from '../accounts.js';
import { readConfig, resolveSettings } from '../config.js';
import { buildClient, runAction } from '../context.js';
import { CliError, describeError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { type ImportOptions, importCredentials } from './auth-import.js';

export function registerAuthCommand(program: Command): void {
  const auth = program
    .command('auth')
    .description('Inspect and manage stored credentials.')
    .addHelpText(
      'after',
      `
Examples:
  $ xpost auth status
  $ xpost auth import --access-token T --refresh-token R --expires-in 7200 --client-id ID`,
    );

  auth
    .command('status')
    .description(
      'Who each account is logged in as: user, auth kind, scopes, token expiry, rate limits last seen.',
    )
    .addHelpText(
      'after',
      `
Every account is shown unless --account (or XPOST_ACCOUNT) names one. Exits 3 when an account has
no working credentials.

Examples:
  $ xpost auth status
  $ xpost --account work auth status --json | jq .accounts[0].user.username`,
    )
    .action(
      runAction(async (ctx, _opts: unknown, command: Command) => {
        const settings = await ctx.settings();
        const named =
          command.optsWithGlobals<{ account?: string }>().account ?? (process.env.XPOST_ACCOUNT || undefined);
        const names = named
          ? [settings.account]
          : await listAccounts(ctx.home, Object.keys(settings.config.accounts));
        if (names.length === 0) {
          throw new CliError('no accounts are logged in', {
            exitCode: EXIT.AUTH,
            code: 'no_credentials',
            hint: 'run `xpost login`',
          });
        }
        const config = await readConfig(ctx.home);
        const reports: AccountReport[] = [];
        let exitCode: ExitCode = EXIT.OK;
        for (const name of names) {
          const global = command.optsWithGlobals<{ apiBase?: string }>();
          const s = resolveSettings({
            home: ctx.home,
            config,
            account: name,
            ...(global.apiBase ? { apiBase: global.apiBase } : {}),
          });
          const report = await accountReport(ctx.home, s, ctx.signal, config.defaultAccount ?? 'default');
          if (report.error && exitCode === EXIT.OK) exitCode = report.error.exitCode as ExitCode;
          reports.push(report);
        }
        ctx.out.result(reports.map(humanReport).join('\n\n'), { accounts: reports });
        if (exitCode !== EXIT.OK) process.exitCode = exitCode;
      }),
    );

  auth
    .command('import')
    .description(
      'Store credentials you already have, without a browser: an OAuth 2.0 token pair, or OAuth 1.0a keys.',
    )
    .option('--access-token <token>', 'OAuth 2.0 user access token')
    .option('--refresh-token <token>', 'OAuth 2.0 refresh token (needs --client-id to be used)')
    .option(
      '--expires-in <seconds>',
      "seconds the access token has left (default 7200, X's lifetime)",
      parseSeconds,
    )
    .option('--scopes <scopes>', 'the scopes the token was granted, space- or comma-separated')
    .option('--client-id <id>', 'the OAuth 2.0 app the tokens belong to (for refreshing)')
    .option('--client-secret <secret>', 'its secret, for confidential apps')
    .option('--consumer-key <key>', 'OAuth 1.0a API key')
    .option('--consumer-secret <secret>', 'OAuth 1.0a API key secret')
    .option('--token <token>', 'OAuth 1.0a access token')
    .option('--token-secret <secret>', 'OAuth 1.0a access token secret')
    .option('--no-verify', 'store without calling GET /2/users/me first')
    .addHelpText(
      'after',
      `
Give either --access-token (with optional --refresh-token, --expires-in, --scopes, --client-id,
--client-secret) or all four of --consumer-key, --consumer-secret, --token, --token-secret.
The credentials are checked with GET /2/users/me before they are stored (unless --no-verify).

Examples:
  $ xpost auth import --access-token "$AT" --refresh-token "$RT" --expires-in 7200 --client-id "$CID"
  $ xpost --account bot auth import --consumer-key K --consumer-secret S --token T --token-secret TS`,
    )
    .action(runAction(async (ctx, opts: ImportOptions) => importCredentials(ctx, opts)));
}

export interface AccountReport {
  account: string;
  default: boolean;
  apiBase: string;
  premium: boolean;
  auth: 'oauth2' | 'oauth1' | 'none';
  user?: { id: string; username: string; name: string };
  scopes?: string[];
  expiresAt?: string;
  refreshToken?: boolean;
  rateLimits: Array<{
    endpoint: string;
    limit: number;
    remaining: number;
    resetAt: string;
    kind: string;
    seenAt: string;
  }>;
  error?: { code: string; message: string; exitCode: number };
}

async function accountReport(
  home: string,
  settings: ReturnType<typeof resolveSettings>,
  signal: AbortSignal,
  defaultAccount: string,
): Promise<AccountReport> {
  const { account } = settings;
  const report: AccountReport = {
    account,
    default: account === defaultAccount,
    apiBase: settings.apiBase,
    premium: settings.premium,
    auth: 'none',
    rateLimits: [],
  };
  const oauth1 = await readOAuth1(home, account).catch(() => undefined);
  const before: TokenSet | undefined = oauth1 ? undefined : await tokenStore(home).get(account);
  report.auth = oauth1 ? 'oauth1' : before ? 'oauth2' : 'none';
  let client: XClient | undefined;
  try {
    client = await buildClient(settings);
    const me = await client.users.me({ signal });
    report.user = { id: me.id, username: me.username, name: me.name };
  } catch (error) {
    const d = describeError(error, { account });
    report.error = { code: d.code, message: d.line, exitCode: d.exitCode };
  }
  // Read after users.me(): it may have refreshed the pair.
  const tokens =
    report.auth === 'oauth2'
      ? ((await tokenStore(home)
          .get(account)
          .catch(() => undefined)) ?? before)
      : undefined;
  if (tokens) {
    report.scopes = tokens.scopes;
    report.expiresAt = new Date(tokens.expiresAt).toISOString();
    report.refreshToken = tokens.refreshToken !== undefined;
  }
  if (client) {
    await saveRateLimits(home, account, client.rateLimits.all()).catch(() => {});
  }
  const snapshot = await readRateLimits(home, account);
  for (const entry of snapshot?.entries ?? []) {
    for (const kind of ['window', 'user24h', 'app24h'] as const) {
      const w = entry.info[kind];
      if (!w) continue;
      report.rateLimits.push({
        endpoint: entry.endpoint,
        kind,
        limit: w.limit,
        remaining: w.remaining,
        resetAt: new Date(w.resetAt).toISOString(),
        seenAt: new Date(entry.updatedAt).toISOString(),
      });
    }
  }
  return report;
}

function humanReport(r: AccountReport): string {
  const lines = [`${r.account}${r.default ? ' (default)' : ''}`];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(12)}${value}`);
  row('user', r.user ? `@${r.user.username} (${r.user.name}, id ${r.user.id})` : 'unknown');
  row(
    'auth',
    r.auth === 'oauth2' ? 'OAuth 2.0 user token' : r.auth === 'oauth1' ? 'OAuth 1.0a' : 'not logged in',
  );
  if (r.scopes) row('scopes', r.scopes.length > 0 ? r.scopes.join(' ') : 'unknown');
  if (r.expiresAt) {
    const left = Date.parse(r.expiresAt) - Date.now();
    const when = left > 0 ? `in ${Math.ceil(left / 60_000)} min` : 'expired';
    row(
      'token',
      `expires ${r.expiresAt} (${when}); ${r.refreshToken ? 'refreshes itself' : 'no refresh token: log in again when it expires'}`,
    );
  }
  row('api', `${r.apiBase}${r.premium ? ' (Premium: 25,000 characters)' : ''}`);
  if (r.rateLimits.length > 0) {
    row('rate limits', '');
    for (const l of r.rateLimits) {
      lines.push(
        `    ${l.endpoint}${l.kind === 'window' ? '' : ` (${l.kind})`}: ${l.remaining}/${l.limit} left, resets ${l.resetAt}`,
      );
    }
  }
  if (r.error) row('error', r.error.message);
  return lines.join('\n');
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError('must be a whole number of seconds > 0.');
  return n;
}
