import {
  memoryTokenStore,
  oauth1UserAuth,
  oauth2UserAuth,
  staticBearer,
  type TokenSet,
  XClient,
} from '../../x/index.js';
import {
  deleteOAuth1,
  type OAuth1Credentials,
  rememberAccount,
  tokenStore,
  writeOAuth1,
} from '../accounts.js';
import type { CliContext } from '../context.js';
import { usageError } from '../errors.js';

/** X's access tokens live two hours (REFERENCE §1.4): the assumption when --expires-in is not given. */
export const DEFAULT_EXPIRES_IN_S = 7200;

export interface ImportOptions {
  accessToken?: string;
  refreshToken?: string;
  expiresIn?: number;
  scopes?: string;
  clientId?: string;
  clientSecret?: string;
  consumerKey?: string;
  consumerSecret?: string;
  token?: string;
  tokenSecret?: string;
  verify: boolean;
}

const OAUTH1_FLAGS = {
  consumerKey: '--consumer-key',
  consumerSecret: '--consumer-secret',
  token: '--token',
  tokenSecret: '--token-secret',
} as const;
const OAUTH2_ONLY_FLAGS = {
  refreshToken: '--refresh-token',
  expiresIn: '--expires-in',
  scopes: '--scopes',
  clientId: '--client-id',
  clientSecret: '--client-secret',
} as const;

/** `xpost auth import`: check the flags make one kind of credentials, verify them, store them. */
export async function importCredentials(ctx: CliContext, opts: ImportOptions): Promise<void> {
  const oauth1Given = (Object.keys(OAUTH1_FLAGS) as Array<keyof typeof OAUTH1_FLAGS>).filter(
    (k) => opts[k] !== undefined,
  );
  const oauth2Extras = (Object.keys(OAUTH2_ONLY_FLAGS) as Array<keyof typeof OAUTH2_ONLY_FLAGS>).filter(
    (k) => opts[k] !== undefined,
  );
  const account = ctx.accountName();
  const settings = await ctx.settings();

  if (opts.accessToken !== undefined && oauth1Given.length > 0) {
    throw usageError(
      `--access-token (OAuth 2.0) cannot be combined with ${oauth1Given.map((k) => OAUTH1_FLAGS[k]).join(', ')} (OAuth 1.0a)`,
      'import one kind of credentials per account',
    );
  }
  if (oauth1Given.length > 0) {
    const missing = (Object.keys(OAUTH1_FLAGS) as Array<keyof typeof OAUTH1_FLAGS>).filter((k) => !opts[k]);
    if (missing.length > 0) {
      throw usageError(
        `OAuth 1.0a needs all four keys; missing ${missing.map((k) => OAUTH1_FLAGS[k]).join(', ')}`,
        'copy them from the app\'s "Keys and tokens" page in the developer portal',
      );
    }
    if (oauth2Extras.length > 0) {
      throw usageError(
        `${oauth2Extras.map((k) => OAUTH2_ONLY_FLAGS[k]).join(', ')} apply to OAuth 2.0 tokens only, not to OAuth 1.0a keys`,
      );
    }
    const credentials = opts as unknown as OAuth1Credentials;
    const creds: OAuth1Credentials = {
      consumerKey: credentials.consumerKey,
      consumerSecret: credentials.consumerSecret,
      token: credentials.token,
      tokenSecret: credentials.tokenSecret,
    };
    const user = opts.verify
      ? await verify(
          new XClient({ apiBase: ctx.apiBase, auth: oauth1UserAuth({ ...creds, subject: account }) }),
          ctx,
        )
      : undefined;
    await writeOAuth1(ctx.home, account, creds);
    await tokenStore(ctx.home).delete(account);
    await remember(ctx, settings.apiBaseSource);
    ctx.out.result(
      `Imported OAuth 1.0a credentials for account ${account}${user ? ` (@${user.username})` : ''}`,
      { account, auth: 'oauth1', ...(user ? { user } : {}), apiBase: ctx.apiBase },
    );
    return;
  }
  if (opts.accessToken === undefined) {
    if (oauth2Extras.length > 0)
      throw usageError(`${oauth2Extras.map((k) => OAUTH2_ONLY_FLAGS[k]).join(', ')} need --access-token`);
    throw usageError(
      'nothing to import',
      'pass --access-token (OAuth 2.0) or --consumer-key, --consumer-secret, --token and --token-secret (OAuth 1.0a)',
    );
  }
  if (opts.accessToken === '') throw usageError('--access-token is empty');
  if (opts.clientSecret !== undefined && opts.clientId === undefined)
    throw usageError('--client-secret needs --client-id', 'pass the app the tokens belong to');

  const clientId = opts.clientId ?? settings.clientId;
  const clientSecret = opts.clientId !== undefined ? opts.clientSecret : settings.clientSecret;
  if (opts.refreshToken !== undefined && !clientId) {
    ctx.out.warn(
      'no client id (--client-id or XPOST_CLIENT_ID): the refresh token cannot be used until one is set',
    );
  }
  const tokens: TokenSet = {
    accessToken: opts.accessToken,
    ...(opts.refreshToken ? { refreshToken: opts.refreshToken } : {}),
    expiresAt: Date.now() + (opts.expiresIn ?? DEFAULT_EXPIRES_IN_S) * 1000,
    scopes: opts.scopes ? opts.scopes.split(/[\s,]+/).filter((s) => s !== '') : [],
    tokenType: 'bearer',
  };
  let stored = tokens;
  let user: { id: string; username: string; name: string } | undefined;
  if (opts.verify && !tokens.refreshToken) {
    // Nothing to refresh with: a refusal means the token is bad, and should say so.
    user = await verify(
      new XClient({ apiBase: ctx.apiBase, auth: staticBearer(tokens.accessToken, { subject: account }) }),
      ctx,
    );
  } else if (opts.verify) {
    // Verify against a memory copy: a refresh during the check rotates the pair, and the rotated pair is what gets stored.
    const memory = memoryTokenStore({ [account]: tokens });
    let client: XClient | undefined;
    const auth = oauth2UserAuth({
      store: memory,
      key: account,
      clientId: clientId ?? 'unknown-client',
      ...(clientSecret ? { clientSecret } : {}),
      send: (request) => (client as XClient).send(request),
      subject: account,
    });
    client = new XClient({ apiBase: ctx.apiBase, auth });
    user = await verify(client, ctx);
    stored = (await memory.get(account)) ?? tokens;
  }
  await tokenStore(ctx.home).set(account, stored);
  await deleteOAuth1(ctx.home, account);
  await remember(
    ctx,
    settings.apiBaseSource,
    opts.clientId !== undefined ? { clientId: opts.clientId, clientSecret: opts.clientSecret } : undefined,
  );
  ctx.out.result(`Imported an OAuth 2.0 token for account ${account}${user ? ` (@${user.username})` : ''}`, {
    account,
    auth: 'oauth2',
    ...(user ? { user } : {}),
    expiresAt: new Date(stored.expiresAt).toISOString(),
    refreshToken: stored.refreshToken !== undefined,
    scopes: stored.scopes,
    apiBase: ctx.apiBase,
  });
}

async function verify(
  client: XClient,
  ctx: CliContext,
): Promise<{ id: string; username: string; name: string }> {
  const me = await client.users.me({ signal: ctx.signal });
  await ctx.saveRateLimits(client);
  return { id: me.id, username: me.username, name: me.name };
}

async function remember(
  ctx: CliContext,
  apiBaseSource: string,
  app?: { clientId: string; clientSecret: string | undefined },
): Promise<void> {
  await rememberAccount(ctx.home, ctx.accountName(), {
    ...(apiBaseSource === 'flag' || apiBaseSource === 'env' ? { apiBase: ctx.apiBase } : {}),
    ...(app
      ? { clientId: app.clientId, ...(app.clientSecret ? { clientSecret: app.clientSecret } : {}) }
      : {}),
  });
}
