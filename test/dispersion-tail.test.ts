import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { parseCfg, writeCfg } from '../src/io/cfg.ts';
import { ParseError } from '../src/io/errors.ts';
import { writeMtp } from '../src/io/mtp.ts';
import { makeCell } from '../src/model/cell.ts';
import type { Configuration } from '../src/model/configuration.ts';
import {
  DISPERSION_TAIL_FORMAT,
  type DispersionTail,
  dispersionTailEfs,
  parseDispersionTail,
  tailPair,
} from '../src/potential/dispersion-tail.ts';
import { mtpPotential } from '../src/potential/mtp/potential.ts';
import { withoutDispersionTail } from '../src/train/dataset.ts';
import {
  randomTriclinicConfig,
  relError,
  softSphereMtp,
  softSphereTestSystem,
  strainDerivativeVirial,
} from './support.ts';

const TAIL: DispersionTail = {
  species: ['Li', 'P', 'S'],
  c6: [
    [10, 30, 40],
    [30, 90, 110],
    [40, 110, 140],
  ],
  switchOn: [3, 4.5],
  taper: [7, 9],
};
const IDENTITY = [0, 1, 2];
const energy = (c: Configuration) => dispersionTailEfs(TAIL, IDENTITY, c).energy;

describe('dispersion tail', () => {
  const config = randomTriclinicConfig(7, 40, 3, 1.8);

  it('a pair is -C6/r^6 between the switch and the taper, zero outside, and smooth at the joins', () => {
    expect(tailPair(TAIL, 100, 2.9)).toEqual([0, 0]);
    expect(tailPair(TAIL, 100, 9.5)).toEqual([0, 0]);
    const [phi, dphi] = tailPair(TAIL, 100, 6);
    expect(phi).toBeCloseTo(-100 / 6 ** 6, 14);
    expect(dphi).toBeCloseTo((6 * 100) / 6 ** 7, 14);
    for (const r of [3, 4.5, 7, 9]) {
      // across 2e-9 A: a value or slope that jumped would differ by its own size (about 1e-2), a smooth one by 1e-10
      const below = tailPair(TAIL, 100, r - 1e-9);
      const above = tailPair(TAIL, 100, r + 1e-9);
      expect(Math.abs(below[0] - above[0])).toBeLessThan(1e-10);
      expect(Math.abs(below[1] - above[1])).toBeLessThan(1e-8);
    }
  });

  it('sums every periodic image: two atoms in a thin cell against the pair sum written out', () => {
    const c: Configuration = {
      types: Int32Array.from([2, 1]),
      positions: Float64Array.from([0, 0, 0, 0, 0, 5.2]),
      cell: makeCell([3.1, 0, 0, 0, 40, 0, 0, 0, 40]),
      features: [],
    };
    let expected = 0;
    // S with its own images along x (each pair once per atom: half each) and the P at 5.2 A along z
    for (let k = 1; k <= 3; k++) expected += tailPair(TAIL, 140, 3.1 * k)[0] + tailPair(TAIL, 90, 3.1 * k)[0];
    for (let k = -3; k <= 3; k++) expected += tailPair(TAIL, 110, Math.hypot(3.1 * k, 5.2))[0];
    expect(energy(c)).toBeCloseTo(expected, 12);
  });

  it('forces are minus the gradient of the energy', () => {
    const r = dispersionTailEfs(TAIL, IDENTITY, config);
    const h = 1e-5;
    const fd = new Float64Array(r.forces.length);
    for (let k = 0; k < fd.length; k++) {
      const moved = (s: number) => {
        const p = Float64Array.from(config.positions);
        p[k] += s;
        return { ...config, positions: p };
      };
      fd[k] = -(energy(moved(h)) - energy(moved(-h))) / (2 * h);
    }
    expect(Math.max(...r.forces.map(Math.abs))).toBeGreaterThan(1e-3);
    expect(relError(r.forces, fd)).toBeLessThan(1e-7);
    const total = [0, 1, 2].map((a) => r.forces.filter((_, k) => k % 3 === a).reduce((s, x) => s + x, 0));
    for (const t of total) expect(Math.abs(t)).toBeLessThan(1e-12);
  });

  it('the virial is minus the strain derivative of the energy, and symmetric', () => {
    const r = dispersionTailEfs(TAIL, IDENTITY, config);
    const fd = strainDerivativeVirial(config, energy);
    expect(relError(r.virial, fd)).toBeLessThan(1e-6);
    expect(Math.abs(r.virial[1] - r.virial[3])).toBeLessThan(1e-12 * Math.abs(r.virial[0]));
  });

  it('labels less the tail lose its energy, forces and virial, and keep everything else', () => {
    const labelled = {
      ...config,
      energy: 1.5,
      forces: new Float64Array(config.positions.length).fill(0.25),
      plusStress: Float64Array.from([1, 2, 3, 4, 5, 6]),
      weight: 3,
    };
    const [less] = withoutDispersionTail([labelled], TAIL, ['Li', 'P', 'S']);
    const t = dispersionTailEfs(TAIL, IDENTITY, config);
    expect(less.energy).toBeCloseTo(1.5 - t.energy, 12);
    less.forces.forEach((f, k) => {
      expect(f).toBeCloseTo(0.25 - t.forces[k], 12);
    });
    const w = [t.virial[0], t.virial[4], t.virial[8], t.virial[5], t.virial[2], t.virial[1]];
    less.plusStress!.forEach((s, k) => {
      expect(s).toBeCloseTo(k + 1 - w[k], 12);
    });
    expect(less.weight).toBe(3);
    expect(labelled.energy).toBe(1.5); // the input is not changed
    expect(() => withoutDispersionTail([labelled], TAIL, ['Li', 'P', 'Cl'])).toThrow(/no coefficients for Cl/);
  });

  it('reads its file and refuses a bad one by cause', () => {
    const good = { format: DISPERSION_TAIL_FORMAT, ...TAIL };
    expect(parseDispersionTail(JSON.stringify(good), 't.json').c6[2][1]).toBe(110);
    const refuse = (o: object, why: RegExp) => {
      const run = () => parseDispersionTail(JSON.stringify({ ...good, ...o }), 't.json');
      expect(run).toThrow(ParseError);
      expect(run).toThrow(why);
    };
    refuse({ format: 'x' }, /format/);
    refuse({ c6: [[1]] }, /3 x 3/);
    refuse({ c6: TAIL.c6.map((row, a) => row.map((v, b) => (a === 0 && b === 1 ? v + 1 : v))) }, /symmetric/);
    refuse({ c6: TAIL.c6.map((row) => row.map(() => -1)) }, />= 0/);
    refuse({ taper: [4, 9] }, /increasing/);
    expect(() => parseDispersionTail('{', 't.json')).toThrow(/t\.json.*not JSON/);
  });

  it("a potential's training report decides its tail: the one beside it is taken, a missing or other one refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-fitted-tail-'));
    const pot = join(dir, 'fitted.mtp');
    writeFileSync(pot, writeMtp(softSphereMtp()));
    const tailText = JSON.stringify({ format: DISPERSION_TAIL_FORMAT, ...TAIL });
    const tailFile = join(dir, 'd3-tail.json');
    writeFileSync(tailFile, tailText);
    const sha256 = createHash('sha256').update(tailText).digest('hex');
    // what `lilab train --dispersion-tail --report` writes of it
    writeFileSync(join(dir, 'fitted.json'), JSON.stringify({ dispersionTail: { file: 'd3-tail.json', sha256 } }));
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ format: DISPERSION_TAIL_FORMAT, ...TAIL, taper: [7, 9.5] }));
    const s = softSphereTestSystem();
    const config: Configuration = { types: s.types, positions: s.positions, cell: s.cell, features: [] };
    const input = join(dir, 'in.cfg');
    writeFileSync(input, writeCfg([config]));
    const withTail = mtpPotential(softSphereMtp(), TAIL).cpu().compute(config).energy;
    expect(Math.abs(withTail - mtpPotential(softSphereMtp()).cpu().compute(config).energy)).toBeGreaterThan(0.05);
    const run = async (out: string, ...extra: string[]) => {
      const err = vi.spyOn(console, 'error').mockImplementation(() => {});
      const rc = await main(['calc-efs', pot, input, join(dir, out), ...extra]);
      const said = err.mock.calls.flat().join(' ');
      err.mockRestore();
      const path = join(dir, out);
      return { rc, said, energy: existsSync(path) ? parseCfg(readFileSync(path, 'utf8'), out)[0].energy : null };
    };
    const missing = await run('missing.cfg');
    expect(missing.rc).not.toBe(0);
    expect(missing.said).toMatch(/fitted\.mtp was fitted to the labels less the dispersion tail d3-tail\.json/);
    expect(missing.said).toMatch(/no .*fitted\.tail\.json/);
    expect(missing.energy).toBeNull();
    const wrong = await run('wrong.cfg', '--dispersion-tail', other);
    expect(wrong.rc).not.toBe(0);
    expect(wrong.said).toMatch(/other\.json is not the tail .*fitted\.mtp was fitted with/);
    expect(wrong.energy).toBeNull();
    const given = await run('given.cfg', '--dispersion-tail', tailFile);
    expect(given.rc).toBe(0);
    expect(Math.abs((given.energy ?? Number.NaN) - withTail)).toBeLessThan(1e-9);
    copyFileSync(other, join(dir, 'fitted.tail.json'));
    const otherBeside = await run('other-beside.cfg');
    expect(otherBeside.said).toMatch(/fitted\.tail\.json is another tail/);
    expect(otherBeside.energy).toBeNull();
    copyFileSync(tailFile, join(dir, 'fitted.tail.json'));
    const beside = await run('beside.cfg');
    expect(beside.rc).toBe(0);
    expect(beside.said).toMatch(/dispersion tail: .*fitted\.tail\.json/);
    expect(Math.abs((beside.energy ?? Number.NaN) - withTail)).toBeLessThan(1e-9);
    // a report that names no tail (a fit without one) leaves the potential as it is
    writeFileSync(join(dir, 'fitted.json'), JSON.stringify({ dispersionTail: null }));
    const none = await run('none.cfg');
    expect(Math.abs((none.energy ?? Number.NaN) - withTail)).toBeGreaterThan(0.05);
  });
});
