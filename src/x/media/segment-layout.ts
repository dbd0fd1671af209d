/**
 * Where each segment's bytes lie. X assembles segments by `segment_index`, in order, with no gaps
 * (REFERENCE §4.2), so indexes must follow the bytes. Normally every segment is `chunkSize` long;
 * after a 413 the bytes from the refused segment on are cut again smaller, starting at that same
 * index (a re-sent index replaces what X had). Each such cut is a span.
 */
export interface LayoutSpan {
  /** The first segment index cut this way. */
  index: number;
  /** Its byte offset. */
  offset: number;
  chunkSize: number;
}

export interface SegmentRange {
  index: number;
  offset: number;
  length: number;
}

export class SegmentLayout {
  readonly totalBytes: number;
  #spans: LayoutSpan[];

  constructor(totalBytes: number, spans: readonly LayoutSpan[]) {
    this.totalBytes = totalBytes;
    this.#spans = spans.map((s) => ({ ...s }));
  }

  static uniform(totalBytes: number, chunkSize: number): SegmentLayout {
    return new SegmentLayout(totalBytes, [{ index: 0, offset: 0, chunkSize }]);
  }

  get spans(): readonly LayoutSpan[] {
    return this.#spans;
  }

  /** The chunk size of the last span: what new segments are cut with. */
  get chunkSize(): number {
    return this.#last().chunkSize;
  }

  /** How many segments the bytes make. */
  get count(): number {
    const last = this.#last();
    return last.index + Math.max(1, Math.ceil((this.totalBytes - last.offset) / last.chunkSize));
  }

  segment(index: number): SegmentRange {
    const span = this.#spanOf(index);
    const offset = span.offset + (index - span.index) * span.chunkSize;
    return { index, offset, length: Math.max(0, Math.min(span.chunkSize, this.totalBytes - offset)) };
  }

  /** The chunk size segment `index` was cut with. */
  chunkSizeAt(index: number): number {
    return this.#spanOf(index).chunkSize;
  }

  /** Cut everything from segment `index` on at `chunkSize`; later spans are dropped. */
  recut(index: number, chunkSize: number): void {
    const { offset } = this.segment(index);
    this.#spans = this.#spans.filter((s) => s.index < index);
    this.#spans.push({ index, offset, chunkSize });
  }

  /** How many segments a re-cut from `index` at `chunkSize` would make in all. */
  countAfterRecut(index: number, chunkSize: number): number {
    const { offset } = this.segment(index);
    return index + Math.max(1, Math.ceil((this.totalBytes - offset) / chunkSize));
  }

  #last(): LayoutSpan {
    return this.#spans[this.#spans.length - 1]!;
  }

  #spanOf(index: number): LayoutSpan {
    for (let i = this.#spans.length - 1; i >= 0; i--) {
      const span = this.#spans[i]!;
      if (span.index <= index) return span;
    }
    throw new RangeError(`segment ${index} lies before the first span`);
  }
}
