/**
 * Active learning by D-optimality (Podryabinkin & Shapeev, Comput. Mater. Sci. 140 (2017) 171): among candidate rows
 * (one per configuration or per atomic neighbourhood, holding the derivatives of the energy by the linear
 * parameters), the active set is the K rows whose K x K matrix A has the largest |det|, found by the MaxVol
 * iteration. The extrapolation grade of a row x is gamma = max_j |(x A^-1)_j|: at most 1 (to rounding) for every
 * candidate once MaxVol has converged, and above 1 for rows outside the span the active set covers well.
 */
import { invert } from '../model/linalg.ts';

export interface ActiveSet {
  /** K x K, row-major: the selected rows. */
  rows: Float64Array;
  k: number;
  /** A^-1 of the selected rows, for grades. */
  inverse: Float64Array;
  /** Indices of the selected candidates. */
  selected: number[];
}

/** MaxVol over candidate rows (m x k, row-major, m >= k); `tolerance` is the allowed excess over 1 (MLIP uses 1e-3 ... 0.1). */
export function maxvol(
  candidates: Float64Array,
  m: number,
  k: number,
  tolerance = 1e-3,
  maxIterations = 1000,
): ActiveSet {
  if (m < k) throw new Error(`MaxVol needs at least ${k} candidate rows, got ${m}`);
  // start: greedy pivoted elimination picks k well-conditioned rows
  const work = Float64Array.from(candidates);
  const selected: number[] = [];
  const used = new Uint8Array(m);
  for (let col = 0; col < k; col++) {
    let best = -1;
    let bestVal = 0;
    for (let r = 0; r < m; r++) {
      if (used[r]) continue;
      const v = Math.abs(work[r * k + col]);
      if (v > bestVal) {
        bestVal = v;
        best = r;
      }
    }
    if (best < 0 || bestVal < 1e-14)
      throw new Error('the candidate rows do not span all parameters (add more, or more varied, data)');
    used[best] = 1;
    selected.push(best);
    for (let r = 0; r < m; r++) {
      if (used[r]) continue;
      const f = work[r * k + col] / work[best * k + col];
      for (let c = col; c < k; c++) work[r * k + c] -= f * work[best * k + c];
    }
  }
  const rowsOf = (sel: number[]) => {
    const A = new Float64Array(k * k);
    sel.forEach((r, i) => {
      A.set(candidates.subarray(r * k, (r + 1) * k), i * k);
    });
    return A;
  };
  let inverse = invert(rowsOf(selected), k);
  for (let it = 0; it < maxIterations; it++) {
    // C = X A^-1: find the largest |C_ij|; swap row i in for row j when it exceeds 1 + tolerance
    let bi = -1;
    let bj = -1;
    let bv = 1 + tolerance;
    for (let r = 0; r < m; r++) {
      for (let j = 0; j < k; j++) {
        let c = 0;
        for (let l = 0; l < k; l++) c += candidates[r * k + l] * inverse[l * k + j];
        if (Math.abs(c) > bv) {
          bv = Math.abs(c);
          bi = r;
          bj = j;
        }
      }
    }
    if (bi < 0) break;
    selected[bj] = bi;
    inverse = invert(rowsOf(selected), k);
  }
  return { rows: rowsOf(selected), k, inverse, selected };
}

/** Extrapolation grade of one row. */
export function grade(active: ActiveSet, row: ArrayLike<number>): number {
  const k = active.k;
  let g = 0;
  for (let j = 0; j < k; j++) {
    let c = 0;
    for (let l = 0; l < k; l++) c += row[l] * active.inverse[l * k + j];
    g = Math.max(g, Math.abs(c));
  }
  return g;
}
