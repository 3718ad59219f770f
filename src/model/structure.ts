import type { Cell } from './cell.ts';
import type { Configuration } from './configuration.ts';

/**
 * A periodic structure: `species` names the element of each type, `types[i]` is atom i's type, positions are Cartesian
 * (A). Optional per-atom labels come from builders (grain index, signed distance to the nearest boundary plane).
 */
export interface Structure {
  cell: Cell;
  species: string[];
  types: Int32Array;
  positions: Float64Array;
  labels?: { grain?: Int32Array; boundaryDistance?: Float64Array };
  /** Where it came from (preset name, file), for provenance in exports. */
  title?: string;
}

export function countBySpecies(s: Structure): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of s.types) counts.set(s.species[t], (counts.get(s.species[t]) ?? 0) + 1);
  return counts;
}

/**
 * The configuration a potential sees: types renumbered into the potential's species order (`species`, e.g. Li, P, S).
 * A species of the structure that the potential does not have is refused by name.
 */
export function toConfiguration(s: Structure, species: readonly string[]): Configuration {
  const map = s.species.map((sym) => species.indexOf(sym));
  const missing = s.species.filter((_, k) => map[k] < 0 && s.types.includes(k));
  if (missing.length > 0)
    throw new Error(`the potential's species (${species.join(', ')}) do not include ${missing.join(', ')}`);
  return {
    types: Int32Array.from(s.types, (t) => map[t]),
    positions: Float64Array.from(s.positions),
    cell: { lattice: Float64Array.from(s.cell.lattice), pbc: [...s.cell.pbc] },
    features: [],
  };
}

/** Width of the boundary region, A: an atom closer than this to a boundary plane counts as at the boundary. */
export const BOUNDARY_REGION = 3;

/** Atoms of `species` within `width` of a boundary plane (none without boundary labels), ascending. */
export function boundaryAtoms(s: Structure, species: string, width = BOUNDARY_REGION): number[] {
  const dist = s.labels?.boundaryDistance;
  if (!dist) return [];
  return [...s.types.keys()].filter((i) => s.species[s.types[i]] === species && Math.abs(dist[i]) < width);
}
