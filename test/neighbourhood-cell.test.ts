import { describe, expect, it } from 'vitest';
import { ps4Census } from '../src/analysis/ps4.ts';
import { nearestImage } from '../src/model/cell.ts';
import { FORMAL_CHARGE } from '../src/model/ps4.ts';
import { countBySpecies, type Structure } from '../src/model/structure.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { bodiesOf, neighbourhoodCell } from '../src/structure/neighbourhood-cell.ts';
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
  for (const sym of ['Li', 'P', 'S']) {
    it(`a ${sym} at the boundary: its surroundings kept exactly, whole units, neutral, about 100 atoms`, () => {
      const atom = [...gb.types.keys()].find((i) => gb.species[gb.types[i]] === sym && Math.abs(bd[i]) < 1.5)!;
      const nb = neighbourhoodCell(gb, atom, { radius, fitRadius: 0.5, crystal: betaLi3PS4(), repeats: [1, 2, 2] });
      const s = nb.structure;
      expect(s.types.length).toBeGreaterThan(60);
      expect(s.types.length).toBeLessThanOrEqual(128);
      // the density says how much of the crystal's 128 atoms the cell holds (the tool refuses cells below 0.9)
      expect(nb.density).toBeCloseTo(s.types.length / 128, 12);
      expect(s.species[s.types[nb.centre]]).toBe(sym);
      // within the radius the cell is the boundary, atom for atom and distance for distance
      expect(shell(s, nb.centre, radius)).toEqual(shell(gb, atom, radius));
      const census = ps4Census(s);
      expect(census.intact).toBe(census.centres);
      expect(census.sulfurBonds).toBe(0);
      expect(census.minDistance).toBeGreaterThan(1.9);
      const charge = [...countBySpecies(s)].reduce((q, [el, n]) => q + FORMAL_CHARGE[el] * n, 0);
      expect(charge).toBe(0);
      // the chosen atom is the one marked for fitting; every atom of the cut is held when the filler relaxes
      expect(Array.from(nb.fit.keys()).filter((i) => nb.fit[i])).toEqual([nb.centre]);
      expect(nb.cut[nb.centre]).toBe(1);
      expect(nb.cut.reduce((a, b) => a + b, 0)).toBeGreaterThan(4);
    });
  }

  it('refuses a cell too small for the cut, naming the atoms that meet their images', () => {
    // a Li of the crystal has four anions within 3.5 A: more than a 6.1 A period can hold
    const bulk = repeatStructure(betaLi3PS4(), 1, 2, 3);
    const li = bulk.species.indexOf('Li');
    const atom = bulk.types.indexOf(li);
    expect(() =>
      neighbourhoodCell(bulk, atom, { radius, fitRadius: 0.5, crystal: betaLi3PS4(), repeats: [1, 1, 1] }),
    ).toThrow(/too small for a 3.5 A cut: atoms \d+ and \d+ of the cut meet their images|no PS4 unit left/);
    // a cell that holds the cut keeps it
    const ok = neighbourhoodCell(bulk, atom, { radius, fitRadius: 0.5, crystal: betaLi3PS4(), repeats: [1, 2, 2] });
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
