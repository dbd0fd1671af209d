import { MEDIA_SIZE_LIMITS, MiB } from '../x/media/limits.js';
import type { FaultRuleInput } from './faults.js';
import type { RateLimitPreset, RateLimitTable } from './rate-limits.js';
import type { FixtureOptions } from './state/fixtures.js';
import type { MediaCategory } from './state/types.js';

export interface MediaLimits {
  /** Largest segment APPEND accepts; above it X's edge answers 413 with an empty body. */
  maxSegmentBytes: number;
  /** Size caps per category, for accounts without and with X Premium (REFERENCE §4.3, newest docs). */
  sizeLimits: Record<MediaCategory, number>;
  premiumSizeLimits: Record<MediaCategory, number>;
  /** Emulated processing time of videos and GIFs, from FINALIZE to `succeeded`. */
  processingMs: { video: number; gif: number };
  /** Lifetime of a media id after INITIALIZE and after FINALIZE (REFERENCE §4.1 examples). */
  initializeExpirySecs: number;
  finalizeExpirySecs: number;
  /** Where received segments are kept until FINALIZE; a fresh temporary folder by default. */
  storageDir?: string;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = {
  maxSegmentBytes: 5 * MiB,
  // One table for the SDK's pre-flight check and the emulator (REFERENCE §4.3).
  sizeLimits: { ...MEDIA_SIZE_LIMITS.standard },
  premiumSizeLimits: { ...MEDIA_SIZE_LIMITS.premium },
  processingMs: { video: 4000, gif: 2000 },
  initializeExpirySecs: 1_295_999,
  finalizeExpirySecs: 86_400,
};

export interface PostRules {
  /** How far back an identical text from the same user counts as duplicate content. */
  duplicateWindowSecs: number;
  /**
   * `self-serve`: replies only to your own posts or to posts that mention or quote you (X's rule for
   * self-serve apps since 2026-02-23); `open`: any existing post.
   */
  replies: 'self-serve' | 'open';
  /** `self-serve`: quoting follows the same engagement rule; `open`: any existing post; `enterprise-only`: always 403. */
  quotes: 'self-serve' | 'open' | 'enterprise-only';
  /** Weighted length for accounts without and with X Premium. */
  maxWeightedLength: number;
  premiumMaxWeightedLength: number;
}

export const DEFAULT_POST_RULES: PostRules = {
  duplicateWindowSecs: 24 * 3600,
  replies: 'self-serve',
  quotes: 'self-serve',
  maxWeightedLength: 280,
  premiumMaxWeightedLength: 25_000,
};

export interface OAuthSettings {
  /** Authorization codes live 30 seconds (REFERENCE §1.2). */
  authCodeTtlSecs: number;
  accessTokenTtlSecs: number;
  /** How far an OAuth 1.0a timestamp may stray from the emulator's clock; null: no check. */
  oauth1TimestampSkewSecs: number | null;
}

export const DEFAULT_OAUTH_SETTINGS: OAuthSettings = {
  authCodeTtlSecs: 30,
  accessTokenTtlSecs: 7200,
  oauth1TimestampSkewSecs: 300,
};

export interface EmulatorOptions {
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /** Port to bind (default 0: any free port). */
  port?: number;
  clock?: { start?: number | string | Date; scale?: number };
  fixtures?: FixtureOptions;
  rateLimits?: { preset?: RateLimitPreset; endpoints?: RateLimitTable };
  faults?: FaultRuleInput[];
  /** Seed for the fault generator (default 1), so random faults replay. */
  faultSeed?: number;
  media?: Partial<Omit<MediaLimits, 'sizeLimits' | 'premiumSizeLimits' | 'processingMs'>> & {
    sizeLimits?: Partial<Record<MediaCategory, number>>;
    premiumSizeLimits?: Partial<Record<MediaCategory, number>>;
    processingMs?: Partial<MediaLimits['processingMs']>;
  };
  posts?: Partial<PostRules>;
  oauth?: Partial<OAuthSettings>;
  /** Log requests with pino (default false; `xpost emulator` turns it on). */
  logger?: boolean;
}

export interface EmulatorSettings {
  media: MediaLimits;
  posts: PostRules;
  oauth: OAuthSettings;
}

export function normalizeSettings(options: EmulatorOptions = {}): EmulatorSettings {
  const m = options.media ?? {};
  return {
    media: {
      ...DEFAULT_MEDIA_LIMITS,
      ...stripUndefined(m),
      sizeLimits: { ...DEFAULT_MEDIA_LIMITS.sizeLimits, ...stripUndefined(m.sizeLimits ?? {}) },
      premiumSizeLimits: {
        ...DEFAULT_MEDIA_LIMITS.premiumSizeLimits,
        ...stripUndefined(m.premiumSizeLimits ?? {}),
      },
      processingMs: { ...DEFAULT_MEDIA_LIMITS.processingMs, ...stripUndefined(m.processingMs ?? {}) },
    },
    posts: { ...DEFAULT_POST_RULES, ...stripUndefined(options.posts ?? {}) },
    oauth: { ...DEFAULT_OAUTH_SETTINGS, ...stripUndefined(options.oauth ?? {}) },
  };
}

export function parseClockStart(start: number | string | Date | undefined): number | undefined {
  if (start === undefined) return undefined;
  const ms = start instanceof Date ? start.getTime() : typeof start === 'string' ? Date.parse(start) : start;
  if (!Number.isFinite(ms))
    throw new RangeError(
      `clock.start must be epoch milliseconds, an ISO-8601 date or a Date, got ${String(start)}`,
    );
  return ms;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
