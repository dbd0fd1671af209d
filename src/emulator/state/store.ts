import type { EmulatorClock } from '../clock.js';
import { randomToken, SnowflakeGenerator } from '../ids.js';
import type {
  AccessTokenRecord,
  AuthCode,
  EmulatorApp,
  EmulatorUser,
  MediaRecord,
  OAuth1TokenRecord,
  PostRecord,
  RefreshTokenRecord,
  RequestLogEntry,
} from './types.js';

/** X's access-token lifetime (REFERENCE §1.3). */
export const ACCESS_TOKEN_TTL_SECS = 7200;
/** How many request-log entries are kept; older ones are dropped (counts are kept forever). */
export const REQUEST_LOG_LIMIT = 20_000;

export interface IssuedTokens {
  token_type: 'bearer';
  expires_in: number;
  access_token: string;
  scope: string;
  refresh_token?: string;
}

/**
 * Every record the emulator holds. Routes read and write these maps directly; the few operations
 * that several routes share (issuing tokens, looking up owners) live here so they have one meaning.
 */
export class EmulatorStore {
  readonly apps = new Map<string, EmulatorApp>();
  readonly users = new Map<string, EmulatorUser>();
  readonly authCodes = new Map<string, AuthCode>();
  readonly accessTokens = new Map<string, AccessTokenRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly oauth1Tokens = new Map<string, OAuth1TokenRecord>();
  readonly posts = new Map<string, PostRecord>();
  readonly media = new Map<string, MediaRecord>();
  /** OAuth 1.0a nonces seen, with when they may be forgotten (replay protection). */
  readonly oauth1Nonces = new Map<string, number>();
  /** Requests received per endpoint (`METHOD /route`), including ones a fault cut short. */
  readonly requestCounts = new Map<string, number>();
  readonly requestLog: RequestLogEntry[] = [];
  readonly ids = new SnowflakeGenerator();
  #seq = 0;

  constructor(readonly clock: EmulatorClock) {}

  clear(): void {
    this.apps.clear();
    this.users.clear();
    this.authCodes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.oauth1Tokens.clear();
    this.posts.clear();
    this.media.clear();
    this.oauth1Nonces.clear();
    this.requestCounts.clear();
    this.requestLog.length = 0;
  }

  nextId(): string {
    return this.ids.next(this.clock.now());
  }

  appByClientId(clientId: string): EmulatorApp | undefined {
    return this.apps.get(clientId);
  }

  appByConsumerKey(consumerKey: string): EmulatorApp | undefined {
    for (const app of this.apps.values()) if (app.consumerKey === consumerKey) return app;
    return undefined;
  }

  userByUsername(username: string): EmulatorUser | undefined {
    const wanted = username.toLowerCase();
    for (const user of this.users.values()) if (user.username.toLowerCase() === wanted) return user;
    return undefined;
  }

  /**
   * Issue an access token (and a refresh token when `offline.access` was granted, as X does).
   * Used by the token endpoint and by the fixtures and controls that hand out ready-made tokens.
   */
  issueTokens(
    clientId: string,
    userId: string,
    scopes: string[],
    ttlSecs = ACCESS_TOKEN_TTL_SECS,
  ): IssuedTokens {
    const now = this.clock.now();
    const access: AccessTokenRecord = {
      token: randomToken(),
      clientId,
      userId,
      scopes: [...scopes],
      issuedAt: now,
      expiresAt: now + ttlSecs * 1000,
      revoked: false,
    };
    this.accessTokens.set(access.token, access);
    const issued: IssuedTokens = {
      token_type: 'bearer',
      expires_in: ttlSecs,
      access_token: access.token,
      scope: scopes.join(' '),
    };
    if (scopes.includes('offline.access')) {
      const refresh: RefreshTokenRecord = {
        token: randomToken(),
        clientId,
        userId,
        scopes: [...scopes],
        issuedAt: now,
        status: 'active',
      };
      this.refreshTokens.set(refresh.token, refresh);
      issued.refresh_token = refresh.token;
    }
    return issued;
  }

  /** Start a log entry for a request; the caller fills in status and outcome as they become known. */
  logRequest(entry: Omit<RequestLogEntry, 'seq' | 'at'>): RequestLogEntry {
    const full: RequestLogEntry = { seq: ++this.#seq, at: this.clock.now(), ...entry };
    this.requestCounts.set(entry.endpoint, (this.requestCounts.get(entry.endpoint) ?? 0) + 1);
    this.requestLog.push(full);
    if (this.requestLog.length > REQUEST_LOG_LIMIT)
      this.requestLog.splice(0, this.requestLog.length - REQUEST_LOG_LIMIT);
    return full;
  }

  /** Posts by one author, newest first, deleted ones left out. */
  postsByAuthor(authorId: string): PostRecord[] {
    const list: PostRecord[] = [];
    for (const post of this.posts.values())
      if (post.authorId === authorId && post.deletedAt === undefined) list.push(post);
    return list.sort((a, b) => compareIdsDesc(a.id, b.id));
  }
}

/** Snowflake ids are decimal strings; compare them as numbers without losing precision. */
export function compareIdsDesc(a: string, b: string): number {
  if (a.length !== b.length) return b.length - a.length;
  return a < b ? 1 : a > b ? -1 : 0;
}
