/**
 * A slab of about 100 atoms around one boundary of a periodic bicrystal, for DFT labels of boundary environments that
 * two cores can afford. The slab holds every P within `halfWidth` of the boundary plane with its four nearest S (so
 * no PS4 unit is cut and the surfaces are PS4 terminations, not broken bonds), the S within `halfWidth` bonded to no
 * P (sulfide ions of the boundary), and the Li nearest the plane that make it neutral with formal charges (Li +1,
 * P +5, S -2). It keeps the bicrystal's in-plane cell and is opened by vacuum
 * along the normal.
 *
 * The atom choice (`slabAtoms`) is made once and applied to every frame (`cutSlab`): all slabs of one boundary then
 * have the same atoms in the same order, which is what lets each SCF restart from the previous wavefunction.
 */
import { nearestImage } from '../../src/model/cell.ts';
import type { Structure } from '../../src/model/structure.ts';

export interface SlabAtoms {
  /** Plane position along z, A. */
  z0: number;
  /** Bicrystal atom indices: Li, then P, then S, each in index order. */
  atoms: number[];
  /** S atom -> the P it is placed next to. */
  anchor: Map<number, number>;
}

const FORMAL: Record<string, number> = { Li: 1, P: 5, S: -2 };
/** P-S bond cutoff, A (the bond is 2.05 A; the next S is beyond 3 A). */
const PS_BOND = 2.4;

function checkLayout(s: Structure): void {
  const L = s.cell.lattice;
  if ([L[2], L[5], L[6], L[7]].some((x) => Math.abs(x) > 1e-9))
    throw new Error('a bicrystal with its in-plane vectors in xy and its normal along z is expected');
}

/** z of atom i relative to the plane z0, folded to the nearest periodic image. */
function dzOf(s: Structure, positions: ArrayLike<number>, i: number, z0: number): number {
  const h = s.cell.lattice[8];
  const d = positions[3 * i + 2] - z0;
  return d - h * Math.round(d / h);
}

/** Minimum-image displacement from atom i to atom j. */
function minimumImage(s: Structure, positions: ArrayLike<number>, i: number, j: number): number[] {
  return nearestImage(s.cell.lattice, positions, i, j).vector;
}

export function slabAtoms(s: Structure, positions: ArrayLike<number>, z0: number, halfWidth: number): SlabAtoms {
  checkLayout(s);
  const n = s.types.length;
  const el = (i: number) => s.species[s.types[i]];
  const all = [...Array(n).keys()];
  const phosphorus = all.filter((i) => el(i) === 'P' && Math.abs(dzOf(s, positions, i, z0)) < halfWidth);
  const sulfur = all.filter((j) => el(j) === 'S');
  const anchor = new Map<number, number>();
  for (const p of phosphorus) {
    const nearest = sulfur
      .map((j) => ({ j, r: Math.hypot(...minimumImage(s, positions, p, j)) }))
      .sort((a, b) => a.r - b.r)
      .slice(0, 4);
    for (const { j } of nearest) if (!anchor.has(j)) anchor.set(j, p);
  }
  // S bonded to no P (the construction cuts some PS4 units at the plane; relaxation frees or bridges others) are
  // sulfide ions of the boundary: kept, or the slab would need far fewer Li than its window holds
  const free = sulfur.filter(
    (j) =>
      !anchor.has(j) &&
      Math.abs(dzOf(s, positions, j, z0)) < halfWidth &&
      all.every((p) => el(p) !== 'P' || Math.hypot(...minimumImage(s, positions, p, j)) > PS_BOND),
  );
  const lithium = -(FORMAL.S * (anchor.size + free.length) + FORMAL.P * phosphorus.length);
  const li = all
    .filter((i) => el(i) === 'Li')
    .sort((a, b) => Math.abs(dzOf(s, positions, a, z0)) - Math.abs(dzOf(s, positions, b, z0)))
    .slice(0, lithium);
  if (li.length < lithium) throw new Error(`not enough Li for a neutral slab (${li.length} of ${lithium})`);
  const atoms = [...li.sort((a, b) => a - b), ...phosphorus, ...[...anchor.keys(), ...free].sort((a, b) => a - b)];
  return { z0, atoms, anchor };
}

/** The slab of one frame: the chosen atoms with S next to their P, opened by `vacuum` A along z and centred. */
export function cutSlab(s: Structure, positions: ArrayLike<number>, slab: SlabAtoms, vacuum: number): Structure {
  checkLayout(s);
  const L = s.cell.lattice;
  const { z0, atoms, anchor } = slab;
  const pos = new Float64Array(3 * atoms.length);
  atoms.forEach((i, k) => {
    const p = anchor.get(i);
    if (p !== undefined) {
      const d = minimumImage(s, positions, p, i);
      for (let c = 0; c < 2; c++) pos[3 * k + c] = positions[3 * p + c] + d[c];
      pos[3 * k + 2] = z0 + dzOf(s, positions, p, z0) + d[2];
    } else {
      for (let c = 0; c < 2; c++) pos[3 * k + c] = positions[3 * i + c];
      pos[3 * k + 2] = z0 + dzOf(s, positions, i, z0);
    }
  });
  let zMin = Number.POSITIVE_INFINITY;
  let zMax = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < atoms.length; k++) {
    zMin = Math.min(zMin, pos[3 * k + 2]);
    zMax = Math.max(zMax, pos[3 * k + 2]);
  }
  for (let k = 0; k < atoms.length; k++) pos[3 * k + 2] += vacuum / 2 - zMin;
  const lattice = Float64Array.from([L[0], L[1], 0, L[3], L[4], 0, 0, 0, zMax - zMin + vacuum]);
  // fold x, y into the in-plane cell (readers expect wrapped positions; the physics does not care)
  const det = lattice[0] * lattice[4] - lattice[1] * lattice[3];
  for (let k = 0; k < atoms.length; k++) {
    const x = pos[3 * k];
    const y = pos[3 * k + 1];
    const fa = (x * lattice[4] - y * lattice[3]) / det;
    const fb = (y * lattice[0] - x * lattice[1]) / det;
    const ua = fa - Math.floor(fa);
    const ub = fb - Math.floor(fb);
    pos[3 * k] = ua * lattice[0] + ub * lattice[3];
    pos[3 * k + 1] = ua * lattice[1] + ub * lattice[4];
  }
  return {
    cell: { lattice, pbc: [true, true, true] },
    species: s.species,
    types: Int32Array.from(atoms, (i) => s.types[i]),
    positions: pos,
  };
}
