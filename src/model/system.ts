/** The atoms an engine steps: types in a potential's species order, positions, cell, masses (the glue written once). */
import type { Cell } from './cell.ts';
import { element } from './species.ts';
import { type Structure, toConfiguration } from './structure.ts';

export interface AtomicSystem {
  types: Int32Array;
  positions: Float64Array;
  cell: Cell;
  /** Mass of each atom, amu. */
  masses: Float64Array;
}

/** Each atom's mass (amu) from its type in `species`. */
export function massesOf(types: ArrayLike<number>, species: readonly string[]): Float64Array {
  return Float64Array.from(types, (t) => element(species[t]).mass);
}

/** A structure as an engine's system, its types in `species` order (a species not among them is refused). */
export function toAtomicSystem(s: Structure, species: readonly string[]): AtomicSystem {
  const c = toConfiguration(s, species);
  return { types: c.types, positions: c.positions, cell: s.cell, masses: massesOf(c.types, species) };
}
