import type { XClientCore } from '../client.js';
import { abortReason } from '../clock.js';
import { XError } from '../errors/x-error.js';
import { XMediaError } from '../errors/x-media-error.js';
import { formatBytes } from './limits.js';
import type { SegmentLayout, SegmentRange } from './segment-layout.js';
import type { ByteSource } from './sources/types.js';
import { appendSegment } from './upload-requests.js';

export interface AppendSegmentsOptions {
  client: XClientCore;
  mediaId: string;
  source: ByteSource;
  layout: SegmentLayout;
  /** Segment indexes X already has (a resumed upload); acknowledged ones are added. */
  acked: Set<number>;
  /** APPENDs in flight at once. */
  concurrency: number;
  /** A 413 halves the chunk size down to this, then fails. */
  minChunkSize: number;
  maxSegments: number;
  signal?: AbortSignal;
  /** X acknowledged a segment. */
  onAck: (range: SegmentRange) => void | Promise<void>;
  /** A 413 made the bytes from `index` on be cut again at the layout's new chunk size. */
  onRecut: (index: number) => void | Promise<void>;
}

type Settled = { range: SegmentRange; error?: unknown };

/**
 * APPEND every missing segment, `concurrency` at a time, in any order of completion. Each request is
 * retried on its own by the client's retry policy (APPEND is idempotent: a re-sent index replaces the
 * earlier bytes). The first failure that is not a 413 aborts the rest and is thrown.
 *
 * A 413 (X's edge refusing the segment's size, REFERENCE §4.2) halves the chunk size: once the
 * requests in flight have settled, the bytes from the lowest refused segment on are cut again at the
 * new size, with indexes starting at that segment's, so the indexes still follow the bytes; segments
 * of the old cut beyond it are replaced by the new ones with the same index (there are at least as
 * many new ones).
 *
 * A sequential source (a stream) is read only when a segment is about to be sent. Its bytes are kept
 * until every segment before them is acknowledged (a re-cut must send them again), and no segment is
 * read more than `concurrency` ahead of the oldest one kept: memory stays at chunk size × concurrency.
 */
export async function appendSegments(o: AppendSegmentsOptions): Promise<void> {
  const { layout, acked, source } = o;
  const sequential = source.access === 'sequential';
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  const inflight = new Map<number, Promise<Settled>>();
  /** Sequential sources: bytes read and not yet released, by segment index. */
  const held = new Map<number, Uint8Array>();
  let refused: number[] = [];
  let failure: { error: unknown } | undefined;
  let next = 0;

  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error: o.signal?.aborted ? abortReason(o.signal) : error };
    stop.abort(failure.error);
  };

  const send = async (range: SegmentRange, bytes?: Uint8Array): Promise<Settled> => {
    try {
      const data =
        bytes ?? source.blob?.(range.offset, range.length) ?? (await source.read(range.offset, range.length));
      await appendSegment(o.client, o.mediaId, range.index, data, signal);
      return { range };
    } catch (error) {
      return { range, error };
    }
  };

  const lowestHeld = () => (held.size === 0 ? next : Math.min(...held.keys()));

  const release = () => {
    for (let low = lowestHeld(); held.has(low) && acked.has(low); low++) held.delete(low);
  };

  const dispatch = async () => {
    while (!failure && refused.length === 0 && inflight.size < o.concurrency) {
      while (next < layout.count && acked.has(next)) next++;
      if (next >= layout.count) return;
      if (sequential && next - lowestHeld() >= o.concurrency) return;
      const range = layout.segment(next);
      if (sequential) {
        const bytes = await untilAborted(source.read(range.offset, range.length), signal);
        held.set(range.index, bytes);
        inflight.set(range.index, send(range, bytes));
      } else {
        inflight.set(range.index, send(range));
      }
      next++;
    }
  };

  const recut = async () => {
    const from = Math.min(...refused);
    refused = [];
    const chunkSize = layout.chunkSizeAt(from);
    if (chunkSize <= o.minChunkSize) {
      throw new XMediaError(
        `X refused a ${formatBytes(chunkSize)} segment of ${source.name} as too large (413), and segments cannot be smaller than ${formatBytes(o.minChunkSize)}`,
        { code: 'segment_too_large', mediaId: o.mediaId, limit: o.minChunkSize },
      );
    }
    const smaller = Math.max(o.minChunkSize, Math.floor(chunkSize / 2));
    const count = layout.countAfterRecut(from, smaller);
    if (count > o.maxSegments) {
      throw new XMediaError(
        `X refused ${formatBytes(chunkSize)} segments (413); ${formatBytes(smaller)} ones would make ${count} segments, more than X's ${o.maxSegments}`,
        { code: 'too_many_segments', mediaId: o.mediaId, limit: o.maxSegments, actual: count },
      );
    }
    if (sequential) {
      const back = [...held.keys()].filter((i) => i >= from).sort((a, b) => a - b);
      source.unread!(back.map((i) => held.get(i)!));
      for (const i of back) held.delete(i);
    }
    for (const i of [...acked]) if (i >= from) acked.delete(i);
    layout.recut(from, smaller);
    next = from;
    await o.onRecut(from);
  };

  try {
    for (;;) {
      try {
        await dispatch();
      } catch (error) {
        fail(error);
      }
      if (inflight.size === 0) {
        if (failure) throw failure.error;
        if (refused.length > 0) {
          await recut();
          continue;
        }
        break;
      }
      const settled = await Promise.race(inflight.values());
      inflight.delete(settled.range.index);
      if (settled.error === undefined) {
        acked.add(settled.range.index);
        release();
        try {
          await o.onAck(settled.range);
        } catch (error) {
          fail(error);
        }
      } else if (isTooLarge(settled.error) && !failure) {
        refused.push(settled.range.index);
      } else {
        fail(settled.error);
      }
    }
    if (sequential) await source.assertEnd?.();
  } finally {
    stop.abort();
  }
}

function isTooLarge(error: unknown): boolean {
  return error instanceof XError && error.status === 413;
}

/** A read from a stream that stalls must not outlive the upload's abort. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
