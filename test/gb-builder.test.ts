import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { grainBoundaryEnergy } from '../src/analysis/gb-energy.ts';
import { volume } from '../src/model/cell.ts';
import { countBySpecies, type Structure } from '../src/model/structure.ts';
import { buildNeighborList } from '../src/potential/neighbors.ts';
import { buildBicrystal } from '../src/structure/gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS } from '../src/structure/gb/presets.ts';
import { FIXTURES } from './support.ts';

interface TableRow {
  label: string;
  sigma: number;
  angles: number[];
  atoms: number;
  lengths: number[];
}

/** Rows of fixtures/gb-reference/README.md, read from the file itself. */
function referenceTable(): TableRow[] {
  const text = readFileSync(`${FIXTURES}gb-reference/README.md`, 'utf8');
  return text
    .split('\n')
    .filter((l) => /^\| S\d/.test(l))
    .map((l) => {
      const c = l.split('|').map((x) => x.trim());
      return {
        label: c[1],
        sigma: Number(c[3]),
        angles: c[5].split('/').map(Number),
        atoms: Number(c[6]),
        lengths: c[7]
          .replace(/\(.*\)/, '')
          .split(',')
          .map(Number),
      };
    });
}

function lengths(s: Structure): number[] {
  const L = s.cell.lattice;
  return [0, 1, 2].map((k) => Math.hypot(L[3 * k], L[3 * k + 1], L[3 * k + 2]));
}

const standard = betaLi3PS4Standard();
const table = referenceTable();

describe('CSL grain-boundary builder against the reference table', () => {
  it('reads all eight boundaries from the table', () => {
    expect(table.length).toBe(8);
  });

  for (const preset of GB_PRESETS) {
    it(`${preset.label}: Sigma, angles, atoms, composition, volume and cell lengths (raw build)`, () => {
      const row = table.find(
        (r) =>
          r.label.replace(/\s+/g, ' ').startsWith(preset.label.replace(/"/g, '').split(' ').slice(0, 2).join(' ')) &&
          r.label.includes(preset.label.match(/\(([^)]+)\)/)![1]),
      )!;
      expect(row, `no table row for ${preset.label}`).toBeDefined();
      const { structure, report } = buildBicrystal(standard, { ...preset.spec, removeCloserThan: null });
      expect(report.sigma).toBe(row.sigma);
      expect(report.angles[0]).toBeCloseTo(row.angles[0], 2);
      expect(report.angles[1]).toBeCloseTo(row.angles[1], 2);
      expect(structure.types.length).toBe(row.atoms);
      const counts = countBySpecies(structure);
      expect(counts.get('Li')).toBe((row.atoms * 12) / 32);
      expect(counts.get('P')).toBe((row.atoms * 4) / 32);
      expect(counts.get('S')).toBe((row.atoms * 16) / 32);
      expect(volume(structure.cell)).toBeCloseTo((row.atoms / 32) * 12.819 * 8.2195 * 6.1236, 0);
      const got = lengths(structure).sort((a, b) => a - b);
      const want = [...row.lengths].sort((a, b) => a - b);
      expect(Math.max(...got.map((v, k) => Math.abs(v - want[k])))).toBeLessThan(0.015);
      expect(report.strain.length).toBeLessThan(1e-9);
      expect(report.strain.angleDeg).toBeLessThan(1e-6);
    });
  }
});

describe('grain-boundary presets as used for MD', () => {
  // the two biggest cells are checked in the table test above; here the ones small enough for O(N) neighbour work
  const small = GB_PRESETS.filter((p) => !p.id.endsWith('150') && !p.id.endsWith('170'));
  const bulk = standard;
  const bulkShells = new Map<string, number[][]>();
  {
    const nl = buildNeighborList(bulk.positions, bulk.cell, 4.0);
    for (let i = 0; i < bulk.types.length; i++) {
      const d = Array.from({ length: nl.offsets[i + 1] - nl.offsets[i] }, (_, s) => {
        const e = nl.offsets[i] + s;
        return Math.hypot(nl.vectors[3 * e], nl.vectors[3 * e + 1], nl.vectors[3 * e + 2]);
      }).sort((a, b) => a - b);
      const sym = bulk.species[bulk.types[i]];
      bulkShells.set(sym, [...(bulkShells.get(sym) ?? []), d]);
    }
  }

  for (const preset of small) {
    it(`${preset.id}: no contact below 1.5 A, no gaps, labels, and bulk neighbour shells far from the boundaries`, () => {
      const { structure, report } = buildBicrystal(standard, { ...preset.spec, removeCloserThan: 1.5 });
      expect(report.minDistance).toBeGreaterThanOrEqual(1.5);
      const removedCount = Object.values(report.removed).reduce((a, b) => a + b, 0);
      const raw = buildBicrystal(standard, { ...preset.spec, removeCloserThan: null }).structure.types.length;
      expect(structure.types.length).toBe(raw - removedCount);
      const nl = buildNeighborList(structure.positions, structure.cell, 4.0);
      const labels = structure.labels!;
      const height = Math.max(...labels.boundaryDistance!.map(Math.abs));
      let farChecked = 0;
      for (let i = 0; i < structure.types.length; i++) {
        const count = nl.offsets[i + 1] - nl.offsets[i];
        // no gaps: every atom has a neighbour within 3.2 A, across every face of the cell too
        let nearest = Infinity;
        const d: number[] = [];
        for (let e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
          const r = Math.hypot(nl.vectors[3 * e], nl.vectors[3 * e + 1], nl.vectors[3 * e + 2]);
          nearest = Math.min(nearest, r);
          d.push(r);
        }
        expect(count, `atom ${i} is isolated`).toBeGreaterThan(0);
        expect(nearest).toBeLessThan(3.2);
        expect([0, 1]).toContain(labels.grain![i]);
        // atoms more than 5 A from both boundaries sit in a bulk environment
        if (Math.abs(labels.boundaryDistance![i]) > 5 && height > 5) {
          d.sort((a, b) => a - b);
          const sym = structure.species[structure.types[i]];
          const match = bulkShells
            .get(sym)!
            .some((shell) => shell.length === d.length && shell.every((v, k) => Math.abs(v - d[k]) < 1e-6));
          expect(
            match,
            `${sym} atom ${i} at ${labels.boundaryDistance![i].toFixed(2)} A from a boundary is not bulk-like`,
          ).toBe(true);
          farChecked++;
        }
      }
      if (height > 6) expect(farChecked).toBeGreaterThan(0);
    });
  }

  it('refuses a plane that is neither a tilt nor a twist, and a wrong Sigma', () => {
    expect(() => buildBicrystal(standard, { axis: [0, 0, 1], plane: [1, 1, 1] })).toThrow(
      /neither contains nor is normal/,
    );
    expect(() => buildBicrystal(standard, { axis: [0, 0, 1], plane: [1, 5, 0], sigma: 5 })).toThrow(
      /is Sigma 13, not Sigma 5/,
    );
  });

  it('grain-boundary energy in J/m^2', () => {
    // 1 eV excess over 100 A^2 and two boundaries: 0.5 eV / 100 A^2 = 0.0801 J/m^2
    expect(grainBoundaryEnergy(-99, 100, -1, 100)).toBeCloseTo(0.080108831, 8);
  });
});
