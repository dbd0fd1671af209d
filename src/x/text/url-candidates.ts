import { HOST_CHARACTER, LABEL_END_BEFORE_TLD_AT } from './url-patterns.js';

/** `https` is the longest scheme: it may end a run of host characters right before `://`. */
const LONGEST_SCHEME_NAME = 'https'.length;

/**
 * Returns `next(position)`: the first position at or after `position` where a URL could start.
 *
 * Trying the URL pattern at every position of a long run of host characters (a CJK paragraph, say)
 * costs time quadratic in the run's length, as the pattern scans to the run's end each time. But
 * a host lies inside one run of host characters and ends in `name.TLD`, where `name` (the label
 * before the TLD) has no `_`. So a host can start at `p` only if the run holds such a `.TLD`
 * after `p` whose label has no `_` at or after `p`. Other positions are skipped, except where a
 * scheme ends the run (`日本https://…`).
 */
export function skipHopelessPositions(text: string): (position: number) => number {
  const length = text.length;
  const none = length;
  const isHost = new Uint8Array(length);
  // Last `_` in the label that ends at i, or -1.
  const underscoreInLabel = new Int32Array(length);
  for (let i = 0, underscore = -1; i < length; i++) {
    const ch = text[i]!;
    isHost[i] = HOST_CHARACTER.test(ch) ? 1 : 0;
    if (!isHost[i] || ch === '.') underscore = -1;
    else if (ch === '_') underscore = i;
    underscoreInLabel[i] = underscore;
  }
  // For each i: where its run of host characters ends, and the smallest "start must be after"
  // bound over the `.TLD`s later in that run (`none` when there is none).
  const runEnd = new Int32Array(length + 1);
  const startBound = new Int32Array(length + 1);
  runEnd[length] = length;
  startBound[length] = none;
  for (let i = length - 1; i >= 0; i--) {
    if (!isHost[i]) {
      runEnd[i] = i;
      startBound[i] = none;
      continue;
    }
    runEnd[i] = runEnd[i + 1]!;
    let bound = isHost[i + 1] ? startBound[i + 1]! : none;
    LABEL_END_BEFORE_TLD_AT.lastIndex = i;
    if (text[i + 1] === '.' && LABEL_END_BEFORE_TLD_AT.test(text))
      bound = Math.min(bound, underscoreInLabel[i]!);
    startBound[i] = bound;
  }
  return (position) => {
    let p = position;
    while (p < length) {
      const end = runEnd[p]!;
      if (end === p) {
        p++; // not a host character
        continue;
      }
      const schemeStart = text.startsWith('://', end) ? end - LONGEST_SCHEME_NAME : end;
      if (startBound[p]! < p || p >= schemeStart) return p;
      p = Math.max(p + 1, Math.min(startBound[p]! + 1, schemeStart));
    }
    return length;
  };
}
