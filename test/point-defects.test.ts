import { describe, expect, it } from 'vitest';
import { makeCell } from '../src/model/cell.ts';
import { buildNeighborList } from '../src/model/neighbors.ts';
import { countBySpecies, type Structure } from '../src/model/structure.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { frenkelPair, largestVoid } from '../src/structure/point-defects.ts';
import { repeatStructure } from '../src/structure/supercell.ts';

/** Shortest periodic distance from atom i to any other atom, from a neighbour list. */
function nearest(s: Structure, i: number): number {
  const nl = buildNeighborList(s.positions, s.cell, 5);
  let best = Number.POSITIVE_INFINITY;
  for (let k = nl.offsets[i]; k < nl.offsets[i + 1]; k++)
    best = Math.min(best, Math.hypot(nl.vectors[3 * k], nl.vectors[3 * k + 1], nl.vectors[3 * k + 2]));
  return best;
}

describe('point defects', () => {
  it('finds the body centre of a simple cubic lattice, half a body diagonal from every corner', () => {
    const a = 4;
    const s: Structure = {
      cell: makeCell([a, 0, 0, 0, a, 0, 0, 0, a]),
      species: ['X'],
      types: Int32Array.of(0),
      positions: Float64Array.of(0, 0, 0),
    };
    const v = largestVoid(s, { spacing: 0.25 });
    expect(v.distance).toBeCloseTo((a * Math.sqrt(3)) / 2, 6);
    for (let d = 0; d < 3; d++) expect(v.position[d]).toBeCloseTo(a / 2, 6);
  });

  it('moves one S of beta-Li3PS4 into the emptiest point: same composition, no contact closer than the void', () => {
    const bulk = repeatStructure(betaLi3PS4(), 1, 1, 2);
    const atom = bulk.types.findIndex((t) => bulk.species[t] === 'S');
    const { structure, moved, distance } = frenkelPair(bulk, atom);
    expect(countBySpecies(structure)).toEqual(countBySpecies(bulk));
    // the crystal's largest void sits well away from its atoms, and the S really left its PS4 unit
    expect(distance).toBeGreaterThan(2.2);
    expect(moved).toBeGreaterThan(2.5);
    expect(nearest(structure, atom)).toBeCloseTo(distance, 1);
    for (let i = 0; i < bulk.types.length; i++) {
      if (i === atom) continue;
      for (let d = 0; d < 3; d++) expect(structure.positions[3 * i + d]).toBe(bulk.positions[3 * i + d]);
    }
    expect(() => frenkelPair(bulk, bulk.types.length)).toThrow(/not in the structure/);
  });
});
