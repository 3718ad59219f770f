import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMtp, writeMtp } from '../src/io/mtp.ts';
import type { Configuration } from '../src/model/configuration.ts';
import { compileMtp } from '../src/potential/mtp/model.ts';
import { ReferenceMtp } from '../src/potential/mtp/reference.ts';
import { plusStressOf } from '../src/potential/types.ts';
import { fromActiveSetFile, toActiveSetFile } from '../src/train/active-set-file.ts';
import { neighbourhoodActiveSet, neighbourhoodRows } from '../src/train/descriptors.ts';
import { enlargedBasis } from '../src/train/init.ts';
import { fitErrors, fitLinear, type LabelledConfiguration, MLIP_WEIGHTS } from '../src/train/linear-fit.ts';
import { grade, maxvol } from '../src/train/maxvol.ts';
import { randomTriclinicConfig, VECTORS } from './support.ts';

const truthFile = parseMtp(readFileSync(`${VECTORS}l08.mtp`, 'utf8'), 'l08.mtp');
const truth = new ReferenceMtp(compileMtp(truthFile));

function label(c: Configuration): LabelledConfiguration {
  const r = truth.compute(c);
  return { ...c, energy: r.energy, forces: r.forces, plusStress: plusStressOf(r.virial) };
}

const data = Array.from({ length: 10 }, (_, k) => label(randomTriclinicConfig(40 + k, 24, 3, 1.9, 0.045)));

describe('fitting the linear parameters of an MTP', () => {
  it("recovers a known MTP's coefficients from its own energies, forces and stresses", () => {
    const template = { ...truthFile, speciesCoeffs: null, momentCoeffs: null };
    const fitted = fitLinear(template, data);
    const scale = Math.max(...truthFile.momentCoeffs!.map(Math.abs));
    fitted.momentCoeffs!.forEach((v, k) => {
      expect(Math.abs(v - truthFile.momentCoeffs![k]) / scale).toBeLessThan(1e-6);
    });
    const errors = fitErrors(compileMtp(fitted), data);
    const spread =
      Math.sqrt(data.flatMap((c) => Array.from(c.forces)).reduce((s, f) => s + f * f, 0) / (data.length * 72)) * 1000;
    expect(errors.forceMeVPerA.rmse).toBeLessThan(0.01 * spread);
    expect(errors.energyMeVPerAtom.mae).toBeLessThan(1e-3);
    // the fitted file is an ordinary MLIP .mtp
    expect(parseMtp(writeMtp(fitted)).momentCoeffs).toEqual(fitted.momentCoeffs);
  });

  it('reports validation errors on a held-out split', () => {
    const train = data.slice(0, 8);
    const validation = data.slice(8);
    const fitted = fitLinear({ ...truthFile, speciesCoeffs: null, momentCoeffs: null }, train);
    const v = fitErrors(compileMtp(fitted), validation);
    expect(v.configurations).toBe(2);
    expect(v.forceMeVPerA.mae).toBeLessThan(1e-3);
    expect(v.stressGPa).not.toBeNull();
  });
});

describe('a trained potential started in a larger basis', () => {
  it('level 12 from the level-8 potential: its radial functions kept, and the linear stage reproduces it exactly', () => {
    const enlarged = enlargedBasis(truthFile, 12, 3);
    expect(enlarged.alphaMomentMapping.length).toBeGreaterThan(truthFile.alphaMomentMapping.length);
    for (let a = 0; a < truthFile.speciesCount; a++)
      for (let b = 0; b < truthFile.speciesCount; b++)
        for (let mu = 0; mu < truthFile.radialFuncsCount; mu++)
          expect(enlarged.radialCoeffs![a][b][mu]).toEqual(truthFile.radialCoeffs![a][b][mu]);
    // the level-8 functions are among level 12's: a linear fit to the level-8 potential's own labels leaves no error
    const errors = fitErrors(compileMtp(fitLinear(enlarged, data)), data);
    expect(errors.energyMeVPerAtom.mae).toBeLessThan(1e-3);
    expect(errors.forceMeVPerA.mae).toBeLessThan(1e-2);
    // while level 12's functions alone, with fresh radial functions, do not reproduce it
    const fresh = fitErrors(
      compileMtp(fitLinear(enlargedBasis({ ...truthFile, radialFuncsCount: 0 }, 12, 3), data)),
      data,
    );
    expect(fresh.forceMeVPerA.mae).toBeGreaterThan(100 * errors.forceMeVPerA.mae);
  });

  it('from the command line: --init POT --level L writes a level-L potential that fits the data as POT does', async () => {
    const { main } = await import('../src/cli/main.ts');
    const { mkdtempSync, readFileSync: read } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'lilab-enlarge-'));
    const out = join(dir, 'l12.mtp');
    const report = join(dir, 'l12.json');
    const quiet = console.log;
    console.log = () => {};
    try {
      const args = ['train', '--data', `${VECTORS}l08.out.cfg`, '--init', `${VECTORS}l08.mtp`, '--level', '12'];
      expect(await main([...args, '--out', out, '--report', report, '--iterations', '0'])).toBe(0);
    } finally {
      console.log = quiet;
    }
    const fitted = parseMtp(read(out, 'utf8'), 'l12.mtp');
    expect(fitted.potentialName).toBe('MTP12');
    const r = JSON.parse(read(report, 'utf8'));
    expect(r.start).toMatchObject({ init: 'l08.mtp', level: 12 });
    // the level-8 potential's own labels, fitted by the linear stage alone to within float64 rounding
    expect(r.errors.training.energyMeVPerAtom.mae).toBeLessThan(1e-3);
  });

  it('refuses a smaller basis and an untrained start', () => {
    expect(() => enlargedBasis(truthFile, 6, 1)).toThrow(/not a larger basis/);
    expect(() => enlargedBasis({ ...truthFile, radialCoeffs: null }, 12, 1)).toThrow(/trained potential/);
  });
});

describe('MaxVol active set and extrapolation grade', () => {
  const model = compileMtp(truthFile);
  const P = model.speciesCount + model.mapping.length;
  const rows = data.slice(0, 6).map((c) => neighbourhoodRows(model, c));
  const m = rows.reduce((s, r) => s + r.length / P, 0);
  const all = new Float64Array(m * P);
  let at = 0;
  for (const r of rows) {
    all.set(r, at);
    at += r.length;
  }
  const active = maxvol(all, m, P, 1e-3);

  it('grades every training neighbourhood at most 1 (to the MaxVol tolerance)', () => {
    let worst = 0;
    for (let r = 0; r < m; r++) worst = Math.max(worst, grade(active, all.subarray(r * P, (r + 1) * P)));
    expect(worst).toBeLessThanOrEqual(1 + 1e-3 + 1e-9);
    for (const s of active.selected) expect(grade(active, all.subarray(s * P, (s + 1) * P))).toBeCloseTo(1, 9);
  });

  it('grades a configuration compressed by 20 % above 1', () => {
    const c = data[0];
    const squeezed: Configuration = {
      ...c,
      positions: c.positions.map((x) => x * 0.8),
      cell: { lattice: c.cell!.lattice.map((x) => x * 0.8), pbc: [true, true, true] },
    };
    const r = neighbourhoodRows(model, squeezed);
    let worst = 0;
    for (let i = 0; i < c.types.length; i++) worst = Math.max(worst, grade(active, r.subarray(i * P, (i + 1) * P)));
    expect(worst).toBeGreaterThan(1.5);
  });

  it('level 16: dependent basis functions are left out of the active set, and it still grades the training data <= 1', () => {
    const l16 = compileMtp(parseMtp(readFileSync(`${VECTORS}l16.mtp`, 'utf8'), 'l16.mtp'));
    const configs = Array.from({ length: 12 }, (_, k) => randomTriclinicConfig(70 + k, 24, 3, 1.9, 0.045));
    const { active } = neighbourhoodActiveSet(l16, configs);
    const K = l16.speciesCount + l16.mapping.length;
    expect(active.k).toBe(K);
    // 3 x 3 tensor identities make some of level 16's contractions sums of products of others
    expect(active.columns.length).toBeLessThan(K);
    expect(active.columns.length).toBeGreaterThan(K / 2);
    let worst = 0;
    for (const c of configs) {
      const r = neighbourhoodRows(l16, c);
      for (let i = 0; i < c.types.length; i++) worst = Math.max(worst, grade(active, r.subarray(i * K, (i + 1) * K)));
    }
    expect(worst).toBeLessThanOrEqual(1 + 1e-3 + 1e-9);
    // saved and read back, the same grades
    const back = fromActiveSetFile(
      JSON.stringify(toActiveSetFile(active, 'l16.mtp', () => ({ configuration: 0, atom: 0 }))),
      'x',
    );
    expect(back.columns).toEqual(active.columns);
    const r = neighbourhoodRows(l16, data[0]);
    for (let i = 0; i < 3; i++)
      expect(grade(back, r.subarray(i * K, (i + 1) * K))).toBeCloseTo(grade(active, r.subarray(i * K, (i + 1) * K)), 6);
  });

  it('a parameter that is an exact combination of others is left out; the grade of rows beyond the span still rises', () => {
    const rand = (() => {
      let x = 7;
      return () => {
        x = (x * 16807) % 2147483647;
        return (x / 2147483647) * 2 - 1;
      };
    })();
    const m = 40;
    const X = new Float64Array(m * 4);
    for (let r = 0; r < m; r++) {
      const [a, b, c] = [rand(), rand(), rand()];
      X.set([a, b, a + 2 * b, c], r * 4);
    }
    const a = maxvol(X, m, 4);
    expect(a.columns).toEqual([0, 1, 3]);
    for (let r = 0; r < m; r++) expect(grade(a, X.subarray(r * 4, r * 4 + 4))).toBeLessThanOrEqual(1 + 1e-3 + 1e-12);
    expect(grade(a, [5, 0, 5, 0])).toBeGreaterThan(2);
    expect(() => maxvol(new Float64Array(8), 4, 2)).toThrow(/do not span any parameter/);
  });
});

describe('lilab train and grade', () => {
  it('fit a potential from a .cfg and grade frames, selecting those outside the training span', async () => {
    const { main } = await import('../src/cli/main.ts');
    const { mkdtempSync, readFileSync: read } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { parseCfg } = await import('../src/io/cfg.ts');
    const dir = mkdtempSync(join(tmpdir(), 'lilab-train-'));
    const out = join(dir, 'fit.mtp');
    const quiet = console.log;
    console.log = () => {};
    try {
      expect(
        await main(['train', '--data', `${VECTORS}l08.out.cfg`, '--init', `${VECTORS}l08.mtp`, '--out', out]),
      ).toBe(0);
      const fitted = parseMtp(read(out, 'utf8'), 'fit.mtp');
      fitted.momentCoeffs!.forEach((v, k) => {
        expect(Math.abs(v - truthFile.momentCoeffs![k])).toBeLessThan(
          1e-5 * Math.max(...truthFile.momentCoeffs!.map(Math.abs)),
        );
      });
      const frames = join(dir, 'frames.extxyz');
      expect(await main(['build', '--preset', 'sigma5-001-120', '--raw', '--out', frames])).toBe(0);
      const sel = join(dir, 'sel.cfg');
      expect(
        await main([
          'grade',
          '--potential',
          out,
          '--train',
          `${VECTORS}l08.out.cfg`,
          '--data',
          frames,
          '--threshold',
          '1.5',
          '--select-out',
          sel,
        ]),
      ).toBe(0);
      expect(parseCfg(read(sel, 'utf8')).length).toBe(1);
      // the active set saved beside the potential gives the same grades
      const sel2 = join(dir, 'sel2.cfg');
      expect(
        await main([
          'grade',
          '--potential',
          out,
          '--active',
          `${out}.als.json`,
          '--data',
          frames,
          '--threshold',
          '1.5',
          '--select-out',
          sel2,
        ]),
      ).toBe(0);
      expect(parseCfg(read(sel2, 'utf8')).length).toBe(1);
      const sel3 = join(dir, 'sel3.cfg');
      expect(
        await main([
          'select',
          '--potential',
          out,
          '--active',
          `${out}.als.json`,
          '--data',
          frames,
          '--threshold',
          '1.5',
          '--select-out',
          sel3,
        ]),
      ).toBe(0);
      expect(parseCfg(read(sel3, 'utf8')).length).toBe(1);
      expect(await main(['select', '--potential', out, '--active', `${out}.als.json`, '--data', frames])).toBe(2);
      expect(await main(['train', '--data', `${VECTORS}l08.in.cfg`, '--init', `${VECTORS}l08.mtp`, '--out', out])).toBe(
        1,
      );
    } finally {
      console.log = quiet;
    }
  });
});

describe('nonlinear fit: gradients and L-BFGS', () => {
  it('the loss gradient matches finite differences, radial coefficients included', async () => {
    const { lossAndGradient, lossOnly, parameterVector, withParameters } = await import('../src/train/gradient.ts');
    const model = compileMtp(truthFile);
    const small = data.slice(0, 2).map((c) => ({
      ...c,
      energy: c.energy + 0.3,
      forces: c.forces.map((f) => f * 1.1),
      plusStress: c.plusStress!.map((s) => s * 0.9),
    }));
    const theta = parameterVector(model);
    const { gradient } = lossAndGradient(model, small);
    const P = theta.length;
    const probe = [0, 2, 3, 7, model.speciesCount + model.mapping.length, P - 1, Math.floor(P / 2)];
    for (const p of probe) {
      const h = 1e-6 * Math.max(1, Math.abs(theta[p]));
      const up = Float64Array.from(theta);
      const dn = Float64Array.from(theta);
      up[p] += h;
      dn[p] -= h;
      const fd = (lossOnly(withParameters(model, up), small) - lossOnly(withParameters(model, dn), small)) / (2 * h);
      expect(Math.abs(gradient[p] - fd)).toBeLessThan(1e-4 * Math.max(1e-3, Math.abs(fd)) + 1e-7);
    }
  });

  it('a configuration weight scales its share of the loss and gradient; weight 0 is the same as leaving it out', async () => {
    const { lossAndGradient, lossOnly } = await import('../src/train/gradient.ts');
    const { weightById } = await import('../src/train/dataset.ts');
    const model = compileMtp(truthFile);
    const off = data.slice(0, 3).map((c, k) => ({
      ...c,
      energy: c.energy + 0.2,
      forces: c.forces.map((f) => f * 1.2),
      features: [['config_id', `c-${k}`]] as [string, string][],
    }));
    const plain = lossAndGradient(model, off);
    const weighted = weightById(off, ['^c-1$=3', '^c-2$=0']);
    expect(weighted.map((c) => c.weight)).toEqual([undefined, 3, 0]);
    const a = lossAndGradient(model, weighted);
    const parts = off.map((c) => lossAndGradient(model, [c]));
    expect(a.loss).toBeCloseTo(parts[0].loss + 3 * parts[1].loss, 10);
    expect(lossOnly(model, weighted)).toBeCloseTo(a.loss, 10);
    a.gradient.forEach((g, p) => {
      const expected = parts[0].gradient[p] + 3 * parts[1].gradient[p];
      expect(Math.abs(g - expected)).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected)));
    });
    expect(plain.loss).toBeGreaterThan(parts[0].loss + parts[1].loss);
    // the linear stage: weight 0 fits exactly what the data without that configuration fits
    const template = { ...truthFile, speciesCoeffs: null, momentCoeffs: null };
    const zero = fitLinear(template, weightById(off, ['^c-2$=0']));
    const without = fitLinear(template, off.slice(0, 2));
    zero.momentCoeffs!.forEach((v, k) => {
      expect(v).toBeCloseTo(without.momentCoeffs![k], 8);
    });
    expect(() => weightById(off, ['c-1'])).toThrow(/REGEX=W/);
  });

  it('an energy weight scales the energy term alone: the same as that configuration fitted with the energy weight raised', async () => {
    const { lossAndGradient } = await import('../src/train/gradient.ts');
    const { weightById } = await import('../src/train/dataset.ts');
    const model = compileMtp(truthFile);
    const off = data.slice(0, 2).map((c, k) => ({
      ...c,
      energy: c.energy + 0.2,
      forces: c.forces.map((f) => f * 1.2),
      features: [['config_id', `c-${k}`]] as [string, string][],
    }));
    const weighted = weightById(off, ['^c-1$=7'], 'energyWeight');
    expect(weighted.map((c) => c.energyWeight)).toEqual([undefined, 7]);
    const a = lossAndGradient(model, weighted);
    const first = lossAndGradient(model, [off[0]]);
    const raised = lossAndGradient(model, [off[1]], { ...MLIP_WEIGHTS, energy: 7 * MLIP_WEIGHTS.energy });
    expect(a.loss).toBeCloseTo(first.loss + raised.loss, 10);
    a.gradient.forEach((g, p) => {
      const expected = first.gradient[p] + raised.gradient[p];
      expect(Math.abs(g - expected)).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected)));
    });
    // and the energy term is all it changes: the data are the model's own but for 0.2 eV, so that term is (0.2/N)^2
    const plain = lossAndGradient(model, [off[1]]);
    const n = off[1].types.length;
    expect((raised.loss - plain.loss) / 6 / (0.2 / n) ** 2).toBeCloseTo(1, 8);
  });

  it("recovers a known MTP's energies and forces to within 1% RMSE of the data's spread from perturbed radial coefficients", async () => {
    const { lossAndGradient, lossOnly, parameterVector, withParameters } = await import('../src/train/gradient.ts');
    const { lbfgs } = await import('../src/train/lbfgs.ts');
    const truthModel = compileMtp(truthFile);
    const train = data.slice(0, 6);
    // start: radial coefficients 20 % off, linear coefficients refitted for them
    const start = {
      ...truthFile,
      radialCoeffs: truthFile.radialCoeffs!.map((a) =>
        a.map((b) => b.map((f) => f.map((v, q) => v * (1 + 0.2 * Math.sin(7 * q + 1))))),
      ),
    };
    const first = compileMtp(fitLinear(start, train));
    const before = fitErrors(first, train).forceMeVPerA.rmse;
    const r = await lbfgs(
      (x) => lossAndGradient(withParameters(first, x), train),
      parameterVector(first),
      (x) => lossOnly(withParameters(first, x), train),
      { maxIterations: 300 },
    );
    const fitted = withParameters(first, r.x);
    const after = fitErrors(fitted, train);
    const spreadF =
      Math.sqrt(train.flatMap((c) => Array.from(c.forces)).reduce((s, f) => s + f * f, 0) / (train.length * 72)) * 1000;
    expect(after.forceMeVPerA.rmse).toBeLessThan(before);
    expect(after.forceMeVPerA.rmse).toBeLessThan(0.01 * spreadF); // the linear stage alone leaves about 11 %
    expect(truthModel.radialCoeffs.length).toBe(fitted.radialCoeffs.length);
  });
});
