import { randomToken } from '../ids.js';
import type { EmulatorStore } from './store.js';
import type { EmulatorApp, EmulatorUser } from './types.js';

/** Every scope a posting client asks for (REFERENCE §1.7), granted to the ready-made user's token. */
export const ALL_POSTING_SCOPES = [
  'tweet.read',
  'tweet.write',
  'users.read',
  'offline.access',
  'media.write',
];

/** Callback URLs the ready-made apps accept: the CLI's loopback login and the service's callback. */
export const DEFAULT_REDIRECT_URIS = [
  'http://127.0.0.1:8976/callback',
  'http://localhost:8976/callback',
  'http://127.0.0.1:3000/connect/x/callback',
  'http://localhost:3000/connect/x/callback',
];

export interface AppFixtureOptions {
  name?: string;
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string[];
  consumerKey?: string;
  consumerSecret?: string;
  oauth1Permissions?: 'read' | 'read-write';
  enrolled?: boolean;
}

export interface UserFixtureOptions {
  id?: string;
  username?: string;
  name?: string;
  premium?: boolean;
}

export interface FixtureOptions {
  /** The confidential (Basic auth) app. Its ids are stable across restarts so configs keep working. */
  app?: AppFixtureOptions;
  /** The public app (PKCE with `client_id` in the body, no secret). */
  publicApp?: AppFixtureOptions;
  user?: UserFixtureOptions;
  /** A second account: for ownership rules (media and posts of someone else) and replies. */
  otherUser?: UserFixtureOptions;
}

/** A user with credentials ready to use, so a test can start without the consent page. */
export interface ReadyUser extends EmulatorUser {
  /** OAuth 2.0 user-context token for `app`, with every posting scope. */
  accessToken: string;
  refreshToken: string;
  scopes: string[];
  /** OAuth 1.0a access token and secret for `app`'s consumer key. */
  oauth1: { token: string; tokenSecret: string };
}

export interface Fixtures {
  app: EmulatorApp;
  publicApp: EmulatorApp;
  user: ReadyUser;
  otherUser: ReadyUser;
}

/** Fill an empty store with the ready-made apps and users, and mint their tokens. */
export function seedFixtures(store: EmulatorStore, options: FixtureOptions = {}): Fixtures {
  const app = addApp(store, {
    id: '29000001',
    name: options.app?.name ?? 'xpost sandbox',
    clientId: options.app?.clientId ?? 'sandbox-client-id',
    clientSecret: options.app?.clientSecret ?? 'sandbox-client-secret',
    clientType: 'confidential',
    redirectUris: options.app?.redirectUris ?? DEFAULT_REDIRECT_URIS,
    consumerKey: options.app?.consumerKey ?? 'sandbox-consumer-key',
    consumerSecret: options.app?.consumerSecret ?? 'sandbox-consumer-secret',
    oauth1Permissions: options.app?.oauth1Permissions ?? 'read-write',
    enrolled: options.app?.enrolled ?? true,
    bearerToken: `AAAAAAAAAAAAAAAAAAAAA${randomToken(24)}`,
  });
  const publicApp = addApp(store, {
    id: '29000002',
    name: options.publicApp?.name ?? 'xpost sandbox (public client)',
    clientId: options.publicApp?.clientId ?? 'sandbox-public-client-id',
    clientSecret: null,
    clientType: 'public',
    redirectUris: options.publicApp?.redirectUris ?? DEFAULT_REDIRECT_URIS,
    consumerKey: options.publicApp?.consumerKey ?? 'sandbox-public-consumer-key',
    consumerSecret: options.publicApp?.consumerSecret ?? 'sandbox-public-consumer-secret',
    oauth1Permissions: options.publicApp?.oauth1Permissions ?? 'read-write',
    enrolled: options.publicApp?.enrolled ?? true,
    bearerToken: `AAAAAAAAAAAAAAAAAAAAA${randomToken(24)}`,
  });
  const user = createReadyUser(store, app, {
    id: options.user?.id ?? '1580000000000000001',
    username: options.user?.username ?? 'sandbox',
    name: options.user?.name ?? 'Sandbox User',
    premium: options.user?.premium ?? false,
  });
  const otherUser = createReadyUser(store, app, {
    id: options.otherUser?.id ?? '1580000000000000002',
    username: options.otherUser?.username ?? 'sandbox_friend',
    name: options.otherUser?.name ?? 'Sandbox Friend',
    premium: options.otherUser?.premium ?? false,
  });
  return { app, publicApp, user, otherUser };
}

export function addApp(store: EmulatorStore, app: EmulatorApp): EmulatorApp {
  if (store.apps.has(app.clientId)) throw new Error(`an app with client id ${app.clientId} already exists`);
  store.apps.set(app.clientId, app);
  return app;
}

export function addUser(store: EmulatorStore, user: Required<UserFixtureOptions>): EmulatorUser {
  if (store.users.has(user.id)) throw new Error(`a user with id ${user.id} already exists`);
  if (store.userByUsername(user.username)) throw new Error(`a user named @${user.username} already exists`);
  const record: EmulatorUser = {
    ...user,
    createdAt: Date.UTC(2022, 9, 1),
    description: `${user.name} lives in the xpost emulator.`,
    protected: false,
  };
  store.users.set(record.id, record);
  return record;
}

/** Add a user and mint OAuth 2.0 and OAuth 1.0a credentials for it on `app`. */
export function createReadyUser(
  store: EmulatorStore,
  app: EmulatorApp,
  fields: Required<UserFixtureOptions>,
): ReadyUser {
  const user = addUser(store, fields);
  const tokens = store.issueTokens(app.clientId, user.id, ALL_POSTING_SCOPES);
  const oauth1 = { token: `${user.id}-${randomToken(20)}`, tokenSecret: randomToken(30) };
  store.oauth1Tokens.set(oauth1.token, {
    token: oauth1.token,
    secret: oauth1.tokenSecret,
    consumerKey: app.consumerKey,
    userId: user.id,
  });
  // A live view of the stored user, so premium changes show through the handle.
  return Object.defineProperties({} as ReadyUser, {
    ...Object.fromEntries(
      (Object.keys(user) as (keyof EmulatorUser)[]).map((key) => [
        key,
        { enumerable: true, get: () => store.users.get(user.id)?.[key] ?? user[key] },
      ]),
    ),
    accessToken: { enumerable: true, value: tokens.access_token },
    refreshToken: { enumerable: true, value: tokens.refresh_token },
    scopes: { enumerable: true, value: [...ALL_POSTING_SCOPES] },
    oauth1: { enumerable: true, value: oauth1 },
  });
}
