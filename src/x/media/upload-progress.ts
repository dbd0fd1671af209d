import type { SegmentLayout } from './segment-layout.js';
import type { UploadProgress } from './types.js';
import type { MediaStatusData } from './upload-requests.js';

/** Builds `UploadProgress` events from the upload's state; a throwing listener does not break the upload. */
export class ProgressReporter {
  mediaId?: string;
  #bytesSent = 0;

  constructor(
    private readonly listener: ((event: UploadProgress) => void) | undefined,
    private readonly totalBytes: number,
    private layout?: SegmentLayout,
    private acked?: ReadonlySet<number>,
  ) {}

  /** The segments to count from (set once INITIALIZE or the journal gave them). */
  track(layout: SegmentLayout, acked: ReadonlySet<number>): void {
    this.layout = layout;
    this.acked = acked;
    this.recount();
  }

  /** After a re-cut the acknowledged bytes are counted again. */
  recount(): void {
    let sum = 0;
    for (const index of this.acked ?? []) sum += this.layout!.segment(index).length;
    this.#bytesSent = sum;
  }

  segmentAcked(length: number): void {
    this.#bytesSent += length;
    this.emit('append');
  }

  emit(phase: UploadProgress['phase'], status?: MediaStatusData): void {
    if (!this.listener) return;
    const info = status?.processing_info;
    const event: UploadProgress = {
      phase,
      totalBytes: this.totalBytes,
      bytesSent: this.#bytesSent,
      segmentsDone: this.acked?.size ?? 0,
      segmentsTotal: this.layout?.count ?? 0,
      ...(this.mediaId ? { mediaId: this.mediaId } : {}),
      ...(info ? { processingState: info.state } : {}),
      ...(info?.progress_percent !== undefined ? { processingPercent: info.progress_percent } : {}),
    };
    try {
      this.listener(event);
    } catch {
      // Progress is for display; a failing display must not fail the upload.
    }
  }
}
