import type { MediaCategory } from '../../x/media/types.js';

/** The emulator's in-memory records. Plain data: routes own the rules, the store owns the maps. */

export type ClientType = 'confidential' | 'public';

export interface EmulatorApp {
  /** Numeric app id, as the developer console shows it. */
  id: string;
  name: string;
  /** OAuth 2.0 client id. */
  clientId: string;
  /** OAuth 2.0 client secret; null for a public client (native app, SPA). */
  clientSecret: string | null;
  clientType: ClientType;
  /** Callback URLs; `redirect_uri` must match one of them exactly. */
  redirectUris: string[];
  /** OAuth 1.0a consumer key and secret ("API Key" and "API Key Secret"). */
  consumerKey: string;
  consumerSecret: string;
  /** OAuth 1.0a app permission; `read` gets the oauth1-permissions 403 on writes. */
  oauth1Permissions: 'read' | 'read-write';
  /** Whether the app is attached to a Project; when false every v2 call gets client-not-enrolled. */
  enrolled: boolean;
  /** App-only bearer token (OAuth 2.0 client credentials); it cannot post. */
  bearerToken: string;
}

export interface EmulatorUser {
  id: string;
  username: string;
  name: string;
  /** X Premium: 25,000 weighted characters instead of 280, larger video limits. */
  premium: boolean;
  createdAt: number;
  description: string;
  protected: boolean;
}

export interface AuthCode {
  code: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string;
  codeChallengeMethod: 'S256' | 'plain';
  expiresAt: number;
  used: boolean;
}

export interface AccessTokenRecord {
  token: string;
  clientId: string;
  userId: string;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export interface RefreshTokenRecord {
  token: string;
  clientId: string;
  userId: string;
  scopes: string[];
  issuedAt: number;
  /** `used` the moment a refresh grant presents it: rotation makes refresh tokens single-use. */
  status: 'active' | 'used' | 'revoked';
  usedAt?: number;
}

export interface OAuth1TokenRecord {
  token: string;
  secret: string;
  consumerKey: string;
  userId: string;
}

export interface PostUrlEntity {
  start: number;
  end: number;
  /** The t.co link that replaced the URL in the stored text. */
  url: string;
  expanded_url: string;
  display_url: string;
}

export interface PostRecord {
  id: string;
  authorId: string;
  /** Text as X returns it: URLs rewritten to t.co links, media link appended. */
  text: string;
  /** Text as the client sent it, for the duplicate-content rule. */
  sourceText: string;
  createdAt: number;
  conversationId: string;
  clientId: string;
  mediaIds: string[];
  mediaKeys: string[];
  inReplyToTweetId?: string;
  inReplyToUserId?: string;
  quoteTweetId?: string;
  poll?: { id: string; options: string[]; durationMinutes: number; endsAt: number };
  replySettings: string;
  communityId?: string;
  madeWithAi?: boolean;
  paidPartnership?: boolean;
  urls: PostUrlEntity[];
  /** User ids @mentioned in the text, for the self-serve reply rule. */
  mentionedUserIds: string[];
  deletedAt?: number;
  /** The request body as received, so tests can assert what a client sent. */
  request: Record<string, unknown>;
}

// X's categories and processing states, as the SDK names them: one definition for client and emulator.
export type { MediaCategory, ProcessingState } from '../../x/media/types.js';

export interface MediaSegment {
  size: number;
  sha256: string;
  receivedAt: number;
}

export interface MediaRecord {
  id: string;
  mediaKey: string;
  ownerId: string;
  additionalOwners: string[];
  mediaType: string;
  category: MediaCategory;
  totalBytes: number;
  createdAt: number;
  /** When the media id stops being usable (initialize: ~15 days; after finalize: 24 h). */
  expiresAt: number;
  /** Segments received, by segment_index. A retried index replaces the earlier one. */
  segments: Map<number, MediaSegment>;
  phase: 'uploading' | 'finalized';
  finalizedAt?: number;
  /** SHA-256 of the assembled bytes, set at FINALIZE: lets tests prove the bytes arrived intact. */
  sha256?: string;
  /** The type the bytes' magic numbers say, set at FINALIZE. */
  detectedType?: string;
  /** Async processing (video, GIF): null for media usable as soon as it is finalized. */
  processing: {
    startedAt: number;
    durationMs: number;
    outcome: 'succeeded' | 'failed';
    error?: { code: number; name: string; message: string };
  } | null;
  altText?: string;
  image?: { w: number; h: number; image_type: string };
}

export interface RequestLogEntry {
  /** Sequence number across the emulator's life; `since` filters on it. */
  seq: number;
  at: number;
  method: string;
  /** The route pattern, e.g. `POST /2/media/upload/:id/append`. */
  endpoint: string;
  url: string;
  status?: number;
  /** What the emulator did to the exchange: `ok`, or the fault it injected. */
  outcome: 'ok' | 'reset' | 'commit_then_drop' | 'injected_status' | 'aborted';
  userId?: string;
  /** Route-specific facts, e.g. `{ mediaId, segmentIndex }` for APPEND. */
  meta?: Record<string, unknown>;
}
