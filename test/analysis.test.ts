import { describe, expect, it } from 'vitest';
import { fitArrhenius } from '../src/analysis/arrhenius.ts';
import { nernstEinstein } from '../src/analysis/conductivity.ts';
import { estimateDiffusion, isotropy } from '../src/analysis/diffusion.ts';
import { computeMsd, msdOfSeries } from '../src/analysis/msd.ts';
import { StreamingMsd } from '../src/analysis/streaming-msd.ts';
import { Unwrapper } from '../src/analysis/unwrap.ts';
import { formatExtxyzFrame, parseExtxyz } from '../src/io/extxyz.ts';
import { makeCell } from '../src/model/cell.ts';
import { seededNormal } from '../src/model/random.ts';

/** Independent Gaussian random walks with per-axis D (A^2/fs), one frame every dt fs. */
function randomWalk(
  seed: number,
  atoms: number,
  frames: number,
  dt: number,
  d: [number, number, number],
): Float64Array[] {
  const normal = seededNormal(seed);
  const out: Float64Array[] = [];
  let cur = new Float64Array(3 * atoms);
  out.push(cur);
  const s = d.map((v) => Math.sqrt(2 * v * dt));
  for (let t = 1; t < frames; t++) {
    const next = Float64Array.from(cur);
    for (let i = 0; i < atoms; i++) for (let a = 0; a < 3; a++) next[3 * i + a] += s[a] * normal();
    out.push(next);
    cur = next;
  }
  return out;
}

function directMsd(frames: Float64Array[], atoms: number[], axis: number): Float64Array {
  const T = frames.length;
  const out = new Float64Array(T);
  for (let m = 1; m < T; m++) {
    let s = 0;
    for (let k = 0; k + m < T; k++)
      for (const i of atoms) s += (frames[k + m][3 * i + axis] - frames[k][3 * i + axis]) ** 2;
    out[m] = s / ((T - m) * atoms.length);
  }
  return out;
}

describe('MSD and diffusion', () => {
  it('the FFT MSD equals the direct O(T^2) average over all origins', () => {
    const frames = randomWalk(1, 5, 300, 2, [0.01, 0.02, 0.005]);
    const c = computeMsd(frames, 2, { atoms: [0, 1, 2, 3, 4] });
    for (const [axis, curve] of [c.x, c.y, c.z].entries()) {
      const ref = directMsd(frames, [0, 1, 2, 3, 4], axis);
      for (let m = 1; m < 300; m++) expect(Math.abs(curve[m] - ref[m])).toBeLessThan(1e-6 * Math.max(ref[m], 1e-12));
    }
    expect(msdOfSeries(Float64Array.from([0, 1, 3]))[2]).toBeCloseTo(9, 12);
  });

  it('a stored trajectory (extended XYZ, read back) gives the direct MSD to 1e-6', () => {
    const cell = makeCell([10, 0, 0, 0, 10, 0, 0, 0, 10]);
    const frames = randomWalk(2, 4, 120, 1, [0.02, 0.02, 0.02]);
    const text = frames
      .map((f, t) => formatExtxyzFrame({ cell, species: ['Li'], types: new Int32Array(4), positions: f }, { Time: t }))
      .join('');
    const read = parseExtxyz(text).map((fr) => fr.structure.positions);
    const c = computeMsd(read, 1, { atoms: [0, 1, 2, 3] });
    const ref = directMsd(frames, [0, 1, 2, 3], 0);
    for (let m = 1; m < 120; m++) expect(Math.abs(c.x[m] - ref[m]) / ref[m]).toBeLessThan(1e-6);
  });

  it('recovers anisotropic D per axis within its stated uncertainty (2 sigma covers >= 90% of seeds)', () => {
    const truth: [number, number, number] = [0.004, 0.012, 0.0005];
    let inside = 0;
    let total = 0;
    const seeds = 30;
    for (let seed = 1; seed <= seeds; seed++) {
      const frames = randomWalk(100 + seed, 40, 1600, 5, truth);
      const r = estimateDiffusion(frames, 5, {
        atoms: Array.from({ length: 40 }, (_, i) => i),
        start: 50,
        end: 500,
      });
      for (const [k, key] of (['x', 'y', 'z'] as const).entries()) {
        total++;
        if (Math.abs(r[key].value - truth[k]) < 2 * r[key].error) inside++;
        expect(r[key].error).toBeGreaterThan(0);
        expect(Math.abs(r[key].value - truth[k]) / truth[k]).toBeLessThan(0.3);
      }
    }
    expect(inside / total).toBeGreaterThanOrEqual(0.9);
  });

  it('removes centre-of-mass drift', () => {
    const frames = randomWalk(5, 20, 200, 1, [0.01, 0.01, 0.01]).map((f, t) =>
      f.map((v, k) => v + (k % 3 === 0 ? 0.05 * t : 0)),
    );
    const masses = new Float64Array(20).fill(1);
    const atoms = Array.from({ length: 20 }, (_, i) => i);
    const drifting = computeMsd(frames, 1, { atoms });
    const fixed = computeMsd(frames, 1, { atoms, masses });
    expect(drifting.x[100]).toBeGreaterThan(20); // (0.05 * 100)^2 = 25 from the drift alone
    expect(fixed.x[100]).toBeLessThan(4);
  });

  it('the streaming correlator equals the direct average over its own origins, in bounded memory', () => {
    const frames = randomWalk(7, 3, 700, 1, [0.01, 0.03, 0.02]);
    const s = new StreamingMsd(3, 8, 4);
    for (const f of frames) s.push(f);
    const r = s.result();
    for (let n = 0; n < r.lagFrames.length; n++) {
      const lag = r.lagFrames[n];
      const level = Math.max(0, Math.ceil(Math.log(lag) / Math.log(8) - 1e-9) - 1);
      const spacing = 8 ** level;
      let sum = 0;
      let count = 0;
      for (let k = 0; k + lag < 700; k += spacing) {
        for (let i = 0; i < 3; i++) sum += (frames[k + lag][3 * i + 1] - frames[k][3 * i + 1]) ** 2;
        count++;
      }
      expect(r.origins[n]).toBe(count);
      expect(Math.abs(r.y[n] - sum / (count * 3))).toBeLessThan(1e-12 * Math.max(1, sum));
    }
    expect(s.bytes).toBeLessThan(4 * 8 * 9 * 8 + 4096);
  });

  it('unwrapping is exact for atoms that cross a triclinic cell many times', () => {
    const cell = makeCell([5, 0, 0, 1, 6, 0, 0.5, -0.7, 4]);
    const frames = randomWalk(9, 6, 5000, 1, [0.05, 0.05, 0.05]); // ~20 A travelled: several crossings of a 5 A cell
    const inv = (p: Float64Array) => {
      // fold into the cell through fractional coordinates
      const L = cell.lattice;
      const out = new Float64Array(p.length);
      const det =
        L[0] * (L[4] * L[8] - L[5] * L[7]) - L[1] * (L[3] * L[8] - L[5] * L[6]) + L[2] * (L[3] * L[7] - L[4] * L[6]);
      const I = [
        (L[4] * L[8] - L[5] * L[7]) / det,
        (L[2] * L[7] - L[1] * L[8]) / det,
        (L[1] * L[5] - L[2] * L[4]) / det,
        (L[5] * L[6] - L[3] * L[8]) / det,
        (L[0] * L[8] - L[2] * L[6]) / det,
        (L[2] * L[3] - L[0] * L[5]) / det,
        (L[3] * L[7] - L[4] * L[6]) / det,
        (L[1] * L[6] - L[0] * L[7]) / det,
        (L[0] * L[4] - L[1] * L[3]) / det,
      ];
      for (let i = 0; i < p.length; i += 3) {
        const f = [0, 1, 2]
          .map((k) => p[i] * I[k] + p[i + 1] * I[3 + k] + p[i + 2] * I[6 + k])
          .map((v) => v - Math.floor(v));
        for (let d = 0; d < 3; d++) out[i + d] = f[0] * L[d] + f[1] * L[3 + d] + f[2] * L[6 + d];
      }
      return out;
    };
    const u = new Unwrapper(cell);
    let maxErr = 0;
    let first: Float64Array | null = null;
    frames.forEach((f) => {
      const un = u.next(inv(f));
      first ??= Float64Array.from(f.map((v, k) => v - un[k]));
      for (let k = 0; k < f.length; k++) maxErr = Math.max(maxErr, Math.abs(un[k] + first[k] - f[k]));
    });
    expect(maxErr).toBeLessThan(1e-9);
  });
});

describe('isotropy, conductivity, Arrhenius', () => {
  it('isotropy is D_normal over the mean in-plane D', () => {
    const r = isotropy({ x: 1, y: 3, z: 0.5 }, 'z');
    expect(r.isotropy).toBeCloseTo(0.25, 12);
    expect(r.anisotropy).toBeCloseTo(6, 12);
  });

  it('Nernst-Einstein gives the textbook number', () => {
    // 1e-8 cm^2/s = 1e-7 A^2/fs; 1e22 ions/cm^3 at 300 K -> n e^2 D / kT = 1e28 * (1.602e-19)^2 * 1e-12 / (1.381e-23 * 300) S/m
    const sigma = nernstEinstein(1e-7, 1e22 * 1e-24 * 1000, 1000, 300);
    const expected = (1e28 * 1.602176634e-19 ** 2 * 1e-12) / (1.380649e-23 * 300) / 100;
    expect(Math.abs(sigma / expected - 1)).toBeLessThan(1e-9);
  });

  it('Arrhenius recovers Ea and extrapolates D(300 K) with an uncertainty', () => {
    const ea = 0.25;
    const d0 = 0.05;
    const kb = 8.617333262e-5;
    const pts = [600, 800, 1000, 1200].map((T) => ({ temperature: T, d: d0 * Math.exp(-ea / (kb * T)), dError: 0 }));
    pts.forEach((p, k) => {
      p.d *= 1 + 0.02 * (k % 2 === 0 ? 1 : -1);
      p.dError = 0.03 * p.d;
    });
    const f = fitArrhenius(pts);
    expect(Math.abs(f.activationEnergy - ea)).toBeLessThan(2 * f.activationEnergyError + 0.01);
    const at300 = f.extrapolate(300);
    const truth = d0 * Math.exp(-ea / (kb * 300));
    expect(Math.abs(Math.log(at300.d / truth))).toBeLessThan(3 * at300.logError);
    expect(at300.error).toBeGreaterThan(0);
  });
});

describe('live analysis service (the web worker body)', () => {
  it('accumulates per-group MSD from pushed frames and estimates D', async () => {
    const { AnalysisService } = await import('../src/worker/analysis-service.ts');
    const svc = new AnalysisService();
    const n = 60;
    svc.configure({
      masses: new Float64Array(n).fill(7),
      groups: [
        { name: 'all', atoms: Int32Array.from({ length: n }, (_, i) => i) },
        { name: 'half', atoms: Int32Array.from({ length: 30 }, (_, i) => i) },
      ],
      frameInterval: 2,
    });
    const frames = randomWalk(21, n, 3000, 2, [0.01, 0.01, 0.04]);
    for (const f of frames) svc.push(f);
    const [all, half] = svc.snapshot();
    expect(all.atoms).toBe(60);
    expect(half.atoms).toBe(30);
    expect(all.d).not.toBeNull();
    expect(Math.abs(all.d!.z / 0.04 - 1)).toBeLessThan(0.2);
    expect(Math.abs(all.d!.total / 0.02 - 1)).toBeLessThan(0.2);
    expect(() => svc.push(new Float64Array(3))).toThrow(/expected 60/);
  });
});
