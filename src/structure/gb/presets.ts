/**
 * The grain boundaries studied for beta-Li3PS4, named by the study's labels. Indices refer to the conventional
 * standard setting of Pnma that the aimsgb construction converts every crystal to first: a = 6.1236, b = 8.2195,
 * c = 12.8190 A (the lab's built-in cell has a and c the other way round; `betaLi3PS4Standard` relabels it).
 * Where the study's label and the geometry disagree (its "Sigma 5" (150) and (170) tilts are Sigma 13 and 25; its
 * (201) "twist" contains the axis, so it is a tilt), the geometry is built and reported, and the label kept as the name.
 */
import type { Structure } from '../../model/structure.ts';
import { betaLi3PS4 } from '../li3ps4.ts';
import type { GbSpec } from './builder.ts';

export interface GbPreset {
  id: string;
  label: string;
  /** The geometry: axis, plane (and Sigma of a twist). */
  spec: GbSpec;
  /**
   * The rigid translation of grain B that the scan chose (`scripts/scan-boundaries.sh`, every candidate in
   * data/gb-scan/ID.json): in-plane fractions of the CSL cell and the extra spacing at each boundary, A.
   */
  translation: { shift: [number, number]; gap: number };
}

/** A preset's spec as built by default: whole PS4 units, grain B at its chosen translation. */
export function presetSpec(p: GbPreset): GbSpec {
  return { ...p.spec, cut: 'units', shift: p.translation.shift, gap: p.translation.gap };
}

export const GB_PRESETS: GbPreset[] = [
  {
    id: 'sigma5-001-120',
    label: 'S5 [001]/(120) tilt',
    spec: { axis: [0, 0, 1], plane: [1, 2, 0] },
    translation: { shift: [0, 0.25], gap: 0 },
  },
  {
    id: 'sigma5-001-2-10',
    label: 'S5 [001]/(2-10) tilt',
    spec: { axis: [0, 0, 1], plane: [2, -1, 0] },
    translation: { shift: [0.25, 0.5], gap: 0.5 },
  },
  {
    id: 'sigma5-001-001',
    label: 'S5 [001]/(001) twist',
    spec: { axis: [0, 0, 1], plane: [0, 0, 1], sigma: 5 },
    translation: { shift: [0.25, 0.25], gap: 0.5 },
  },
  {
    id: 'sigma5-010-010',
    label: 'S5 [010]/(010) twist',
    spec: { axis: [0, 1, 0], plane: [0, 1, 0], sigma: 5 },
    translation: { shift: [0.25, 0], gap: 1 },
  },
  {
    id: 'sigma5-010-201',
    label: 'S5 [010]/(201) "twist"',
    spec: { axis: [0, 1, 0], plane: [2, 0, 1] },
    translation: { shift: [0, 0.5], gap: 0.5 },
  },
  {
    id: 'sigma3-110-111',
    label: 'S3 [110]/(111) tilt',
    spec: { axis: [1, 1, 0], plane: [-1, 1, 1] },
    translation: { shift: [0.5, 0.75], gap: 0 },
  },
  {
    id: 'sigma5-001-150',
    label: 'S5 [001]/(150) tilt',
    spec: { axis: [0, 0, 1], plane: [1, 5, 0] },
    translation: { shift: [0.3333333333333333, 0], gap: 1.5 },
  },
  {
    id: 'sigma5-001-170',
    label: 'S5 [001]/(170) tilt',
    spec: { axis: [0, 0, 1], plane: [1, 7, 0] },
    translation: { shift: [0.3333333333333333, 0], gap: 2.5 },
  },
];

/**
 * beta-Li3PS4 in the conventional standard setting (a = 6.12 < b = 8.22 < c = 12.82 A): the lab's a and c swapped,
 * b reversed to keep the cell right-handed. The atoms do not move; only the lattice vectors are relabelled.
 */
export function betaLi3PS4Standard(): Structure {
  const s = betaLi3PS4();
  const L = s.cell.lattice;
  return {
    ...s,
    cell: {
      lattice: Float64Array.from([L[6], L[7], L[8], -L[3], -L[4], -L[5], L[0], L[1], L[2]]),
      pbc: [true, true, true],
    },
    title: 'beta-Li3PS4 (Pnma, standard setting a < b < c)',
  };
}
