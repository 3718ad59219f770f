/** Which MD frames to label: the highest-graded (active learning) or evenly spaced ones (a test set). */

export interface Candidate {
  /** fs */
  time: number;
  positions: Float64Array;
  /** The frame's largest extrapolation grade. */
  grade: number;
}

/** Highest grades first, at least `spacing` fs apart, returned in time order. */
export function highestGraded<T extends Candidate>(candidates: T[], count: number, spacing: number): T[] {
  const picked: T[] = [];
  for (const c of [...candidates].sort((a, b) => b.grade - a.grade)) {
    if (picked.length >= count) break;
    if (picked.every((p) => Math.abs(p.time - c.time) >= spacing)) picked.push(c);
  }
  return picked.sort((a, b) => a.time - b.time);
}

/**
 * `count` frames evenly spaced in time from `after` fs on (the thermostat's equilibration left out), the last frame
 * of the run among them; grades play no part, so the frames sample what the MD visits.
 */
export function evenlySpaced<T extends Candidate>(candidates: T[], count: number, after: number): T[] {
  const settled = candidates.filter((c) => c.time >= after).sort((a, b) => a.time - b.time);
  const n = Math.min(count, settled.length);
  if (n === 0) return [];
  const step = settled.length / n;
  return Array.from({ length: n }, (_, k) => settled[Math.min(settled.length - 1, Math.floor((k + 1) * step) - 1)]);
}
