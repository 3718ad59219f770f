import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lossFunctions, sliceByAtoms } from '../src/cli/loss-pool.ts';
import { parseMtp } from '../src/io/mtp.ts';
import { compileMtp } from '../src/potential/mtp/model.ts';
import { ReferenceMtp } from '../src/potential/mtp/reference.ts';
import { plusStressOf } from '../src/potential/types.ts';
import { lossAndGradient, lossOnly, parameterVector } from '../src/train/gradient.ts';
import type { LabelledConfiguration } from '../src/train/linear-fit.ts';
import { randomTriclinicConfig, VECTORS } from './support.ts';

const truth = compileMtp(parseMtp(readFileSync(`${VECTORS}l08.mtp`, 'utf8'), 'l08.mtp'));
const reference = new ReferenceMtp(truth);
// labels from the true model, and a model 10 % off in its moment coefficients, so the loss and its gradient are not 0
const data: LabelledConfiguration[] = Array.from({ length: 5 }, (_, k) => {
  const c = randomTriclinicConfig(70 + k, 12 + 4 * k, 3, 1.9, 0.045);
  const r = reference.compute(c);
  return { ...c, energy: r.energy, forces: r.forces, plusStress: plusStressOf(r.virial) };
});
const model = { ...truth, momentCoeffs: truth.momentCoeffs.map((v, k) => v * (1 + 0.1 * Math.sin(k))) };

describe('the training loss on worker threads', () => {
  it('slices the data into contiguous parts of about equal atom count', () => {
    expect(sliceByAtoms([10, 10, 10, 10], 2)).toEqual([0, 2, 4]);
    expect(sliceByAtoms([30, 10, 10, 10], 2)).toEqual([0, 1, 4]);
    // more parts than configurations: the extra parts are empty, every configuration is in exactly one part
    const b = sliceByAtoms([5, 5], 3);
    expect(b[0]).toBe(0);
    expect(b[b.length - 1]).toBe(2);
    expect(b.length).toBe(4);
  });

  it('gives bit-identical loss and gradient on 3 threads and on one, with the weights it is given', async () => {
    const theta = parameterVector(model);
    const weights = { energy: 1, force: 0.02, stress: 0.1 };
    const single = lossAndGradient(model, data, weights);
    expect(single.loss).not.toBe(lossAndGradient(model, data).loss);
    const pool = lossFunctions(model, data, 3, weights);
    try {
      expect(pool.threads).toBe(3);
      const pooled = await pool.lossAndGradient(theta);
      expect(single.loss).toBeGreaterThan(0);
      expect(pooled.loss).toBe(single.loss);
      expect(Array.from(pooled.gradient)).toEqual(Array.from(single.gradient));
      expect(Math.max(...single.gradient.map(Math.abs))).toBeGreaterThan(0);
      expect(await pool.lossOnly(theta)).toBe(lossOnly(model, data, weights));
    } finally {
      await pool.close();
    }
  }, 60_000);
});
