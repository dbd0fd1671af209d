import type { Command } from 'commander';
import { revokeToken, XClient, XNetworkError, XTimeoutError } from '../../x/index.js';
import {
  deleteOAuth1,
  forgetAccountSettings,
  forgetAccountState,
  readOAuth1,
  tokenStore,
} from '../accounts.js';
import { runAction } from '../context.js';
import { describeError } from '../errors.js';

export function registerLogoutCommand(program: Command): void {
  program
    .command('logout')
    .description("Revoke the account's OAuth 2.0 tokens at X and forget its credentials and settings.")
    .addHelpText(
      'after',
      `
The refresh token and the access token are revoked at X (POST /2/oauth2/revoke). When X cannot be
reached the tokens are still forgotten here, with a warning. OAuth 1.0a tokens cannot be revoked
through the API: regenerate them in the developer portal.

Examples:
  $ xpost logout
  $ xpost --account work logout`,
    )
    .action(
      runAction(async (ctx) => {
        const account = ctx.accountName();
        const settings = await ctx.settings();
        const store = tokenStore(ctx.home);
        const tokens = await store.get(account).catch(() => undefined);
        const oauth1 = await readOAuth1(ctx.home, account).catch(() => undefined);
        let revoked = false;
        if (tokens) {
          if (!settings.clientId) {
            ctx.out.warn('no client id (XPOST_CLIENT_ID or the config), so the tokens were not revoked at X');
          } else {
            const client = new XClient({ apiBase: ctx.apiBase, maxRetries: 1 });
            const app = {
              send: (r: Parameters<XClient['send']>[0]) => client.send(r),
              clientId: settings.clientId,
              ...(settings.clientSecret ? { clientSecret: settings.clientSecret } : {}),
              signal: ctx.signal,
            };
            try {
              // The refresh token first: with it gone, a stolen access token dies within two hours anyway.
              if (tokens.refreshToken)
                await revokeToken({ ...app, token: tokens.refreshToken, tokenTypeHint: 'refresh_token' });
              await revokeToken({ ...app, token: tokens.accessToken, tokenTypeHint: 'access_token' });
              revoked = true;
            } catch (error) {
              if (ctx.signal.aborted) throw error;
              const why = describeError(error).line;
              ctx.out.warn(
                error instanceof XNetworkError || error instanceof XTimeoutError
                  ? `X could not be reached, so the tokens were not revoked (${why}); forgetting them anyway`
                  : `X refused to revoke the tokens (${why}); forgetting them anyway`,
              );
            }
          }
          await store.delete(account);
        }
        if (oauth1) await deleteOAuth1(ctx.home, account);
        await forgetAccountState(ctx.home, account);
        await forgetAccountSettings(ctx.home, account);
        const what =
          !tokens && !oauth1
            ? `Account ${account} was not logged in; nothing to do`
            : `Logged out account ${account}${revoked ? ' (tokens revoked at X)' : ''}`;
        ctx.out.result(what, { account, loggedOut: Boolean(tokens || oauth1), revoked });
      }),
    );
}
