import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  buildAuthorizeUrl,
  codeChallengeS256,
  DEFAULT_SCOPES,
  exchangeCode,
  generateCodeVerifier,
  generateState,
  XClient,
} from '../../x/index.js';
import { deleteOAuth1, rememberAccount, tokenStore } from '../accounts.js';
import { buildClient, runAction } from '../context.js';
import { usageError } from '../errors.js';
import { canOpenBrowser, openBrowser } from '../login/browser.js';
import { startLoopbackServer } from '../login/loopback-server.js';
import { readPastedCode } from '../login/paste.js';
import { authorizeUrlFor, DEFAULT_LOGIN_PORT, planRedirect } from '../login/redirect.js';

/** How long to wait for the browser (or a paste) before giving up. */
export const DEFAULT_LOGIN_TIMEOUT_S = 300;

interface LoginOptions {
  clientId?: string;
  clientSecret?: string;
  scopes: string[];
  browser: boolean;
  port?: number;
  redirectUri?: string;
  authorizeUrl?: string;
  timeout: number;
}

export function registerLoginCommand(program: Command): void {
  program
    .command('login')
    .description('Log in to X in the browser (OAuth 2.0 with PKCE) and store the tokens for the account.')
    .option('--client-id <id>', "the app's OAuth 2.0 Client ID (env XPOST_CLIENT_ID, or the config's)")
    .option('--client-secret <secret>', 'the client secret, for confidential apps (env XPOST_CLIENT_SECRET)')
    .option(
      '--scopes <scopes>',
      `scopes to ask for, space- or comma-separated (default "${DEFAULT_SCOPES.join(' ')}")`,
      parseScopes,
    )
    .option(
      '--no-browser',
      'do not start a browser or a local server: print the URL and read the redirect URL from stdin',
    )
    .addOption(
      new Option(
        '--port <n>',
        `port of the loopback redirect http://127.0.0.1:<n>/callback (default ${DEFAULT_LOGIN_PORT})`,
      ).argParser(parsePort),
    )
    .option('--redirect-uri <url>', 'the exact redirect URI registered for the app (a loopback http URL)')
    .option(
      '--authorize-url <url>',
      "the consent page (default: X's, or <api-base>/i/oauth2/authorize for other API bases)",
    )
    .option(
      '--timeout <seconds>',
      'how long to wait for the browser or the paste',
      parseSeconds,
      DEFAULT_LOGIN_TIMEOUT_S,
    )
    .addHelpText(
      'after',
      `
Register http://127.0.0.1:${DEFAULT_LOGIN_PORT}/callback as a callback URL of your app (or pass the one you registered).

Examples:
  $ xpost login --client-id ID --client-secret SECRET       # opens the browser
  $ xpost login --account work                              # a second account
  $ xpost login --no-browser                                # on a server: paste the redirect URL
  $ xpost --api-base http://127.0.0.1:8787 login --client-id sandbox-client-id --client-secret sandbox-client-secret`,
    )
    .action(
      runAction(async (ctx, opts: LoginOptions) => {
        const settings = await ctx.settings();
        const account = ctx.accountName();
        const env = process.env;
        const clientId = opts.clientId ?? settings.clientId;
        if (!clientId) {
          throw usageError(
            'no client id to log in with',
            "pass --client-id (the app's OAuth 2.0 Client ID) or set XPOST_CLIENT_ID",
          );
        }
        const clientSecret =
          opts.clientSecret ??
          (opts.clientId !== undefined && opts.clientId !== settings.clientId
            ? env.XPOST_CLIENT_SECRET || undefined
            : settings.clientSecret);
        const scopes = opts.scopes ?? [...DEFAULT_SCOPES];
        const plan = planRedirect({
          ...(opts.redirectUri ? { redirectUri: opts.redirectUri } : {}),
          ...(opts.port !== undefined ? { port: opts.port } : {}),
        });
        const authorizeBase = authorizeUrlFor(ctx.apiBase, opts.authorizeUrl);
        const timeoutMs = opts.timeout * 1000;
        const state = generateState();
        const codeVerifier = generateCodeVerifier();
        const authorizeUrl = (redirectUri: string) =>
          buildAuthorizeUrl({
            clientId,
            redirectUri,
            scopes,
            state,
            codeChallenge: codeChallengeS256(codeVerifier),
            authorizeBase,
          }).toString();
        // The URL goes to stderr even with --json: without it there is no way to log in.
        const say = (line: string) => process.stderr.write(`${line}\n`);

        let code: string;
        let redirectUri: string;
        if (!opts.browser) {
          if (plan.port === 0)
            throw usageError(
              '--port 0 needs the local server',
              'pass the port registered for the app, or drop --no-browser',
            );
          redirectUri = plan.uri(plan.port);
          say(`Open this URL in a browser and approve:\n\n  ${authorizeUrl(redirectUri)}\n`);
          say(`The browser is then sent to ${redirectUri}?state=…&code=… (the page may not load).`);
          say('Paste that whole address here and press Enter:');
          code = await readPastedCode({ input: process.stdin, state, timeoutMs, signal: ctx.signal });
        } else {
          const server = await startLoopbackServer({
            host: plan.host,
            port: plan.port,
            path: plan.path,
            state,
            timeoutMs,
            signal: ctx.signal,
          });
          try {
            redirectUri = plan.uri(server.port);
            const url = authorizeUrl(redirectUri);
            say(`Open this URL to log in to X (account ${account}):\n\n  ${url}\n`);
            if (canOpenBrowser())
              await openBrowser(url, (message) =>
                ctx.out.warn(`could not open a browser (${message}); open the URL yourself`),
              );
            say(
              `Waiting for the browser at ${redirectUri} (up to ${Math.round(opts.timeout / 60) || 1} min, Ctrl-C to stop)…`,
            );
            code = await server.code();
          } finally {
            await server.close();
          }
        }

        const anonymous = new XClient({ apiBase: ctx.apiBase });
        const tokens = await exchangeCode({
          send: (request) => anonymous.send(request),
          clientId,
          ...(clientSecret ? { clientSecret } : {}),
          code,
          codeVerifier,
          redirectUri,
          signal: ctx.signal,
        });
        await tokenStore(ctx.home).set(account, tokens);
        await deleteOAuth1(ctx.home, account);
        await rememberAccount(ctx.home, account, {
          ...(settings.apiBaseSource === 'flag' || settings.apiBaseSource === 'env'
            ? { apiBase: ctx.apiBase }
            : {}),
          ...(opts.clientId !== undefined ? { clientId, ...(clientSecret ? { clientSecret } : {}) } : {}),
        });

        const client = await buildClient({
          ...settings,
          clientId,
          ...(clientSecret ? { clientSecret } : {}),
        });
        const me = await client.users.me({ signal: ctx.signal });
        await ctx.saveRateLimits(client);
        ctx.out.result(`Logged in as @${me.username} (account ${account})`, {
          account,
          user: { id: me.id, username: me.username, name: me.name },
          scopes: tokens.scopes,
          expiresAt: new Date(tokens.expiresAt).toISOString(),
          refreshToken: tokens.refreshToken !== undefined,
          apiBase: ctx.apiBase,
        });
      }),
    );
}

function parseScopes(value: string): string[] {
  const scopes = value.split(/[\s,]+/).filter((s) => s !== '');
  if (scopes.length === 0)
    throw new InvalidArgumentError(
      'name at least one scope, e.g. "tweet.read tweet.write users.read offline.access"',
    );
  return scopes;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('must be a whole number from 0 to 65535.');
  }
  return port;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number of seconds > 0.');
  return n;
}
