import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { parseCfg } from '../src/io/cfg.ts';
import type { Configuration } from '../src/model/configuration.ts';
import { quaternionMatrix } from '../src/model/rotation.ts';
import { ReferenceMtp } from '../src/potential/mtp/reference.ts';
import { plusStressOf } from '../src/potential/types.ts';
import {
  loadVectorConfigs,
  loadVectorModel,
  randomTriclinicConfig,
  relError,
  rng,
  strainDerivativeVirial,
  VECTOR_POTENTIALS,
  VECTORS,
} from './support.ts';

describe('float64 MTP evaluator against MLIP-2 calc-efs', () => {
  for (const name of VECTOR_POTENTIALS) {
    const potential = new ReferenceMtp(loadVectorModel(name));
    const inputs = loadVectorConfigs(name, 'in');
    const outputs = loadVectorConfigs(name, 'out');
    inputs.forEach((config, k) => {
      const label = config.features.find(([key]) => key === 'label')?.[1] ?? `#${k}`;
      it(`${name} / ${label}: energy, forces, PlusStress within 1e-9`, () => {
        const ref = outputs[k];
        const r = potential.compute(config);
        expect(relError([r.energy], [ref.energy!])).toBeLessThan(1e-9);
        expect(relError(r.forces, ref.forces!)).toBeLessThan(1e-9);
        expect(relError(plusStressOf(r.virial), ref.plusStress!)).toBeLessThan(1e-9);
      });
    });
  }

  it('`lilab calc-efs` reproduces every shared output file (numbers, Feature lines, order)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-efs-'));
    for (const name of VECTOR_POTENTIALS) {
      const out = join(dir, `${name}.out.cfg`);
      const code = await main(['calc-efs', `${VECTORS}${name}.mtp`, `${VECTORS}${name}.in.cfg`, out]);
      expect(code).toBe(0);
      const text = readFileSync(out, 'utf8');
      // 17 significant digits, C-style exponent
      expect(text).toMatch(/-?\d\.\d{16}e[+-]\d{2}/);
      const mine = parseCfg(text, out);
      const theirs = loadVectorConfigs(name, 'out');
      expect(mine.length).toBe(theirs.length);
      mine.forEach((c, k) => {
        expect(c.features).toEqual(theirs[k].features);
        expect(Array.from(c.types)).toEqual(Array.from(theirs[k].types));
        expect(relError(c.positions, theirs[k].positions)).toBeLessThan(1e-14);
        expect(relError([c.energy!], [theirs[k].energy!])).toBeLessThan(1e-9);
        expect(relError(c.forces!, theirs[k].forces!)).toBeLessThan(1e-9);
        expect(relError(c.plusStress!, theirs[k].plusStress!)).toBeLessThan(1e-9);
      });
    }
  });
});

function energyOf(p: ReferenceMtp, c: Configuration): number {
  return p.compute(c).energy;
}

describe('float64 MTP evaluator: derivatives and invariances', () => {
  const cases = [
    { pot: 'l08', seed: 11, n: 24 },
    { pot: 'l16', seed: 12, n: 16 },
    { pot: 'l06-1sp-scaled', seed: 13, n: 12 },
  ];
  for (const { pot, seed, n } of cases) {
    const model = loadVectorModel(pot);
    const potential = new ReferenceMtp(model);
    const config = randomTriclinicConfig(seed, n, model.speciesCount, 1.9, 0.045);

    it(`${pot}: forces are minus the finite-difference gradient of the energy (random triclinic cell)`, () => {
      const r = potential.compute(config);
      const h = 1e-5;
      const fd = new Float64Array(r.forces.length);
      for (let k = 0; k < fd.length; k++) {
        const plus = { ...config, positions: Float64Array.from(config.positions) };
        const minus = { ...config, positions: Float64Array.from(config.positions) };
        plus.positions[k] += h;
        minus.positions[k] -= h;
        fd[k] = -(energyOf(potential, plus) - energyOf(potential, minus)) / (2 * h);
      }
      const scale = Math.max(...r.forces.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-3);
      expect(relError(r.forces, fd)).toBeLessThan(1e-6);
    });

    it(`${pot}: the virial is minus the strain derivative of the energy`, () => {
      const r = potential.compute(config);
      const fd = strainDerivativeVirial(config, (c) => energyOf(potential, c));
      expect(relError(r.virial, fd)).toBeLessThan(1e-6);
      // Rotation invariance makes the virial symmetric.
      expect(Math.abs(r.virial[1] - r.virial[3])).toBeLessThan(1e-9 * Math.max(1, Math.abs(r.virial[0])));
    });

    it(`${pot}: energy is invariant to rotation, translation, permutation and choice of image`, () => {
      const e0 = energyOf(potential, config);
      const rand = rng(seed + 100);
      // rotation: random orthogonal matrix from a random unit quaternion, applied to atoms and lattice
      const [q0, q1, q2, q3] = (() => {
        const v = [rand() - 0.5, rand() - 0.5, rand() - 0.5, rand() - 0.5];
        const l = Math.hypot(...v);
        return v.map((x) => x / l);
      })();
      const R = quaternionMatrix(q0, q1, q2, q3);
      const rotate = (v: Float64Array) => {
        const o = new Float64Array(v.length);
        for (let i = 0; i < v.length; i += 3)
          for (let a = 0; a < 3; a++) o[i + a] = R[3 * a] * v[i] + R[3 * a + 1] * v[i + 1] + R[3 * a + 2] * v[i + 2];
        return o;
      };
      const rotated = {
        ...config,
        positions: rotate(config.positions),
        cell: { lattice: rotate(config.cell!.lattice), pbc: config.cell!.pbc },
      };
      expect(Math.abs(energyOf(potential, rotated) - e0)).toBeLessThan(1e-10 * Math.abs(e0));

      const shifted = { ...config, positions: config.positions.map((x, k) => x + [1.234, -0.77, 3.1][k % 3]) };
      expect(Math.abs(energyOf(potential, shifted) - e0)).toBeLessThan(1e-10 * Math.abs(e0));

      const perm = Array.from({ length: n }, (_, i) => i).sort(() => rand() - 0.5);
      const permuted = {
        ...config,
        types: Int32Array.from(perm, (i) => config.types[i]),
        positions: Float64Array.from(perm.flatMap((i) => [0, 1, 2].map((d) => config.positions[3 * i + d]))),
      };
      expect(Math.abs(energyOf(potential, permuted) - e0)).toBeLessThan(1e-10 * Math.abs(e0));

      // each atom moved by a different lattice translation
      const L = config.cell!.lattice;
      const imaged = { ...config, positions: Float64Array.from(config.positions) };
      for (let i = 0; i < n; i++) {
        const m = [Math.floor(rand() * 5) - 2, Math.floor(rand() * 5) - 2, Math.floor(rand() * 5) - 2];
        for (let d = 0; d < 3; d++) imaged.positions[3 * i + d] += m[0] * L[d] + m[1] * L[3 + d] + m[2] * L[6 + d];
      }
      expect(Math.abs(energyOf(potential, imaged) - e0)).toBeLessThan(1e-10 * Math.abs(e0));
    });
  }

  it('a cell smaller than the cutoff equals the same atoms in a supercell (images of images)', () => {
    const potential = new ReferenceMtp(loadVectorModel('l08'));
    const small = randomTriclinicConfig(5, 3, 3, 1.8, 0.05); // edges ~4 A < 5 A cutoff
    const L = small.cell!.lattice;
    const reps = 2;
    const positions: number[] = [];
    const types: number[] = [];
    for (let a = 0; a < reps; a++)
      for (let b = 0; b < reps; b++)
        for (let c = 0; c < reps; c++)
          for (let i = 0; i < 3; i++) {
            types.push(small.types[i]);
            for (let d = 0; d < 3; d++)
              positions.push(small.positions[3 * i + d] + a * L[d] + b * L[3 + d] + c * L[6 + d]);
          }
    const big: Configuration = {
      types: Int32Array.from(types),
      positions: Float64Array.from(positions),
      cell: { lattice: L.map((x) => x * reps), pbc: [true, true, true] },
      features: [],
    };
    const e1 = potential.compute(small).energy;
    const e8 = potential.compute(big).energy;
    expect(Math.abs(e8 - reps ** 3 * e1)).toBeLessThan(1e-9 * Math.abs(e8));
  });
});
