import { describe, expect, it } from 'vitest';
import { ps4Census } from '../src/analysis/ps4.ts';
import { nearestImage, volume } from '../src/model/cell.ts';
import { FORMAL_CHARGE } from '../src/model/ps4.ts';
import { countBySpecies, type Structure } from '../src/model/structure.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import {
  bodiesOf,
  CellTooSmallError,
  densestNeighbourhoodCell,
  keptPeriods,
  MIN_CELL_DENSITY,
  neighbourhoodCell,
} from '../src/structure/neighbourhood-cell.ts';
import { STRUCTURE_PRESETS } from '../src/structure/presets.ts';
import { repeatStructure } from '../src/structure/supercell.ts';

/** Sorted (element, distance) of every atom within r of atom i, periodic. */
function shell(s: Structure, i: number, r: number): string[] {
  const out: string[] = [];
  for (let j = 0; j < s.types.length; j++) {
    if (j === i) continue;
    const d = nearestImage(s.cell.lattice, s.positions, i, j).distance;
    if (d < r) out.push(`${s.species[s.types[j]]} ${d.toFixed(6)}`);
  }
  return out.sort();
}

describe('neighbourhood cells for active learning at boundaries', () => {
  const gb = STRUCTURE_PRESETS['sigma5-001-120'].build();
  const bd = gb.labels!.boundaryDistance!;
  const radius = 3.5;
  const cellOptions = {
    edge: 13,
    maxEdge: 16,
    heights: [12, 13],
    shifts: [
      [0, 0],
      [1 / 3, 0],
      [2 / 3, 0],
    ] as [number, number][],
  };
  for (const sym of ['Li', 'P', 'S']) {
    it(`a ${sym} at the boundary: its surroundings kept exactly, whole units, neutral, dense, about 100 atoms`, () => {
      const atom = [...gb.types.keys()].find((i) => gb.species[gb.types[i]] === sym && Math.abs(bd[i]) < 1.5)!;
      const nb = densestNeighbourhoodCell(gb, atom, { radius, fitRadius: 0.5, ...cellOptions });
      const s = nb.structure;
      // the boundary's own in-plane period (14.75 x 12.82 A), so the only seam is the one across the normal
      expect(Array.from(s.cell.lattice.slice(0, 6))).toEqual(Array.from(gb.cell.lattice.slice(0, 6)));
      expect([12, 13]).toContain(s.cell.lattice[8]);
      expect(s.types.length).toBeGreaterThan(70);
      expect(s.types.length).toBeLessThanOrEqual(130);
      expect(nb.density).toBeCloseTo(s.types.length / ((gb.types.length / volume(gb.cell)) * volume(s.cell)), 12);
      expect(nb.density).toBeGreaterThan(MIN_CELL_DENSITY);
      expect(s.species[s.types[nb.centre]]).toBe(sym);
      // within the radius the cell is the boundary, atom for atom and distance for distance
      expect(shell(s, nb.centre, radius)).toEqual(shell(gb, atom, radius));
      const census = ps4Census(s);
      expect(census.intact).toBe(census.centres);
      expect(census.sulfurBonds).toBe(0);
      expect(census.minDistance).toBeGreaterThan(1.9);
      const charge = [...countBySpecies(s)].reduce((q, [el, n]) => q + FORMAL_CHARGE[el] * n, 0);
      expect(charge).toBe(0);
      // the chosen atom is the one marked for fitting; every atom of the cut is held when the rest relaxes
      expect(Array.from(nb.fit.keys()).filter((i) => nb.fit[i])).toEqual([nb.centre]);
      expect(nb.cut[nb.centre]).toBe(1);
      expect(nb.cut.reduce((a, b) => a + b, 0)).toBeGreaterThan(4);
    });
  }

  it('a cell whose vectors are lattice vectors of the source is the source itself, with no seam', () => {
    const bulk = repeatStructure(betaLi3PS4(), 1, 2, 2);
    const atom = bulk.types.indexOf(bulk.species.indexOf('P'));
    const nb = neighbourhoodCell(bulk, atom, { radius, fitRadius: 0.5, lattice: bulk.cell.lattice });
    expect(nb.structure.types.length).toBe(bulk.types.length);
    expect(nb.density).toBeCloseTo(1, 12);
    expect(nb.removal.overlappingUnits + nb.removal.overlappingLi + nb.removal.balanceLi).toBe(0);
    for (const i of [nb.centre, 5, 40, 100]) {
      const j = [...bulk.types.keys()].find((k) => shell(bulk, k, 6).join() === shell(nb.structure, i, 6).join());
      expect(j).toBeDefined();
    }
  });

  it('a seam across a long in-plane period: the S5 (001) twist cut to a 13 A edge', () => {
    const twist = STRUCTURE_PRESETS['sigma5-001-001'].build();
    const tbd = twist.labels!.boundaryDistance!;
    const atom = [...twist.types.keys()].find((i) => Math.abs(tbd[i]) < 1)!;
    const nb = densestNeighbourhoodCell(twist, atom, { radius, fitRadius: 0.5, ...cellOptions });
    // its in-plane vectors (20.1 and 25.4 A) are longer than maxEdge: both replaced by the edge
    expect(Array.from(nb.structure.cell.lattice.slice(0, 6))).toEqual([13, 0, 0, 0, 13, 0]);
    expect(shell(nb.structure, nb.centre, radius)).toEqual(shell(twist, atom, radius));
    expect(ps4Census(nb.structure).intact).toBe(ps4Census(nb.structure).centres);
    expect(nb.density).toBeGreaterThan(0.6);
  });

  it('a rule on atoms keeps a period longer than maxEdge where the cell stays small: the (2-10) with one seam', () => {
    const tilt = STRUCTURE_PRESETS['sigma5-001-2-10'].build();
    const rule = { edge: 13, maxEdge: 16, maxAtoms: 150 };
    // 12.8 A kept by length; the 17.5 A period by atoms: 12.8 x 17.5 x 13 A at the boundary's 23.7 A^3 per atom is 123
    expect(keptPeriods(tilt, { edge: 13, maxEdge: 16 }, 13)).toEqual([true, false]);
    expect(keptPeriods(tilt, rule, 13)).toEqual([true, true]);
    expect(keptPeriods(tilt, { ...rule, maxAtoms: 100 }, 13)).toEqual([true, false]);
    // the (001) twist's shorter period (20.1 A) would give 20.1 x 13 x 13 A at 21 A^3: 162 atoms, over the limit
    expect(keptPeriods(STRUCTURE_PRESETS['sigma5-001-001'].build(), rule, 13)).toEqual([false, false]);
    const tbd = tilt.labels!.boundaryDistance!;
    const atom = [...tilt.types.keys()].find((i) => tilt.species[tilt.types[i]] === 'Li' && Math.abs(tbd[i]) < 1.5)!;
    // the registry across the one seam scanned in thirds of both in-plane periods, as the sampling tool does
    const shifts = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => [i / 3, j / 3] as [number, number]));
    const nb = densestNeighbourhoodCell(tilt, atom, { radius, fitRadius: 0.5, ...cellOptions, shifts, ...rule });
    const s = nb.structure;
    expect(Array.from(s.cell.lattice.slice(0, 6))).toEqual(Array.from(tilt.cell.lattice.slice(0, 6)));
    expect(s.types.length).toBeLessThanOrEqual(150);
    expect(nb.density).toBeGreaterThan(MIN_CELL_DENSITY);
    expect(shell(s, nb.centre, radius)).toEqual(shell(tilt, atom, radius));
    const census = ps4Census(s);
    expect(census.intact).toBe(census.centres);
    expect(census.sulfurBonds).toBe(0);
    const charge = [...countBySpecies(s)].reduce((q, [el, n]) => q + FORMAL_CHARGE[el] * n, 0);
    expect(charge).toBe(0);
  });

  it('refuses a cell too small for the cut, naming the atoms that meet their images', () => {
    // a Li of the crystal has four anions within 3.5 A: more than a 9 A cube can hold
    const bulk = repeatStructure(betaLi3PS4(), 1, 2, 3);
    const atom = bulk.types.indexOf(bulk.species.indexOf('Li'));
    const cube = (e: number) => [e, 0, 0, 0, e, 0, 0, 0, e];
    expect(() => neighbourhoodCell(bulk, atom, { radius, fitRadius: 0.5, lattice: cube(9) })).toThrow(
      /too small for a 3.5 A cut: atoms \d+ and \d+ of the cut meet their images/,
    );
    // typed, so the sampler passes over such a frame without reading the message
    expect(() => neighbourhoodCell(bulk, atom, { radius, fitRadius: 0.5, lattice: cube(9) })).toThrow(
      CellTooSmallError,
    );
    // a cell that holds the cut keeps it
    const ok = neighbourhoodCell(bulk, atom, { radius, fitRadius: 0.5, lattice: cube(14) });
    expect(shell(ok.structure, ok.centre, radius)).toEqual(shell(bulk, atom, radius));
    expect(ps4Census(ok.structure).sulfurBonds).toBe(0);
  });

  it('an S that lost its P is a body of its own', () => {
    // a P with three S at the bond length and a fourth 3.5 A away
    const s: Structure = {
      cell: { lattice: Float64Array.from([15, 0, 0, 0, 15, 0, 0, 0, 15]), pbc: [true, true, true] },
      species: ['Li', 'P', 'S'],
      types: Int32Array.from([1, 2, 2, 2, 2]),
      positions: Float64Array.from([5, 5, 5, 7.05, 5, 5, 5, 7.05, 5, 5, 5, 7.05, 3.5, 3.5, 3.5]),
    };
    expect(Array.from(bodiesOf(s))).toEqual([0, 0, 0, 0, 4]);
  });
});
