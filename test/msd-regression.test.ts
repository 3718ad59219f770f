import { describe, expect, it } from 'vitest';
import { computeMsd } from '../src/analysis/msd.ts';
import { msdCovariance, regressDiffusion } from '../src/analysis/msd-regression.ts';
import { StreamingMsd } from '../src/analysis/streaming-msd.ts';
import { seededNormal, seededUniform } from '../src/model/random.ts';

const DT = 10; // fs per frame
const HOP = 2.0; // A, lattice spacing
/** Hop probability per frame along each axis (either direction): D_a = p_a HOP^2 / (2 DT). */
const P = [0.2, 0.1, 0.04];
const TRUTH = P.map((p) => (p * HOP * HOP) / (2 * DT));
const VIBRATION = 0.3; // A, Gaussian displacement about the site, new each frame

/** Atoms hopping on a cubic lattice with vibration about their sites: unwrapped positions per frame. */
function latticeWalk(seed: number, atoms: number, frames: number): Float64Array[] {
  const uniform = seededUniform(seed);
  const normal = seededNormal(seed + 1e6);
  const site = new Float64Array(3 * atoms);
  const out: Float64Array[] = [];
  for (let t = 0; t < frames; t++) {
    if (t > 0) for (let k = 0; k < 3 * atoms; k++) if (uniform() < P[k % 3]) site[k] += uniform() < 0.5 ? HOP : -HOP;
    out.push(Float64Array.from(site, (v) => v + VIBRATION * normal()));
  }
  return out;
}

const atomsOf = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('MSD regression with the MSD covariance', () => {
  it('the covariance of the MSD equals the scatter of MSDs over many seeds (random walk with vibration)', () => {
    // one axis, 4 atoms, 200 frames: lags of 20, 60 and 120 frames (4-24 hops); empirical covariance from 1000 seeds
    const lags = [20, 60, 120];
    const frames = 200;
    const samples: number[][] = [];
    for (let seed = 1; seed <= 1000; seed++) {
      const f = latticeWalk(seed, 4, frames);
      const c = computeMsd(f, DT, { atoms: atomsOf(4) });
      samples.push(lags.map((l) => c.x[l]));
    }
    const mean = lags.map((_, i) => samples.reduce((s, v) => s + v[i], 0) / samples.length);
    const model = msdCovariance(
      lags,
      lags.map((l) => frames - l),
      frames,
      DT,
      4,
      TRUTH[0],
      VIBRATION ** 2,
    );
    for (let i = 0; i < 3; i++) {
      // the mean MSD is 2 D t + 2 s^2 (to the 2-3 % standard error of 1000 short runs)
      expect(Math.abs(mean[i] / (2 * TRUTH[0] * lags[i] * DT + 2 * VIBRATION ** 2) - 1)).toBeLessThan(0.08);
      for (let j = 0; j < 3; j++) {
        const emp = samples.reduce((s, v) => s + (v[i] - mean[i]) * (v[j] - mean[j]), 0) / (samples.length - 1);
        // 1000 samples: the empirical covariance is good to about 5 %; the lattice walk's non-Gaussian shape after
        // few hops (excess kurtosis 1/p - 3 per frame) adds about 5 % at the shortest lag
        expect(Math.abs(emp / model[i * 3 + j] - 1)).toBeLessThan(0.15);
      }
    }
  });

  it('the closed-form covariance equals the direct sum over origin pairs', () => {
    // the model's covariance written out: every pair of origins, the four frames' covariances
    const direct = (a: number, b: number, frames: number, d: number, s2: number) => {
      let sum = 0;
      for (let s = 0; s + a < frames; s++) {
        for (let q = 0; q + b < frames; q++) {
          const ov = Math.max(0, Math.min(s + a, q + b) - Math.max(s, q));
          const e = (s + a === q + b ? 1 : 0) - (s + a === q ? 1 : 0) - (s === q + b ? 1 : 0) + (s === q ? 1 : 0);
          sum += 2 * (2 * d * DT * ov + s2 * e) ** 2;
        }
      }
      return sum / ((frames - a) * (frames - b));
    };
    for (const [a, b, frames] of [
      [1, 1, 12],
      [3, 7, 40],
      [10, 10, 50],
      [5, 30, 60],
      [25, 40, 50],
    ]) {
      const c = msdCovariance([a, b], [frames - a, frames - b], frames, DT, 1, 0.013, 0.09);
      expect(c[1]).toBeCloseTo(direct(a, b, frames, 0.013, 0.09), 9);
      expect(c[0]).toBeCloseTo(direct(a, a, frames, 0.013, 0.09), 9);
    }
  });

  it('+-1 sigma covers the true D about 68 % of the time over 300 seeds, per axis and in total; D is unbiased', () => {
    const seeds = 300;
    const keys = ['x', 'y', 'z', 'total'] as const;
    const truth = { x: TRUTH[0], y: TRUTH[1], z: TRUTH[2], total: (TRUTH[0] + TRUTH[1] + TRUTH[2]) / 3 };
    const values = { x: [] as number[], y: [] as number[], z: [] as number[], total: [] as number[] };
    const errors = { x: [] as number[], y: [] as number[], z: [] as number[], total: [] as number[] };
    let inside = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const frames = latticeWalk(1000 + seed, 16, 1000);
      const curves = computeMsd(frames, DT, { atoms: atomsOf(16) });
      const r = regressDiffusion(curves, { dt: DT, frames: 1000, atoms: 16, start: 1000, end: 5000 });
      for (const key of keys) {
        values[key].push(r[key].value);
        errors[key].push(r[key].error);
        if (Math.abs(r[key].value - truth[key]) <= r[key].error) inside++;
      }
    }
    const coverage = inside / (keys.length * seeds);
    // 300 independent estimates per axis: the binomial 1-sigma of the coverage is 1.3-2.7 %
    expect(coverage).toBeGreaterThan(0.63);
    expect(coverage).toBeLessThan(0.76);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    for (const key of keys) {
      const m = mean(values[key]);
      const sd = Math.sqrt(values[key].reduce((s, x) => s + (x - m) ** 2, 0) / (seeds - 1));
      // no bias beyond 3 standard errors of the mean of 300 runs
      expect(Math.abs(m - truth[key])).toBeLessThan((3 * sd) / Math.sqrt(seeds));
      // the stated error is the scatter of D over seeds (the standard error of that ratio is about 4 %)
      expect(sd / mean(errors[key])).toBeGreaterThan(0.85);
      expect(sd / mean(errors[key])).toBeLessThan(1.15);
    }
  });

  it('states a small, honest error for atoms that only vibrate', () => {
    const normal = seededNormal(3);
    const frames = Array.from({ length: 400 }, () => Float64Array.from({ length: 24 }, () => 0.3 * normal()));
    const curves = computeMsd(frames, DT, { atoms: atomsOf(8) });
    const r = regressDiffusion(curves, { dt: DT, frames: 400, atoms: 8, start: 400, end: 2000 });
    for (const key of ['x', 'y', 'z', 'total'] as const) {
      expect(r[key].error).toBeGreaterThan(0);
      expect(Math.abs(r[key].value)).toBeLessThan(4 * r[key].error);
      expect(r[key].error).toBeLessThan(1e-4); // A^2/fs: 1e-5 cm^2/s, far below any hopping D
    }
  });

  it('the streaming correlator gives the same D within its error, with origins counted', () => {
    const frames = latticeWalk(77, 16, 2048);
    const s = new StreamingMsd(16, 16, 6);
    for (const f of frames) s.push(f);
    const res = s.result();
    const lag = res.lagFrames.map((l) => l * DT);
    const streamed = regressDiffusion(
      { lag, x: res.x, y: res.y, z: res.z, origins: res.origins },
      { dt: DT, frames: 2048, atoms: 16, start: 2000, end: 10000 },
    );
    const curves = computeMsd(frames, DT, { atoms: atomsOf(16) });
    const full = regressDiffusion(curves, { dt: DT, frames: 2048, atoms: 16, start: 2000, end: 10000 });
    for (const [k, key] of (['x', 'y', 'z'] as const).entries()) {
      expect(Math.abs(streamed[key].value - TRUTH[k])).toBeLessThan(3 * streamed[key].error);
      expect(Math.abs(streamed[key].value - full[key].value)).toBeLessThan(2 * full[key].error);
      // fewer origins: the streamed estimate is not more certain than the one from every origin
      expect(streamed[key].error).toBeGreaterThan(0.9 * full[key].error);
    }
  });

  it('refuses a window with too few points', () => {
    const curves = computeMsd(latticeWalk(1, 2, 20), DT, { atoms: [0, 1] });
    expect(() => regressDiffusion(curves, { dt: DT, frames: 20, atoms: 2, start: 150, end: 160 })).toThrow(
      /fewer than three MSD points/,
    );
  });
});
