import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { grainBoundaryEnergy } from '../src/analysis/gb-energy.ts';
import { ps4Census } from '../src/analysis/ps4.ts';
import { DEFAULT_POTENTIAL } from '../src/cli/default-potential.ts';
import { fileSha256 } from '../src/cli/files.ts';
import { parseExtxyz } from '../src/io/extxyz.ts';
import { volume } from '../src/model/cell.ts';
import { buildNeighborList } from '../src/model/neighbors.ts';
import { FORMAL_CHARGE, MIN_BUILT_DISTANCE } from '../src/model/ps4.ts';
import { countBySpecies, type Structure } from '../src/model/structure.ts';
import { buildBicrystal, type GbSpec } from '../src/structure/gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS, presetSpec } from '../src/structure/gb/presets.ts';
import { anionAnchors, BOUNDARY_ZONE, removeOverlappingBodies } from '../src/structure/gb/units.ts';
import { STRUCTURE_PRESETS } from '../src/structure/presets.ts';
import { expectChemistryAsBuilt, FIXTURES } from './support.ts';

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

/** PS4 units (a regular tetrahedron, P-S 2.04 A) and Li placed by hand in a 20 A cube, each with its grain and body. */
function handBuilt() {
  const tet = [
    [0, 0, 0],
    [1.18, 1.18, 1.18],
    [-1.18, -1.18, 1.18],
    [-1.18, 1.18, -1.18],
    [1.18, -1.18, -1.18],
  ];
  const pos: number[] = [];
  const types: number[] = [];
  const grain: number[] = [];
  const anchor: number[] = [];
  return {
    types,
    grain,
    unit(x: number, g: number) {
      const first = types.length;
      tet.forEach((v, k) => {
        pos.push(v[0] + x, v[1] + 10, v[2] + 10);
        types.push(k === 0 ? 1 : 2);
        grain.push(g);
        anchor.push(first);
      });
    },
    li(x: number, y: number, g: number) {
      anchor.push(types.length);
      pos.push(x, y, 10);
      types.push(0);
      grain.push(g);
    },
    /** The structure, and the arguments removeOverlappingBodies takes for it (every body at a boundary). */
    done() {
      const s: Structure = {
        cell: { lattice: Float64Array.from([20, 0, 0, 0, 20, 0, 0, 0, 20]), pbc: [true, true, true] },
        species: ['Li', 'P', 'S'],
        types: Int32Array.from(types),
        positions: Float64Array.from(pos),
      };
      return [s, Int32Array.from(anchor), Int32Array.from(grain), new Float64Array(types.length)] as const;
    },
  };
}
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
      const { structure, report } = buildBicrystal(standard, { ...preset.spec, cut: 'raw' });
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

  for (const [preset, cut] of small.flatMap((p) => (['units', 'atoms'] as const).map((c) => [p, c] as const))) {
    it(`${preset.id} (${cut}): no contact below 1.5 A, no gaps, labels, and bulk neighbour shells far from the boundaries`, () => {
      // whole units: grains two CSL cells thick, so that atoms beyond the reach of the removals (BOUNDARY_ZONE, plus an
      // anion of the other grain reaching 2 A across the plane, plus the 4 A shell) are there to compare
      const spec: GbSpec =
        cut === 'units'
          ? { ...presetSpec(preset), layersA: 2, layersB: 2 }
          : { ...preset.spec, cut, removeCloserThan: 1.5, layersA: 2, layersB: 2 };
      const { structure, report } = buildBicrystal(standard, spec);
      const far = cut === 'units' ? BOUNDARY_ZONE + 2 + 4 : 5;
      expect(report.minDistance).toBeGreaterThanOrEqual(1.5);
      const removedCount = Object.values(report.removed).reduce((a, b) => a + b, 0);
      const raw = buildBicrystal(standard, { ...spec, cut: 'raw' }).structure.types.length;
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
        // whole units leave some Li at a boundary with its nearest S a little further than in the crystal (2.46 A)
        expect(nearest).toBeLessThan(cut === 'units' ? 3.5 : 3.2);
        expect([0, 1]).toContain(labels.grain![i]);
        // atoms far from both boundaries sit in a bulk environment
        if (Math.abs(labels.boundaryDistance![i]) > far && height > far) {
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
      if (height > far + 1) expect(farChecked).toBeGreaterThan(0);
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

describe('grain-boundary presets with whole PS4 units (the default build)', () => {
  for (const preset of GB_PRESETS) {
    it(`${preset.id}: every P with four S, no S-S or P-P contact, nothing closer than ${MIN_BUILT_DISTANCE} A, Li3PS4 and neutral`, () => {
      const s = STRUCTURE_PRESETS[preset.id].build();
      expectChemistryAsBuilt(s);
      // the removals are whole bodies: 5 atoms per unit, 1 per Li, and they match the report
      const { report } = buildBicrystal(standard, presetSpec(preset));
      const u = report.units!;
      const raw = buildBicrystal(standard, { ...preset.spec, cut: 'raw' }).structure.types.length;
      expect(s.types.length).toBe(raw - 5 * (u.overlappingUnits + u.balanceUnits) - u.overlappingLi - u.balanceLi);
      expect(report.chargeRemoved).toBe(0);
      // thicker grains (as the page's size setting builds them) remove the same bodies at each boundary: symmetric
      // equivalents tie exactly instead of by rounding noise
      if (s.types.length < 1000) {
        const thick = buildBicrystal(standard, { ...presetSpec(preset), layersA: 2, layersB: 2 }).report.units!;
        expect(thick, preset.id).toEqual(u);
      }
      // each grain is a neutral piece of crystal (no charged plates, so no field across the grains)
      const grain = s.labels!.grain as Int32Array;
      for (const g of [0, 1]) {
        let q = 0;
        for (let i = 0; i < grain.length; i++) if (grain[i] === g) q += FORMAL_CHARGE[s.species[s.types[i]]];
        expect(q, `grain ${g}`).toBe(0);
      }
    });
  }

  it('the atom-by-atom cut, for comparison, cuts anions (the reason for whole units)', () => {
    const s = buildBicrystal(standard, { ...GB_PRESETS[0].spec, cut: 'atoms', removeCloserThan: 1.5 }).structure;
    const census = ps4Census(s);
    expect(census.intact).toBeLessThan(census.centres);
    expect(census.sulfurBonds).toBeGreaterThan(0);
  });

  it('every preset is built with the translation its scan chose (data/gb-scan) with the shipped default', () => {
    const defaultSha = fileSha256(DEFAULT_POTENTIAL);
    for (const preset of GB_PRESETS) {
      const scanUrl = (ext: string) => new URL(`../data/gb-scan/${preset.id}.${ext}`, import.meta.url);
      const scan = JSON.parse(readFileSync(scanUrl('json'), 'utf8'));
      expect(preset.translation, preset.id).toEqual({ shift: scan.best.shift, gap: scan.best.gap });
      // the scan's energies are the default's, and the relaxed structure beside it (where MD and the DFT tools
      // start) is of the bicrystal the preset builds
      expect(scan.potential.sha256, preset.id).toBe(defaultSha);
      const relaxed = parseExtxyz(readFileSync(scanUrl('relaxed.extxyz'), 'utf8'))[0].structure;
      const built = STRUCTURE_PRESETS[preset.id].build();
      expect(Object.fromEntries(countBySpecies(relaxed)), preset.id).toEqual(Object.fromEntries(countBySpecies(built)));
      const chosen = scan.candidates.filter((c: { relaxed?: { gbEnergy: number } }) => c.relaxed);
      const best = chosen.find(
        (c: { shift: number[]; gap: number }) =>
          c.shift[0] === scan.best.shift[0] && c.shift[1] === scan.best.shift[1] && c.gap === scan.best.gap,
      );
      expect(best.relaxed.census.intact).toBe(best.relaxed.census.centres);
      expect(best.relaxed.gbEnergy).toBeGreaterThan(0);
      for (const c of chosen) {
        const whole = c.relaxed.census.intact === c.relaxed.census.centres && c.relaxed.census.sulfurBonds === 0;
        if (whole) expect(best.relaxed.gbEnergy).toBeLessThanOrEqual(c.relaxed.gbEnergy);
      }
    }
  });

  it('anions are found in the crystal, and a crystal that is not a PS4 salt is refused', () => {
    const { anchor, offset } = anionAnchors(standard);
    const el = (i: number) => standard.species[standard.types[i]];
    for (let i = 0; i < anchor.length; i++) {
      if (el(i) === 'S') {
        expect(el(anchor[i])).toBe('P');
        const d = Math.hypot(offset[3 * i], offset[3 * i + 1], offset[3 * i + 2]);
        expect(d).toBeGreaterThan(2.0);
        expect(d).toBeLessThan(2.06);
      } else expect(anchor[i]).toBe(i);
    }
    const broken = { ...standard, positions: Float64Array.from(standard.positions) };
    const p = Array.from(standard.types.keys()).find((i) => el(i) === 'P')!;
    broken.positions[3 * p] += 1.0;
    expect(() => anionAnchors(broken)).toThrow(/P atom \d+ has \d S within 2.4 A, not 4/);
  });

  it('overlapping bodies: the unit of grain B goes, then the crowded Li, until Li3PS4', () => {
    // two PS4 units 1 A apart (grain A and grain B), each with three Li; one Li crowding unit A
    const { unit, li, done } = handBuilt();
    unit(5, 0);
    unit(6, 1);
    // Li: two pairs too close to each other (1.5 and 2.0 A), one 1.9 A from an S of unit A, four more alone
    for (const [x, y] of [
      [5, 3],
      [5, 16],
      [5, 17.5],
      [14, 3.5],
      [14, 15],
      [14, 5.5],
      [5, 7.9],
    ])
      li(x, y, x < 10 ? 0 : 1);
    const args = done();
    const s = args[0];
    const { keep, report } = removeOverlappingBodies(...args, { balance: 'cell' });
    expect(report.overlappingUnits).toBe(1);
    expect(keep.slice(0, 5)).toEqual([0, 1, 2, 3, 4]); // the tie goes against grain B: unit A stays
    expect(report.overlappingLi).toBe(3);
    expect(report.balanceLi).toBe(1);
    expect(report.removed).toEqual({ P: 1, S: 4, Li: 4 });
    expect(report.chargeRemoved).toBe(1); // the start had one Li too many: what is left is neutral
    const kept = { ...s, types: Int32Array.from(keep, (i) => s.types[i]) };
    kept.positions = Float64Array.from(keep.flatMap((i) => [0, 1, 2].map((d) => s.positions[3 * i + d])));
    expect(countBySpecies(kept).get('Li')).toBe(3);
    const census = ps4Census(kept);
    expect(census.intact).toBe(1);
    expect(census.minDistance).toBeGreaterThanOrEqual(2.0);
  });

  it('makes each grain neutral, not only the cell: a unit and its excess Li go from the grain short of Li', () => {
    // two grains 10 A apart, one unit each; grain A holds 4 Li, grain B 2: the cell is neutral, each grain is not
    const { unit, li, done, types, grain } = handBuilt();
    unit(5, 0);
    unit(15, 1);
    for (const [x, y, g] of [
      [2, 4, 0],
      [5, 4, 0],
      [8, 4, 0],
      [5, 16, 0],
      [13, 4, 1],
      [17, 4, 1],
    ])
      li(x, y, g);
    const args = done();
    const cell = removeOverlappingBodies(...args, { balance: 'cell' });
    expect(cell.keep.length).toBe(types.length); // neutral as a cell: nothing to do
    const { keep, report } = removeOverlappingBodies(...args);
    expect(report.grainCharges).toEqual([1, -1]);
    expect(report.removed).toEqual({ P: 1, S: 4, Li: 3 }); // one Li from A; B's unit, then B's two Li
    const left = keep.map((i) => [types[i], grain[i]]);
    expect(left.filter(([t, g]) => t === 0 && g === 0).length).toBe(3);
    expect(left.filter(([, g]) => g === 1).length).toBe(0);
  });
});
