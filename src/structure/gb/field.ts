/**
 * The electrostatics of formal charges along a boundary normal: the plane-averaged (G_parallel = 0) part of the
 * Coulomb energy of a periodic bicrystal, and the macroscopic field it leaves across each grain.
 *
 * A periodic bicrystal whose boundaries carry net sheet charges, or whose grains carry a net dipole along the normal,
 * has a field across the grains (with formal charges, volts over tens of A). DFT sees it, screened by the electrons; a
 * potential with a 5 A cutoff cannot. So the builder chooses the bodies it removes to lower this energy, and reports
 * the field that is left.
 *
 * For a sheet of charge q per cell area A at z = 0, periodic over L and neutralised by a uniform background, the
 * potential is phi(u) = -(2 pi k q / A) u (L - u) / L with u = z mod L (k = e^2/4 pi eps0): it solves
 * phi'' = -4 pi k (q / A) (delta(z) - 1 / L). The energy of charges q_i at z_i is (1/2) sum_ij q_i q_j phi(z_i - z_j),
 * a constant self term included, which differences cancel.
 */
import { COULOMB_EV_A } from '../../model/units.ts';

export interface NormalFrame {
  /** Coordinate of each atom along the normal, A. */
  z: Float64Array;
  /** Period along the normal, A. */
  length: number;
  /** Cell area in the boundary plane, A^2. */
  area: number;
}

/** Potential (V) at distance d along the normal from a unit sheet charge, periodic over L, per cell area A. */
export function sheetPotential(d: number, length: number, area: number): number {
  const u = ((d % length) + length) % length;
  return ((-2 * Math.PI * COULOMB_EV_A) / area) * ((u * (length - u)) / length);
}

/** The potential (V) at each atom from all the charges (`alive` marks those present). */
export function sheetPotentials(frame: NormalFrame, charge: Float64Array, alive?: Uint8Array): Float64Array {
  const n = charge.length;
  const v = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    if ((alive && !alive[j]) || charge[j] === 0) continue;
    for (let i = 0; i < n; i++) v[i] += charge[j] * sheetPotential(frame.z[i] - frame.z[j], frame.length, frame.area);
  }
  return v;
}

/**
 * Change of the plane-averaged Coulomb energy (eV) when the atoms `removed` go, given the potential `v` at every atom
 * from the charges present (sheetPotentials).
 */
export function removalEnergy(frame: NormalFrame, charge: Float64Array, v: Float64Array, removed: number[]): number {
  let de = 0;
  for (const r of removed) de -= charge[r] * v[r];
  for (const a of removed)
    for (const b of removed)
      de += 0.5 * charge[a] * charge[b] * sheetPotential(frame.z[a] - frame.z[b], frame.length, frame.area);
  return de;
}

/**
 * Mean field (V/A, along +normal) across the stretch of the normal from `from` to `to` (A, to > from, taken
 * periodically): minus the potential difference over the distance, the potential at a point being that of the sheets.
 * Over a stretch many crystal layers long this is the macroscopic field; a short one adds the layers' own ripple.
 */
export function meanField(frame: NormalFrame, charge: Float64Array, from: number, to: number): number {
  let dv = 0;
  for (let j = 0; j < charge.length; j++) {
    if (charge[j] === 0) continue;
    dv +=
      charge[j] *
      (sheetPotential(to - frame.z[j], frame.length, frame.area) -
        sheetPotential(from - frame.z[j], frame.length, frame.area));
  }
  return -dv / (to - from);
}
