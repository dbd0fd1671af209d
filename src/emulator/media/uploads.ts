import type { EmulatorContext } from '../context.js';
import { invalidRequest, XProblem } from '../problems.js';
import type { EmulatorUser, MediaCategory, MediaRecord } from '../state/types.js';
import { requireOwnMedia } from './lookup.js';
import { detectKind, imageSize, matchesDeclaredType, mediaTypeOfKind } from './magic-numbers.js';
import {
  defaultCategory,
  INVALID_MEDIA_ERROR,
  isProcessedAsync,
  mediaKeyFor,
  processingDurationMs,
} from './processing.js';
import { SEGMENT_INDEX_MAX } from './schemas.js';
import type { PendingSegment, SegmentStore } from './segment-store.js';

/** X's FINALIZE error when segments are missing or the sizes disagree (REFERENCE §4.2). */
export const SEGMENTS_MISMATCH = 'Segments do not add up to provided total file size.';

export interface InitializeInput {
  mediaType: string;
  totalBytes: number;
  category?: MediaCategory;
  additionalOwners?: string[];
}

/**
 * INITIALIZE, APPEND and FINALIZE as one state machine, shared by the dedicated endpoints, the
 * deprecated `command=` form and the one-shot upload (which is INIT + one APPEND + FINALIZE).
 */
export class MediaUploads {
  /** FINALIZE in flight per media id: a concurrent retry waits for the same result. */
  readonly #finalizing = new Map<string, Promise<MediaRecord>>();

  constructor(
    private readonly ctx: EmulatorContext,
    readonly segments: SegmentStore,
  ) {}

  initialize(user: EmulatorUser, input: InitializeInput): MediaRecord {
    this.sweepExpired();
    const category = input.category ?? defaultCategory(input.mediaType);
    const limit = this.sizeLimit(user, category);
    if (input.totalBytes > limit) {
      throw invalidRequest([
        {
          parameters: { total_bytes: [String(input.totalBytes)] },
          message: `File size exceeds ${limit} bytes, the limit for media_category ${category}${user.premium ? ' with X Premium' : ''}.`,
        },
      ]);
    }
    const now = this.ctx.clock.now();
    const id = this.ctx.store.nextId();
    const record: MediaRecord = {
      id,
      mediaKey: mediaKeyFor(id, category),
      ownerId: user.id,
      additionalOwners: [...new Set(input.additionalOwners ?? [])],
      mediaType: input.mediaType,
      category,
      totalBytes: input.totalBytes,
      createdAt: now,
      expiresAt: now + this.ctx.settings.media.initializeExpirySecs * 1000,
      segments: new Map(),
      phase: 'uploading',
      processing: null,
    };
    this.ctx.store.media.set(id, record);
    return record;
  }

  /** The largest size any category allows this user: the cap for a one-shot body. */
  maxUploadBytes(user: EmulatorUser): number {
    const limits = user.premium
      ? this.ctx.settings.media.premiumSizeLimits
      : this.ctx.settings.media.sizeLimits;
    return Math.max(...Object.values(limits));
  }

  sizeLimit(user: EmulatorUser, category: MediaCategory): number {
    const media = this.ctx.settings.media;
    return (user.premium ? media.premiumSizeLimits : media.sizeLimits)[category];
  }

  /** The caller's media that still takes segments, or X's 400. */
  uploadingMedia(userId: string, mediaId: string): MediaRecord {
    const record = requireOwnMedia(this.ctx, mediaId, userId);
    if (record.phase !== 'uploading' || this.#finalizing.has(mediaId)) {
      throw invalidRequest([
        { parameters: { media_id: [mediaId] }, message: `Media id ${mediaId} has already been finalized.` },
      ]);
    }
    return record;
  }

  /** Place a received segment; a retried index replaces the earlier bytes. */
  async append(
    userId: string,
    mediaId: string,
    index: number,
    pending: PendingSegment,
  ): Promise<MediaRecord> {
    try {
      if (pending.tooLarge) throw new XProblem(413, null);
      const record = this.uploadingMedia(userId, mediaId);
      await this.segments.commit(pending, mediaId, index);
      record.segments.set(index, {
        size: pending.size,
        sha256: pending.sha256,
        receivedAt: this.ctx.clock.now(),
      });
      return record;
    } catch (error) {
      await this.segments.discard(pending);
      throw error;
    }
  }

  /** FINALIZE; idempotent once done, so a client that lost the response can ask again. */
  async finalize(userId: string, mediaId: string): Promise<MediaRecord> {
    const record = requireOwnMedia(this.ctx, mediaId, userId);
    if (record.phase === 'finalized') return record;
    let running = this.#finalizing.get(mediaId);
    if (!running) {
      running = this.#finalize(record).finally(() => this.#finalizing.delete(mediaId));
      this.#finalizing.set(mediaId, running);
    }
    return running;
  }

  async #finalize(record: MediaRecord): Promise<MediaRecord> {
    const count = record.segments.size;
    let sum = 0;
    for (let index = 0; index < count; index++) {
      const segment = record.segments.get(index);
      if (!segment) throw invalidRequest(SEGMENTS_MISMATCH);
      sum += segment.size;
    }
    if (count === 0 || sum !== record.totalBytes) throw invalidRequest(SEGMENTS_MISMATCH);

    const file = await this.segments.assemble(record.id, count);
    const kind = detectKind(file.head);
    const matches = matchesDeclaredType(record.mediaType, kind);
    const now = this.ctx.clock.now();
    if (!isProcessedAsync(record.category) && !matches) {
      // Images and subtitles are checked synchronously; the id is spent, as at X.
      this.ctx.store.media.delete(record.id);
      await this.segments.remove(record.id);
      throw invalidRequest([
        {
          parameters: { media_type: [record.mediaType] },
          message: `The uploaded file is not a valid ${record.mediaType} file (its bytes ${kind ? `look like ${mediaTypeOfKind(kind)}` : 'match no supported format'}).`,
        },
      ]);
    }
    record.sha256 = file.sha256;
    if (kind) record.detectedType = mediaTypeOfKind(kind);
    const size = record.mediaType.startsWith('image/') ? imageSize(kind, file.head) : undefined;
    if (size && !isProcessedAsync(record.category)) record.image = { ...size, image_type: record.mediaType };
    record.processing = isProcessedAsync(record.category)
      ? {
          startedAt: now,
          durationMs: processingDurationMs(record.category, this.ctx.settings.media),
          outcome: matches ? 'succeeded' : 'failed',
          ...(matches ? {} : { error: { ...INVALID_MEDIA_ERROR } }),
        }
      : null;
    record.phase = 'finalized';
    record.finalizedAt = now;
    record.expiresAt = now + this.ctx.settings.media.finalizeExpirySecs * 1000;
    await this.segments.remove(record.id);
    return record;
  }

  /** Drop expired media and their segment files, so abandoned uploads do not pile up on disk. */
  sweepExpired(): void {
    const now = this.ctx.clock.now();
    for (const [id, record] of this.ctx.store.media) {
      if (now < record.expiresAt) continue;
      this.ctx.store.media.delete(id);
      void this.segments.remove(id).catch(() => {});
    }
  }
}

/** `segment_index` from a form field or JSON: an integer 0–999 (REFERENCE §4.2). */
export function parseSegmentIndex(value: unknown): number {
  const path = '$.segment_index';
  if (value === undefined || value === '') throw invalidRequest(`${path}: is missing but it is required`);
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw invalidRequest(`${path}: ${typeof value} found, integer expected`);
  }
  if (n < 0) throw invalidRequest(`${path}: must have a minimum value of 0`);
  if (n > SEGMENT_INDEX_MAX)
    throw invalidRequest(`${path}: must have a maximum value of ${SEGMENT_INDEX_MAX}`);
  return n;
}
