/**
 * Active learning by D-optimality (Podryabinkin & Shapeev, Comput. Mater. Sci. 140 (2017) 171): among candidate rows
 * (one per configuration or per atomic neighbourhood, holding the derivatives of the energy by the linear
 * parameters), the active set is the K rows whose K x K matrix A has the largest |det|, found by the MaxVol
 * iteration. The extrapolation grade of a row x is gamma = max_j |(x A^-1)_j|: at most 1 (to rounding) for every
 * candidate once MaxVol has converged, and above 1 for rows outside the span the active set covers well.
 *
 * From level 16 on, MTP's basis functions are linearly dependent in three dimensions (the polarised Cayley-Hamilton
 * identities of 3 x 3 tensors write some contractions as sums of products of others, and both are basis functions),
 * so no K rows are independent. The active set then works in the parameters that are independent over the candidates
 * (`columns`, found by the pivoted elimination that starts MaxVol): a dependent parameter's derivative is a fixed
 * combination of the kept ones' for every neighbourhood, so leaving it out changes no grade.
 */
import { invert } from '../model/linalg.ts';

export interface ActiveSet {
  /** R x R, row-major: the selected rows in the independent parameters. */
  rows: Float64Array;
  /** Parameters of a row (species + moment coefficients). */
  k: number;
  /** The R independent parameters (all K when the basis is independent). */
  columns: number[];
  /** A^-1 of the selected rows, for grades. */
  inverse: Float64Array;
  /** Indices of the selected candidates. */
  selected: number[];
}

/** Pivots below this fraction of their parameter's largest candidate value mark the parameter as dependent. */
const DEPENDENT = 1e-9;

/**
 * MaxVol over candidate rows (m x k, row-major, m >= k); `tolerance` is the allowed excess over 1 (MLIP uses 1e-3 ...
 * 0.1). Parameters that the candidates do not span independently are left out (ActiveSet.columns); with none left
 * the candidates are refused.
 */
export function maxvol(
  candidates: Float64Array,
  m: number,
  k: number,
  tolerance = 1e-3,
  maxIterations = 1000,
): ActiveSet {
  if (m < k) throw new Error(`MaxVol needs at least ${k} candidate rows, got ${m}`);
  const scale = new Float64Array(k);
  for (let i = 0; i < m * k; i++) scale[i % k] = Math.max(scale[i % k], Math.abs(candidates[i]));
  // start: greedy pivoted elimination picks well-conditioned rows, one per independent parameter
  const work = Float64Array.from(candidates);
  const start: number[] = [];
  const columns: number[] = [];
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
    // what is left of this parameter after the earlier ones is rounding: it depends on them
    if (best < 0 || bestVal <= DEPENDENT * scale[col]) continue;
    used[best] = 1;
    start.push(best);
    columns.push(col);
    for (let r = 0; r < m; r++) {
      if (used[r]) continue;
      const f = work[r * k + col] / work[best * k + col];
      for (let c = col; c < k; c++) work[r * k + c] -= f * work[best * k + c];
    }
  }
  if (columns.length === 0)
    throw new Error('the candidate rows do not span any parameter (add more, or more varied, data)');
  const n = columns.length;
  const X = new Float64Array(m * n);
  for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) X[r * n + j] = candidates[r * k + columns[j]];
  const selected = start;
  const rowsOf = (sel: number[]) => {
    const A = new Float64Array(n * n);
    sel.forEach((r, i) => {
      A.set(X.subarray(r * n, (r + 1) * n), i * n);
    });
    return A;
  };
  let inverse = invert(rowsOf(selected), n);
  for (let it = 0; it < maxIterations; it++) {
    // C = X A^-1: find the largest |C_ij|; swap row i in for row j when it exceeds 1 + tolerance
    let bi = -1;
    let bj = -1;
    let bv = 1 + tolerance;
    for (let r = 0; r < m; r++) {
      for (let j = 0; j < n; j++) {
        let c = 0;
        for (let l = 0; l < n; l++) c += X[r * n + l] * inverse[l * n + j];
        if (Math.abs(c) > bv) {
          bv = Math.abs(c);
          bi = r;
          bj = j;
        }
      }
    }
    if (bi < 0) break;
    selected[bj] = bi;
    inverse = invert(rowsOf(selected), n);
  }
  return { rows: rowsOf(selected), k, columns, inverse, selected };
}

/** Extrapolation grade of one row (all K parameters; the active set reads its independent ones). */
export function grade(active: ActiveSet, row: ArrayLike<number>): number {
  const n = active.columns.length;
  let g = 0;
  for (let j = 0; j < n; j++) {
    let c = 0;
    for (let l = 0; l < n; l++) c += row[active.columns[l]] * active.inverse[l * n + j];
    g = Math.max(g, Math.abs(c));
  }
  return g;
}
