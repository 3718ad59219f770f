import type { Structure } from '../model/structure.ts';

/** n0 x n1 x n2 repetition along the lattice vectors; atoms ordered image by image, labels repeated. */
export function repeatStructure(s: Structure, n0: number, n1: number, n2: number): Structure {
  if (![n0, n1, n2].every((n) => Number.isInteger(n) && n >= 1))
    throw new Error('supercell repeats must be integers >= 1');
  const L = s.cell.lattice;
  const n = s.types.length;
  const copies = n0 * n1 * n2;
  const positions = new Float64Array(3 * n * copies);
  const types = new Int32Array(n * copies);
  let c = 0;
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      for (let i2 = 0; i2 < n2; i2++) {
        for (let d = 0; d < 3; d++) {
          const shift = i0 * L[d] + i1 * L[3 + d] + i2 * L[6 + d];
          for (let a = 0; a < n; a++) positions[3 * (c * n + a) + d] = s.positions[3 * a + d] + shift;
        }
        types.set(s.types, c * n);
        c++;
      }
    }
  }
  const lattice = Float64Array.from(L);
  for (let d = 0; d < 3; d++) {
    lattice[d] *= n0;
    lattice[3 + d] *= n1;
    lattice[6 + d] *= n2;
  }
  const repeatLabel = <T extends Int32Array | Float64Array>(v: T | undefined): T | undefined => {
    if (!v) return undefined;
    const out = new (v.constructor as new (n: number) => T)(v.length * copies);
    for (let k = 0; k < copies; k++) out.set(v, k * v.length);
    return out;
  };
  return {
    cell: { lattice, pbc: [...s.cell.pbc] },
    species: [...s.species],
    types,
    positions,
    labels: s.labels
      ? { grain: repeatLabel(s.labels.grain), boundaryDistance: repeatLabel(s.labels.boundaryDistance) }
      : undefined,
    title: `${s.title ?? 'structure'} ${n0}x${n1}x${n2}`,
  };
}
