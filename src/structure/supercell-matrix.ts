/**
 * Supercells by an integer matrix: rows of M are the new lattice vectors in units of the old ones (a' = M[0] . (a, b, c)).
 * Every atom image with fractional coordinates in [0, 1) of the new cell is kept; the count is checked against
 * |det M| x N, so a wrong matrix can never silently lose or double atoms.
 */
import { inverse3 } from '../model/cell.ts';
import type { Structure } from '../model/structure.ts';
import { det3I, type IVec } from './gb/index-math.ts';

export function supercellByMatrix(s: Structure, M: IVec[]): Structure {
  const det = det3I(M);
  if (det === 0) throw new Error('supercell matrix is singular');
  const L = s.cell.lattice;
  const lattice = new Float64Array(9);
  for (let r = 0; r < 3; r++)
    for (let d = 0; d < 3; d++) lattice[3 * r + d] = M[r][0] * L[d] + M[r][1] * L[3 + d] + M[r][2] * L[6 + d];
  const Mf = M.flat();
  const Minv = inverse3(Mf);
  const Linv = inverse3(L);
  const n = s.types.length;
  // fractional coordinates of the atoms in the old cell
  const frac: number[][] = [];
  for (let i = 0; i < n; i++) {
    const p = [s.positions[3 * i], s.positions[3 * i + 1], s.positions[3 * i + 2]];
    frac.push([0, 1, 2].map((k) => p[0] * Linv[k] + p[1] * Linv[3 + k] + p[2] * Linv[6 + k]));
  }
  // range of old-cell translations that can land inside the new cell: the new cell's corners in old indices
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (const c of [0, 1].flatMap((a) => [0, 1].flatMap((b) => [0, 1].map((d) => [a, b, d])))) {
    for (let k = 0; k < 3; k++) {
      const v = c[0] * Mf[k] + c[1] * Mf[3 + k] + c[2] * Mf[6 + k];
      lo[k] = Math.min(lo[k], v);
      hi[k] = Math.max(hi[k], v);
    }
  }
  const eps = 1e-8;
  const types: number[] = [];
  const positions: number[] = [];
  for (let t0 = Math.floor(lo[0]) - 1; t0 <= Math.ceil(hi[0]); t0++) {
    for (let t1 = Math.floor(lo[1]) - 1; t1 <= Math.ceil(hi[1]); t1++) {
      for (let t2 = Math.floor(lo[2]) - 1; t2 <= Math.ceil(hi[2]); t2++) {
        for (let i = 0; i < n; i++) {
          const f = [frac[i][0] + t0, frac[i][1] + t1, frac[i][2] + t2];
          // new fractional g = f . M^-1 (row vector)
          const g = [0, 1, 2].map((k) => f[0] * Minv[k] + f[1] * Minv[3 + k] + f[2] * Minv[6 + k]);
          if (g.every((x) => x >= -eps && x < 1 - eps)) {
            types.push(s.types[i]);
            const r = [0, 1, 2].map((d) => f[0] * L[d] + f[1] * L[3 + d] + f[2] * L[6 + d]);
            positions.push(...r);
          }
        }
      }
    }
  }
  if (types.length !== Math.abs(det) * n) {
    throw new Error(
      `supercell: found ${types.length} atoms, expected ${Math.abs(det) * n} (|det M| = ${Math.abs(det)})`,
    );
  }
  return {
    cell: { lattice, pbc: [...s.cell.pbc] },
    species: [...s.species],
    types: Int32Array.from(types),
    positions: Float64Array.from(positions),
    title: `${s.title ?? 'structure'} supercell [${M.map((r) => r.join(' ')).join(' | ')}]`,
  };
}
