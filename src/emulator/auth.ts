import type { FastifyRequest } from 'fastify';
import {
  hmacSha1Signature,
  type OAuthParam,
  parseOAuthHeader,
  signatureBaseString,
} from '../x/oauth/oauth1-signature.js';
import {
  clientNotEnrolled,
  forbidden,
  oauth1Permissions,
  unauthorized,
  unsupportedAuthentication,
  type XProblem,
} from './problems.js';
import type { EmulatorStore } from './state/store.js';
import type { AccessTokenRecord, EmulatorApp, EmulatorUser } from './state/types.js';

/** Who is calling, once the Authorization header has been checked. */
export type AuthContext =
  | {
      kind: 'oauth2-user';
      app: EmulatorApp;
      user: EmulatorUser;
      token: AccessTokenRecord;
      scopes: Set<string>;
    }
  | { kind: 'oauth1-user'; app: EmulatorApp; user: EmulatorUser }
  | { kind: 'app-only'; app: EmulatorApp };

export type UserAuthContext = Extract<AuthContext, { user: EmulatorUser }>;

/** What a route needs from its caller, declared in the route's `config.auth`. */
export interface RouteAuth {
  /** OAuth 2.0 scopes the token must carry (spec v2.167 `security`). */
  scopes: string[];
  /** Whether the route writes: an OAuth 1.0a app with read-only permission gets the oauth1-permissions 403. */
  write: boolean;
}

export interface AuthSettings {
  /** How far an OAuth 1.0a timestamp may be from the emulator's clock; null turns the check off. */
  oauth1TimestampSkewSecs: number | null;
}

/**
 * Check the Authorization header for a user-context route and return the caller, or the problem X
 * would answer with. Order follows X: authentication (401), then the app's enrolment, then
 * authorization (scopes or OAuth 1.0a permission, 403).
 */
export function authenticateUser(
  request: FastifyRequest,
  store: EmulatorStore,
  routeAuth: RouteAuth,
  settings: AuthSettings,
): UserAuthContext | XProblem {
  const context = identify(request, store, settings);
  if (!context) return unauthorized();
  if (!context.app.enrolled) return clientNotEnrolled(context.app.id);
  if (context.kind === 'app-only') return unsupportedAuthentication();
  if (context.kind === 'oauth2-user') {
    if (!routeAuth.scopes.every((scope) => context.scopes.has(scope))) return forbidden();
  } else if (routeAuth.write && context.app.oauth1Permissions !== 'read-write') {
    return oauth1Permissions();
  }
  return context;
}

function identify(request: FastifyRequest, store: EmulatorStore, settings: AuthSettings): AuthContext | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return identifyBearer(bearer[1]!, store);
  return identifyOAuth1(request, header, store, settings);
}

function identifyBearer(token: string, store: EmulatorStore): AuthContext | null {
  const record = store.accessTokens.get(token);
  if (record) {
    if (record.revoked || store.clock.now() >= record.expiresAt) return null;
    const app = store.appByClientId(record.clientId);
    const user = store.users.get(record.userId);
    if (!app || !user) return null;
    return { kind: 'oauth2-user', app, user, token: record, scopes: new Set(record.scopes) };
  }
  for (const app of store.apps.values()) if (app.bearerToken === token) return { kind: 'app-only', app };
  return null;
}

const OAUTH1_REQUIRED = [
  'oauth_consumer_key',
  'oauth_nonce',
  'oauth_signature',
  'oauth_signature_method',
  'oauth_timestamp',
  'oauth_token',
];

function identifyOAuth1(
  request: FastifyRequest,
  header: string,
  store: EmulatorStore,
  settings: AuthSettings,
): AuthContext | null {
  const oauth = parseOAuthHeader(header);
  if (!oauth || !OAUTH1_REQUIRED.every((key) => oauth.has(key))) return null;
  if (oauth.get('oauth_signature_method') !== 'HMAC-SHA1') return null;
  const version = oauth.get('oauth_version');
  if (version !== undefined && version !== '1.0') return null;
  const app = store.appByConsumerKey(oauth.get('oauth_consumer_key')!);
  const token = store.oauth1Tokens.get(oauth.get('oauth_token')!);
  if (!app || !token || token.consumerKey !== app.consumerKey) return null;
  const user = store.users.get(token.userId);
  if (!user) return null;

  const timestamp = Number(oauth.get('oauth_timestamp'));
  if (!Number.isInteger(timestamp)) return null;
  if (settings.oauth1TimestampSkewSecs !== null) {
    if (Math.abs(store.clock.nowSeconds() - timestamp) > settings.oauth1TimestampSkewSecs) return null;
  }

  const params: OAuthParam[] = [...oauth].filter(([key]) => key !== 'oauth_signature' && key !== 'realm');
  const url = new URL(request.url, 'http://placeholder');
  params.push(...url.searchParams.entries());
  // Form bodies are signed; JSON and multipart bodies are not (RFC 5849 §3.4.1.3).
  if (isFormBody(request) && request.body && typeof request.body === 'object') {
    for (const [key, value] of Object.entries(request.body as Record<string, unknown>)) {
      for (const v of Array.isArray(value) ? value : [value]) params.push([key, String(v)]);
    }
  }

  const signature = oauth.get('oauth_signature')!;
  const host = request.headers.host ?? 'localhost';
  const forwarded = request.headers['x-forwarded-proto'];
  const schemes = typeof forwarded === 'string' ? [forwarded.split(',')[0]!.trim()] : ['http', 'https'];
  const matches = schemes.some((scheme) => {
    const base = signatureBaseString(request.method, `${scheme}://${host}${url.pathname}`, params);
    return hmacSha1Signature(base, app.consumerSecret, token.secret) === signature;
  });
  if (!matches) return null;

  // A nonce may be used once per timestamp window (replay protection).
  const nonceKey = `${app.consumerKey}|${token.token}|${oauth.get('oauth_nonce')}|${timestamp}`;
  const now = store.clock.now();
  if ((store.oauth1Nonces.get(nonceKey) ?? 0) > now) return null;
  store.oauth1Nonces.set(nonceKey, now + 15 * 60 * 1000);
  if (store.oauth1Nonces.size > 50_000) {
    for (const [key, until] of store.oauth1Nonces) if (until <= now) store.oauth1Nonces.delete(key);
  }
  return { kind: 'oauth1-user', app, user };
}

function isFormBody(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '')
    .toLowerCase()
    .startsWith('application/x-www-form-urlencoded');
}
