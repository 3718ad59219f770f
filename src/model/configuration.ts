import type { Cell } from './cell.ts';

/**
 * Atoms with integer species types, as an interatomic potential sees them (MLIP's configuration): `types[i]` indexes
 * the potential's species, positions are Cartesian in A, `cell` is null for a free (non-periodic) cluster.
 * Labels (energy in eV, forces in eV/A, virial in eV as MLIP's PlusStress) are present when known.
 */
export interface Configuration {
  types: Int32Array;
  positions: Float64Array;
  cell: Cell | null;
  energy?: number;
  forces?: Float64Array;
  /** MLIP PlusStress order: xx yy zz yz xz xy, eV. */
  plusStress?: Float64Array;
  /** `Feature name value` lines, in file order. */
  features: [string, string][];
}

export function atomCount(c: Configuration): number {
  return c.types.length;
}
