import { describe, expect, it } from 'vitest';
import { SegmentLayout } from '../../../src/x/media/segment-layout.js';

const MiB = 1024 * 1024;

describe('SegmentLayout: where each segment index lies', () => {
  it('uniform chunks, the last one short', () => {
    const layout = SegmentLayout.uniform(10 * MiB + 1, 4 * MiB);
    expect(layout.count).toBe(3);
    expect(layout.segment(2)).toEqual({ index: 2, offset: 8 * MiB, length: 2 * MiB + 1 });
  });

  it('a re-cut from a refused index continues at that index with smaller segments', () => {
    const layout = SegmentLayout.uniform(10 * MiB, 4 * MiB);
    layout.recut(1, 2 * MiB);
    expect(layout.count).toBe(4);
    expect([0, 1, 2, 3].map((i) => layout.segment(i))).toEqual([
      { index: 0, offset: 0, length: 4 * MiB },
      { index: 1, offset: 4 * MiB, length: 2 * MiB },
      { index: 2, offset: 6 * MiB, length: 2 * MiB },
      { index: 3, offset: 8 * MiB, length: 2 * MiB },
    ]);
    expect(layout.chunkSizeAt(0)).toBe(4 * MiB);
    expect(layout.chunkSize).toBe(2 * MiB);
  });

  it('a second re-cut before the first drops the first', () => {
    const layout = SegmentLayout.uniform(16 * MiB, 4 * MiB);
    layout.recut(2, 2 * MiB);
    layout.recut(1, MiB);
    expect(layout.spans).toEqual([
      { index: 0, offset: 0, chunkSize: 4 * MiB },
      { index: 1, offset: 4 * MiB, chunkSize: MiB },
    ]);
    expect(layout.count).toBe(13);
    expect(layout.countAfterRecut(0, MiB)).toBe(16);
  });

  it('round-trips through its spans (the journal keeps them)', () => {
    const layout = SegmentLayout.uniform(9 * MiB, 4 * MiB);
    layout.recut(1, 2 * MiB);
    const again = new SegmentLayout(9 * MiB, layout.spans);
    expect([0, 1, 2, 3].map((i) => again.segment(i))).toEqual([0, 1, 2, 3].map((i) => layout.segment(i)));
  });
});
