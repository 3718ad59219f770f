import type { Cell } from './cell.ts';

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
