/**
 * Built-in beta-Li3PS4 (Pnma, Z = 4, Li12P4S16): the ordered model used in DFT and MLIP studies.
 * Provenance: lattice a = 12.8190, b = 8.2195, c = 6.1236 A (Homma et al., Solid State Ionics 182 (2011) 53); Li fully
 * on 8d and 4b (the experiment has partial occupancy of 8d/4b/4c), P on 4c, S on 4c, 4c and 8d; free coordinates that
 * give regular PS4 tetrahedra. Identical to test/fixtures/structures/beta-Li3PS4.cif (setting a = 12.82 A, x || a).
 * It is the unrelaxed starting model: relaxing it with a potential moves atoms by a few hundredths of an angstrom.
 */
import { makeCell } from '../model/cell.ts';
import { LI_P_S } from '../model/species.ts';
import type { Structure } from '../model/structure.ts';
import { expandSites, parseSymOp, type Site } from '../model/symmetry.ts';

export const PNMA_OPERATIONS = [
  'x,y,z',
  '-x+1/2,-y,z+1/2',
  '-x,y+1/2,-z',
  'x+1/2,-y+1/2,-z+1/2',
  '-x,-y,-z',
  'x+1/2,y,-z+1/2',
  'x,-y+1/2,z',
  '-x+1/2,y+1/2,z+1/2',
];

const ASYMMETRIC_UNIT: Site[] = [
  { type: 0, frac: [0.3422, 0.0322, 0.3812], label: 'Li1 8d' },
  { type: 0, frac: [0.0, 0.0, 0.5], label: 'Li2 4b' },
  { type: 1, frac: [0.0894, 0.25, 0.1692], label: 'P1 4c' },
  { type: 2, frac: [0.0977, 0.25, 0.8408], label: 'S1 4c' },
  { type: 2, frac: [0.942, 0.25, 0.2987], label: 'S2 4c' },
  { type: 2, frac: [0.158, 0.0414, 0.2703], label: 'S3 8d' },
];

export const BETA_LI3PS4_LATTICE = { a: 12.819, b: 8.2195, c: 6.1236 };

export function betaLi3PS4(): Structure {
  const { a, b, c } = BETA_LI3PS4_LATTICE;
  const cell = makeCell([a, 0, 0, 0, b, 0, 0, 0, c]);
  const sites = expandSites(PNMA_OPERATIONS.map(parseSymOp), ASYMMETRIC_UNIT).sort((s, t) => s.type - t.type);
  const positions = new Float64Array(3 * sites.length);
  sites.forEach((s, i) => {
    positions.set([s.frac[0] * a, s.frac[1] * b, s.frac[2] * c], 3 * i);
  });
  return {
    cell,
    species: [...LI_P_S],
    types: Int32Array.from(sites, (s) => s.type),
    positions,
    title: 'beta-Li3PS4 (Pnma, ordered model)',
  };
}
