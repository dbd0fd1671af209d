import { access } from 'node:fs/promises';
import type { ServiceConfig } from '../config.js';
import { one } from '../db/one.js';
import type { Db } from '../db/types.js';
import { addCounter, COUNTERS } from '../metrics/counters.js';
import { type MediaRow, media, mediaError } from '../store/media-api.js';
import { anySignal } from './any-signal.js';
import { type FetchUrlOptions, fetchMediaUrl, MediaUrlError } from './fetch-url.js';
import { postMediaKind } from './media-types.js';
import { mediaDir } from './storage.js';

/**
 * `prepareMedia`: makes one media row `ready` (its bytes on our disk) exactly once across workers.
 * An uploaded file is ready already. A URL is fetched by the one worker that claims the row
 * (`pending → fetching`, the claim time from the clock); others wait for it. A claim older than the
 * lease (its worker died or hung) is taken over. `ready` returns the row; `failed` returns its failure.
 */

export interface MediaSettings {
  dataDir: string;
  /** `XPOST_MEDIA_MAX_BYTES`. */
  maxBytes: number;
  /** `XPOST_ALLOW_PRIVATE_MEDIA_URLS`. */
  allowPrivate: boolean;
  /** Fetch details: timeouts, redirects, DNS and the address policy (tests). */
  fetch?: Pick<
    FetchUrlOptions,
    'connectTimeoutMs' | 'idleTimeoutMs' | 'maxRedirects' | 'resolve' | 'forbidden'
  >;
  /** How long a fetch claim holds without being renewed before another worker may take it over. */
  claimLeaseMs?: number;
  /** How often a worker waiting for another's fetch looks again. */
  pollMs?: number;
  /** Waits before fetching again after a failure that may pass (a timeout, a 5xx); then it fails. */
  retryDelaysMs?: readonly number[];
  /** Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_CLAIM_LEASE_MS = 10 * 60_000;
export const DEFAULT_POLL_MS = 1_000;
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = Object.freeze([1_000, 4_000]);

export function mediaSettingsFromConfig(
  config: Pick<ServiceConfig, 'dataDir' | 'mediaMaxBytes' | 'allowPrivateMediaUrls' | 'leaseMs'>,
): MediaSettings {
  return {
    dataDir: config.dataDir,
    maxBytes: config.mediaMaxBytes,
    allowPrivate: config.allowPrivateMediaUrls,
    // A fetch claim is the worker's hold on the media, as a target's lease is its hold on the post:
    // a killed worker's fetch is taken over as soon as its posts are, not ten minutes later while
    // the other workers wait on it (each holding its target's lease the whole time).
    claimLeaseMs: config.leaseMs,
  };
}

/** Why a media item cannot be used: `code` is stable (`media_url_forbidden_address`, …), `detail` says what to do. */
export class MediaFailure extends Error {
  override readonly name = 'MediaFailure';

  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

export interface PrepareMediaDeps {
  db: Db;
  clock: { now(): Date };
  media: MediaSettings;
}

export interface PrepareMediaOptions {
  signal?: AbortSignal;
  /**
   * Called now and then during a long fetch or a wait for another worker's fetch: the caller extends
   * its own lease there. Throwing stops the fetch (the claim is given back).
   */
  onProgress?: () => Promise<void> | void;
}

/** A ready row: its file, type and category are known. */
export type ReadyMedia = MediaRow & {
  state: 'ready';
  local_path: string;
  content_type: string;
  media_category: string;
  size_bytes: number;
};

class ClaimLost extends Error {}

export async function prepareMedia(
  deps: PrepareMediaDeps,
  mediaId: string,
  options: PrepareMediaOptions = {},
): Promise<ReadyMedia> {
  const settings = deps.media;
  const leaseMs = settings.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  const sleep = settings.sleep ?? defaultSleep;
  for (;;) {
    options.signal?.throwIfAborted();
    const row = await one<MediaRow>(deps.db, media.get(mediaId));
    if (!row)
      throw new MediaFailure(
        'media_not_found',
        `media ${mediaId} does not exist (it was deleted); edit the post to use other media`,
      );
    if (row.state === 'ready') return checkReady(row, settings);
    if (row.state === 'failed') {
      const { code, detail } = mediaError(row);
      throw new MediaFailure(code, detail);
    }
    if (!row.source_url)
      throw new MediaFailure('media_not_ready', `media ${mediaId} has no file and no URL to fetch it from`);
    const now = deps.clock.now();
    const claimed = await one<MediaRow>(
      deps.db,
      media.claimFetch({ id: mediaId, now, staleBefore: new Date(now.getTime() - leaseMs) }),
    );
    if (claimed) {
      const ready = await fetchClaimed(deps, claimed, options);
      if (ready) return ready;
      continue; // our claim was taken over: look again
    }
    // Another worker is fetching it: wait for it (or for its claim to go stale).
    await options.onProgress?.();
    await sleep(settings.pollMs ?? DEFAULT_POLL_MS, options.signal);
  }
}

async function checkReady(row: MediaRow, settings: MediaSettings): Promise<ReadyMedia> {
  if (!row.local_path || !row.content_type || !row.media_category)
    throw new MediaFailure('media_not_ready', `media ${row.id} is marked ready but has no file`);
  try {
    await access(row.local_path);
  } catch {
    throw new MediaFailure(
      'media_file_missing',
      `the file of media ${row.id} is not at ${row.local_path} on this machine; with workers on several machines, ` +
        `share ${mediaDir(settings.dataDir)} between them or give media by URL`,
    );
  }
  return row as ReadyMedia;
}

/**
 * Fetches a row this worker claimed. Returns the ready row; undefined when the claim was taken over
 * meanwhile (nothing written); throws `MediaFailure` once the row is marked failed.
 */
async function fetchClaimed(
  deps: PrepareMediaDeps,
  row: MediaRow,
  options: PrepareMediaOptions,
): Promise<ReadyMedia | undefined> {
  const { db, clock } = deps;
  const settings = deps.media;
  const leaseMs = settings.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  const delays = settings.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const sleep = settings.sleep ?? defaultSleep;
  const url = row.source_url!;
  let claimedAt = row.updated_at;

  // Renews our claim (and the caller's lease) every third of the lease while bytes arrive.
  const renew = async (): Promise<boolean> => {
    const renewed = await one<{ updated_at: Date }>(
      db,
      media.renewClaim({ id: row.id, claimedAt, now: clock.now() }),
    );
    if (!renewed) return false;
    claimedAt = renewed.updated_at;
    await options.onProgress?.();
    return true;
  };

  for (let attempt = 0; ; attempt++) {
    const stop = new AbortController();
    const signal = anySignal([options.signal, stop.signal]);
    let renewing: Promise<void> | undefined;
    const onBytes = () => {
      if (renewing || clock.now().getTime() - claimedAt.getTime() < leaseMs / 3) return;
      renewing = renew()
        .then((ours) => {
          if (!ours) stop.abort(new ClaimLost());
        })
        .catch((error: unknown) => stop.abort(error))
        .finally(() => {
          renewing = undefined;
        });
    };
    try {
      const fetched = await fetchMediaUrl(url, {
        ...settings.fetch,
        dataDir: settings.dataDir,
        mediaId: row.id,
        maxBytes: settings.maxBytes,
        allowPrivate: settings.allowPrivate,
        signal,
        onBytes,
        // The rename and the `ready` commit under the row lock, while the claim is still ours: a
        // takeover waits, then finds the row ready; a lost claim renames nothing.
        commit: async (rename, file) => {
          await renewing;
          const kind = postMediaKind(file.head)!;
          await db.transaction(async (tx) => {
            if (!(await one(tx, media.lockClaim({ id: row.id, claimedAt })))) throw new ClaimLost();
            await rename();
            await tx.query(
              media.markReady({
                id: row.id,
                claimedAt,
                localPath: file.path,
                contentType: kind.contentType,
                mediaCategory: kind.mediaCategory,
                sizeBytes: file.size,
                sha256: file.sha256,
                now: clock.now(),
              }),
            );
          });
        },
      });
      await addCounter(db, COUNTERS.mediaBytesIn, { source: 'url' }, fetched.size);
      const ready = await one<MediaRow>(db, media.get(row.id));
      return checkReady(ready!, settings);
    } catch (error) {
      const reason = stop.signal.aborted ? stop.signal.reason : error;
      if (reason instanceof ClaimLost || error instanceof ClaimLost) return undefined;
      if (!(error instanceof MediaUrlError)) {
        // Stopping (a shutdown), or our own trouble (disk, database): give the claim back.
        await db.query(media.release({ id: row.id, claimedAt, now: clock.now() })).catch(() => {});
        throw reason;
      }
      if (error.retryable && attempt < delays.length) {
        await sleep(delays[attempt]!, options.signal);
        if (!(await renew())) return undefined;
        continue;
      }
      const detail = error.retryable
        ? `${error.message} (gave up after ${attempt + 1} tries)`
        : error.message;
      const failed = await one<MediaRow>(
        db,
        media.markFailed({ id: row.id, claimedAt, error: { code: error.code, detail }, now: clock.now() }),
      );
      if (!failed) return undefined;
      throw new MediaFailure(error.code, detail);
    }
  }
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
