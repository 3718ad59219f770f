import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { volume } from '../src/model/cell.ts';
import { buildNeighborList } from '../src/model/neighbors.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { buildPolycrystal } from '../src/structure/polycrystal.ts';
import { STRUCTURE_PRESETS } from '../src/structure/presets.ts';
import { expectChemistryAsBuilt } from './support.ts';

describe('the polycrystal builder (Voronoi grains of whole PS4 units)', () => {
  const { structure, report } = buildPolycrystal({ grains: 5, atoms: 4000, seed: 3 });

  it('keeps every PS4 unit whole, no S-S bond, no P on top of P, no contact under 1.9 A, and Li3PS4', () => {
    expectChemistryAsBuilt(structure);
  });

  it('fills the box at the crystal density less what the boundaries removed, every grain present', () => {
    const bulk = betaLi3PS4();
    const crystal = bulk.types.length / volume(bulk.cell);
    const density = structure.types.length / volume(structure.cell);
    expect(report.box ** 3).toBeCloseTo(volume(structure.cell), 6);
    // a Voronoi cell assigned twice (periodic copies of a grain) would push this above 1
    expect(density / crystal).toBeLessThan(1);
    expect(density / crystal).toBeGreaterThan(0.6);
    expect(report.grainAtoms.every((k) => k > 0)).toBe(true);
    expect(report.grainAtoms.reduce((a, b) => a + b, 0)).toBe(structure.types.length);
    for (const q of report.orientations) expect(Math.hypot(...q)).toBeCloseTo(1, 12);
    // atoms far from every Voronoi face sit in crystal: each P there has its 4 S at the crystal's 2.0-2.1 A
    const d = structure.labels!.boundaryDistance!;
    const nl = buildNeighborList(structure.positions, structure.cell, 2.5);
    let inside = 0;
    structure.types.forEach((t, i) => {
      if (structure.species[t] !== 'P' || d[i] < 5) return;
      inside++;
      const bonds: number[] = [];
      for (let e = nl.offsets[i]; e < nl.offsets[i + 1]; e++)
        bonds.push(Math.hypot(nl.vectors[3 * e], nl.vectors[3 * e + 1], nl.vectors[3 * e + 2]));
      expect(bonds.length).toBe(4);
      for (const b of bonds) expect(Math.abs(b - 2.05)).toBeLessThan(0.06);
    });
    expect(inside).toBeGreaterThan(20);
  });

  it('is reproducible from its seed and differs with another', () => {
    const again = buildPolycrystal({ grains: 5, atoms: 4000, seed: 3 }).structure;
    expect(Array.from(again.positions)).toEqual(Array.from(structure.positions));
    const other = buildPolycrystal({ grains: 5, atoms: 4000, seed: 4 }).structure;
    expect(
      other.types.length === structure.types.length &&
        Array.from(other.positions).every((x, k) => x === structure.positions[k]),
    ).toBe(false);
  });

  it('refuses sizes it cannot build, by name, before building anything', async () => {
    expect(() => buildPolycrystal({ grains: 0, atoms: 1000, seed: 1 })).toThrow(/1 to 1000 grains, not 0/);
    expect(() => buildPolycrystal({ grains: 4, atoms: 1e9, seed: 1 })).toThrow(/not 1000000000/);
    expect(await main(['build', '--polycrystal', '--grains', '8', '--atoms', '100'])).toBe(2);
  });

  it('the page preset builds the same way', () => {
    const s = STRUCTURE_PRESETS.polycrystal.build();
    expectChemistryAsBuilt(s);
    expect(s.labels?.grain?.length).toBe(s.types.length);
  });
});
