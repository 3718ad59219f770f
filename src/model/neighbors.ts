/**
 * Neighbour lists on the CPU for the float64 reference: every periodic image j + n of every atom (itself included, but
 * never itself at zero offset) within `cutoff` of atom i. Works for cells thinner than the cutoff (an atom then sees
 * many images of one neighbour) and for free clusters (cell null, or directions without pbc).
 *
 * Method: replicate the atoms into the ghost images that can lie within the cutoff of the cell, bin everything on a
 * grid of cutoff-sized boxes, and search the 27 boxes around each real atom.
 */
import { type Cell, faceSpacings, toFractional } from './cell.ts';

export interface NeighborList {
  /** Neighbours of atom i are entries offsets[i] .. offsets[i+1]-1. */
  offsets: Int32Array;
  /** Index of the real atom each neighbour is an image of. */
  index: Int32Array;
  /** r_ij = r_j(image) - r_i, 3 per entry, A. */
  vectors: Float64Array;
}

export function buildNeighborList(positions: ArrayLike<number>, cell: Cell | null, cutoff: number): NeighborList {
  const n = positions.length / 3;
  // 1. Ghost atoms: (source atom, Cartesian position). Real atoms come first, wrapped into the cell.
  const ghostSrc: number[] = [];
  const ghostPos: number[] = [];
  const wrapped = new Float64Array(positions.length);
  if (cell) {
    const frac = toFractional(cell, positions);
    for (let k = 0; k < frac.length; k++) {
      if (cell.pbc[k % 3]) frac[k] -= Math.floor(frac[k]);
    }
    const L = cell.lattice;
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < 3; d++) {
        wrapped[3 * i + d] = frac[3 * i] * L[d] + frac[3 * i + 1] * L[3 + d] + frac[3 * i + 2] * L[6 + d];
      }
    }
    const h = faceSpacings(cell);
    const reach = h.map((hk) => cutoff / hk);
    const nmax = reach.map((r, k) => (cell.pbc[k] ? Math.ceil(r) : 0));
    for (let i = 0; i < n; i++) {
      ghostSrc.push(i);
      ghostPos.push(wrapped[3 * i], wrapped[3 * i + 1], wrapped[3 * i + 2]);
    }
    for (let s0 = -nmax[0]; s0 <= nmax[0]; s0++) {
      for (let s1 = -nmax[1]; s1 <= nmax[1]; s1++) {
        for (let s2 = -nmax[2]; s2 <= nmax[2]; s2++) {
          if (s0 === 0 && s1 === 0 && s2 === 0) continue;
          for (let i = 0; i < n; i++) {
            const f0 = frac[3 * i] + s0;
            const f1 = frac[3 * i + 1] + s1;
            const f2 = frac[3 * i + 2] + s2;
            // Keep only images within the cutoff of the cell's faces (fractional slab [-reach, 1 + reach]).
            if (
              f0 < -reach[0] ||
              f0 > 1 + reach[0] ||
              f1 < -reach[1] ||
              f1 > 1 + reach[1] ||
              f2 < -reach[2] ||
              f2 > 1 + reach[2]
            ) {
              continue;
            }
            ghostSrc.push(i);
            for (let d = 0; d < 3; d++) ghostPos.push(f0 * L[d] + f1 * L[3 + d] + f2 * L[6 + d]);
          }
        }
      }
    }
  } else {
    wrapped.set(positions);
    for (let i = 0; i < n; i++) {
      ghostSrc.push(i);
      ghostPos.push(positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]);
    }
  }

  // 2. Bin all points on a grid of boxes at least `cutoff` wide (capped so a sparse cluster does not make huge grids).
  const m = ghostSrc.length;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let g = 0; g < m; g++) {
    for (let d = 0; d < 3; d++) {
      lo[d] = Math.min(lo[d], ghostPos[3 * g + d]);
      hi[d] = Math.max(hi[d], ghostPos[3 * g + d]);
    }
  }
  const maxBinsPerAxis = Math.max(1, Math.ceil(Math.cbrt(4 * m)));
  const dims = [0, 1, 2].map((d) => Math.max(1, Math.min(maxBinsPerAxis, Math.floor((hi[d] - lo[d]) / cutoff) || 1)));
  const width = [0, 1, 2].map((d) => Math.max((hi[d] - lo[d]) / dims[d], 1e-12));
  const binOf = (g: number, d: number) => Math.min(dims[d] - 1, Math.floor((ghostPos[3 * g + d] - lo[d]) / width[d]));
  const nbins = dims[0] * dims[1] * dims[2];
  const binStart = new Int32Array(nbins + 1);
  const binId = new Int32Array(m);
  for (let g = 0; g < m; g++) {
    binId[g] = (binOf(g, 0) * dims[1] + binOf(g, 1)) * dims[2] + binOf(g, 2);
    binStart[binId[g] + 1]++;
  }
  for (let b = 0; b < nbins; b++) binStart[b + 1] += binStart[b];
  const fill = binStart.slice(0, nbins);
  const binned = new Int32Array(m);
  for (let g = 0; g < m; g++) binned[fill[binId[g]]++] = g;

  // 3. Search. Ghost g with source i and g < n is atom i itself at zero offset: skipped.
  const offsets = new Int32Array(n + 1);
  const idx: number[] = [];
  const vec: number[] = [];
  const rc2 = cutoff * cutoff;
  for (let i = 0; i < n; i++) {
    const xi = ghostPos[3 * i];
    const yi = ghostPos[3 * i + 1];
    const zi = ghostPos[3 * i + 2];
    const b0 = binOf(i, 0);
    const b1 = binOf(i, 1);
    const b2 = binOf(i, 2);
    for (let c0 = Math.max(0, b0 - 1); c0 <= Math.min(dims[0] - 1, b0 + 1); c0++) {
      for (let c1 = Math.max(0, b1 - 1); c1 <= Math.min(dims[1] - 1, b1 + 1); c1++) {
        for (let c2 = Math.max(0, b2 - 1); c2 <= Math.min(dims[2] - 1, b2 + 1); c2++) {
          const b = (c0 * dims[1] + c1) * dims[2] + c2;
          for (let k = binStart[b]; k < binStart[b + 1]; k++) {
            const g = binned[k];
            if (g === i) continue;
            const dx = ghostPos[3 * g] - xi;
            const dy = ghostPos[3 * g + 1] - yi;
            const dz = ghostPos[3 * g + 2] - zi;
            const r2 = dx * dx + dy * dy + dz * dz;
            if (r2 < rc2) {
              idx.push(ghostSrc[g]);
              vec.push(dx, dy, dz);
            }
          }
        }
      }
    }
    offsets[i + 1] = idx.length;
  }
  return { offsets, index: Int32Array.from(idx), vectors: Float64Array.from(vec) };
}
