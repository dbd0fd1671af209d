import type { XClientCore } from '../client.js';
import type { Clock } from '../clock.js';
import { XMediaError } from '../errors/x-media-error.js';
import { type MediaStatusData, uploadStatus } from './upload-requests.js';

/** X asks for `check_after_secs`; never poll faster than once a second whatever it says. */
export const MIN_POLL_INTERVAL_MS = 1000;

export interface AwaitProcessingOptions {
  client: XClientCore;
  clock: Clock;
  mediaId: string;
  /** A name for messages (the file's). */
  name: string;
  /** Epoch ms (on `clock`) after which waiting stops with `processing_timeout`. */
  deadline: number;
  timeoutMs: number;
  signal?: AbortSignal;
  onStatus: (data: MediaStatusData) => void;
}

/**
 * Poll STATUS until processing ends (REFERENCE §4.1): only when FINALIZE returned `processing_info`,
 * waiting `check_after_secs` (at least 1 s) on the injected clock between polls, up to a deadline.
 * Returns the last STATUS; throws X's `processing_info.error` as `XMediaError` when it failed.
 */
export async function awaitProcessing(
  first: MediaStatusData,
  o: AwaitProcessingOptions,
): Promise<MediaStatusData> {
  let data = first;
  for (;;) {
    const info = data.processing_info;
    if (!info || info.state === 'succeeded') return data;
    if (info.state === 'failed') throw processingFailed(o, data);
    const now = o.clock.now();
    if (now >= o.deadline) {
      throw new XMediaError(
        `${o.name}: X was still processing media ${o.mediaId} (${info.state}${info.progress_percent === undefined ? '' : `, ${info.progress_percent}%`}) after ${o.timeoutMs} ms; raise processingTimeoutMs, or check later with media.status()`,
        { code: 'processing_timeout', mediaId: o.mediaId, limit: o.timeoutMs },
      );
    }
    const waitMs = Math.max(MIN_POLL_INTERVAL_MS, (info.check_after_secs ?? 1) * 1000);
    await o.clock.sleep(Math.min(waitMs, o.deadline - now), o.signal);
    data = await uploadStatus(o.client, o.mediaId, o.signal);
    o.onStatus(data);
  }
}

function processingFailed(o: AwaitProcessingOptions, data: MediaStatusData): XMediaError {
  const error = data.processing_info?.error ?? {};
  const words = [error.name, error.message].filter(Boolean).join(': ') || 'no reason given';
  return new XMediaError(
    `${o.name}: X could not process media ${o.mediaId} (${words}); check that the file is a valid video or GIF X accepts`,
    {
      code: 'processing_failed',
      mediaId: o.mediaId,
      processingError: error,
      ...(error.name ? { title: error.name } : {}),
      ...(error.message ? { detail: error.message } : {}),
      body: data,
    },
  );
}
