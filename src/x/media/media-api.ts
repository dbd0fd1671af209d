import type { XClientCore } from '../client.js';
import { XApiError } from '../errors/x-api-error.js';
import { XMediaError } from '../errors/x-media-error.js';
import { appendSegments } from './append-segments.js';
import { awaitProcessing } from './await-processing.js';
import { DETECT_TYPE_BYTES } from './detect-type.js';
import { JournalSession } from './journal-session.js';
import {
  DEFAULT_CHUNK_SIZE,
  formatBytes,
  MAX_SEGMENTS,
  MEDIA_SIZE_LIMITS,
  MIN_CHUNK_SIZE,
} from './limits.js';
import { checkAltText, planUpload, type UploadPlan } from './plan-upload.js';
import { SegmentLayout } from './segment-layout.js';
import { type ByteSource, openSource } from './sources/index.js';
import type { MediaCategory, MediaInput, ProcessingState, UploadJournalEntry } from './types.js';
import { checkUploadOptions, type UploadOptions, type UploadSettings } from './upload-options.js';
import { ProgressReporter } from './upload-progress.js';
import {
  finalizeUpload,
  initializeUpload,
  type MediaStatusData,
  setAltText,
  uploadStatus,
} from './upload-requests.js';

/** What `media.upload()` resolves to: the id to attach (`posts.create({ mediaIds: [mediaId] })`). */
export interface UploadResult {
  mediaId: string;
  mediaKey?: string;
  /** Epoch ms (client clock) after which X forgets the media id. */
  expiresAt: number;
  /** Bytes uploaded. */
  size: number;
  mediaType: string;
  mediaCategory: MediaCategory;
  /** Present for media X processed (videos, GIFs): always `succeeded` here. */
  processing?: { state: ProcessingState; progressPercent?: number };
  /** True when a journal entry let this call skip segments an earlier run had sent. */
  resumed: boolean;
}

/** Media lifetime X's example gives after INITIALIZE, when X leaves `expires_after_secs` out (REFERENCE §4.1). */
const DEFAULT_INITIALIZE_EXPIRY_SECS = 1_295_999;
const DEFAULT_FINALIZE_EXPIRY_SECS = 86_400;
const ANONYMOUS = 'anonymous';

/**
 * Chunked, streaming, resumable media upload on X's v2 dedicated endpoints (REFERENCE §4):
 * INITIALIZE → APPEND × n (several in flight) → FINALIZE → STATUS while processing → alt text.
 * See docs/media.md.
 */
export class MediaApi {
  readonly #client: XClientCore;

  constructor(client: XClientCore) {
    this.#client = client;
  }

  async upload(input: MediaInput, options: UploadOptions = {}): Promise<UploadResult> {
    const settings = checkUploadOptions(options, { chunkSize: DEFAULT_CHUNK_SIZE });
    checkAltText(options.altText);
    options.signal?.throwIfAborted();
    const premium = options.premium === true;
    const limits = MEDIA_SIZE_LIMITS[premium ? 'premium' : 'standard'];
    const category = options.mediaCategory;
    // A stream of unknown size is spooled; it cannot be larger than its category (or any) allows.
    const maxSpoolBytes = category ? limits[category] : Math.max(...Object.values(limits));
    const source = await openSource(input, {
      fetch: this.#client.options.fetch,
      ...(options.size !== undefined ? { size: options.size } : {}),
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      maxSpoolBytes,
      tooLarge: (name, bytes) =>
        new XMediaError(
          `${name} is larger than ${formatBytes(maxSpoolBytes)}, the most ${category ?? 'any media category'} allows`,
          { code: 'too_large', limit: maxSpoolBytes, actual: bytes },
        ),
    });
    try {
      const plan = planUpload({
        name: source.name,
        size: source.size,
        head: await source.head(DETECT_TYPE_BYTES),
        chunkSize: settings.chunkSize,
        premium,
        ...(options.mediaType ? { mediaType: options.mediaType } : {}),
        ...(options.mediaCategory ? { mediaCategory: options.mediaCategory } : {}),
      });
      const session =
        options.journal && source.path
          ? await JournalSession.open(
              options.journal,
              this.#client.options.clock,
              this.#subject(),
              source.path,
            )
          : undefined;
      const resumable = session?.resumable(plan);
      try {
        return await this.#run(source, plan, settings, options, session, resumable);
      } catch (error) {
        // X no longer knows the journal's media id (or its segments): start over, once.
        if (!resumable || !(error instanceof XApiError) || (error.status !== 400 && error.status !== 404))
          throw error;
        await session!.remove();
        return await this.#run(source, plan, settings, options, session, undefined);
      }
    } finally {
      await source.close();
    }
  }

  /** STATUS of a finalized media id (REFERENCE §4.1), as X sends it. */
  status(mediaId: string, options: { signal?: AbortSignal } = {}): Promise<MediaStatusData> {
    return uploadStatus(this.#client, mediaId, options.signal);
  }

  /** Set (or replace) alt text on media already uploaded: at most 1000 characters. */
  async setAltText(mediaId: string, text: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    checkAltText(text);
    await setAltText(this.#client, mediaId, text, options.signal);
  }

  async #run(
    source: ByteSource,
    plan: UploadPlan,
    settings: UploadSettings,
    options: UploadOptions,
    session: JournalSession | undefined,
    resumed: UploadJournalEntry | undefined,
  ): Promise<UploadResult> {
    const client = this.#client;
    const { clock } = client.options;
    const { signal } = options;
    const progress = new ProgressReporter(options.onProgress, plan.totalBytes);

    let mediaId: string;
    let mediaKey: string | undefined;
    let layout: SegmentLayout;
    let acked: Set<number>;
    if (resumed) {
      ({ mediaId, mediaKey } = resumed);
      layout = new SegmentLayout(
        plan.totalBytes,
        resumed.spans ?? [{ index: 0, offset: 0, chunkSize: resumed.chunkSize }],
      );
      acked = new Set(resumed.segmentsDone.filter((i) => i < layout.count));
      await session!.begin(resumed);
    } else {
      const init = await initializeUpload(
        client,
        {
          mediaType: plan.mediaType,
          totalBytes: plan.totalBytes,
          mediaCategory: plan.mediaCategory,
          ...(options.additionalOwners ? { additionalOwners: options.additionalOwners } : {}),
        },
        signal,
      );
      mediaId = init.id;
      mediaKey = init.media_key;
      layout = SegmentLayout.uniform(plan.totalBytes, plan.chunkSize);
      acked = new Set();
      await session?.begin({
        identity: session.identity,
        mediaId,
        ...(mediaKey ? { mediaKey } : {}),
        mediaType: plan.mediaType,
        mediaCategory: plan.mediaCategory,
        totalBytes: plan.totalBytes,
        chunkSize: plan.chunkSize,
        expiresAt: clock.now() + (init.expires_after_secs ?? DEFAULT_INITIALIZE_EXPIRY_SECS) * 1000,
        segmentsDone: [],
      });
    }
    progress.mediaId = mediaId;
    progress.track(layout, acked);
    progress.emit('initialize');

    let final: MediaStatusData;
    if (resumed?.finalized) {
      final = await uploadStatus(client, mediaId, signal);
    } else {
      // Whatever way the APPENDs end, the journal gets the segments X acknowledged.
      await appendSegments({
        client,
        mediaId,
        source,
        layout,
        acked,
        concurrency: settings.concurrency,
        minChunkSize: MIN_CHUNK_SIZE,
        maxSegments: MAX_SEGMENTS,
        ...(signal ? { signal } : {}),
        onAck: async (range) => {
          progress.segmentAcked(range.length);
          await session?.acked(acked);
        },
        onRecut: async () => {
          progress.recount();
          await session?.recut(layout, acked);
        },
      }).catch(async (error: unknown) => {
        await session?.flush().catch(() => {});
        throw error;
      });
      await session?.flush();
      final = await finalizeUpload(client, mediaId, signal);
      await session?.finalized(
        clock.now() + (final.expires_after_secs ?? DEFAULT_FINALIZE_EXPIRY_SECS) * 1000,
      );
    }
    progress.emit('finalize', final);

    if (final.processing_info) {
      final = await awaitProcessing(final, {
        client,
        clock,
        mediaId,
        name: source.name,
        deadline: clock.now() + settings.processingTimeoutMs,
        timeoutMs: settings.processingTimeoutMs,
        ...(signal ? { signal } : {}),
        onStatus: (data) => progress.emit('processing', data),
      });
    }

    if (options.altText !== undefined) {
      await setAltText(client, mediaId, options.altText, signal);
      progress.emit('metadata');
    }
    await session?.remove();
    progress.emit('done', final);

    const info = final.processing_info;
    return {
      mediaId,
      ...((final.media_key ?? mediaKey) ? { mediaKey: final.media_key ?? mediaKey } : {}),
      expiresAt: clock.now() + (final.expires_after_secs ?? DEFAULT_FINALIZE_EXPIRY_SECS) * 1000,
      size: final.size ?? plan.totalBytes,
      mediaType: plan.mediaType,
      mediaCategory: plan.mediaCategory,
      ...(info
        ? {
            processing: {
              state: info.state,
              ...(info.progress_percent !== undefined ? { progressPercent: info.progress_percent } : {}),
            },
          }
        : {}),
      resumed: resumed !== undefined,
    };
  }

  #subject(): string {
    return this.#client.options.auth?.subject() ?? ANONYMOUS;
  }
}
