/**
 * Live analysis of a running simulation: frames (unwrapped positions of all atoms) arrive one by one; per-axis MSD of
 * the selected groups (e.g. Li near the boundary, Li in the bulk) accumulate in bounded memory; a snapshot gives
 * curves and D estimates for the plots. Runs in a web worker (analysis.worker.ts) or directly.
 */
import type { AxisDiffusion } from '../analysis/arrhenius-runs.ts';
import { fitLine } from '../analysis/fit.ts';
import { StreamingMsd } from '../analysis/streaming-msd.ts';

export interface AnalysisGroup {
  name: string;
  atoms: Int32Array;
}

export interface AnalysisConfig {
  /** Masses of all atoms (amu): the centre of mass is removed frame by frame. */
  masses: Float64Array;
  groups: AnalysisGroup[];
  /** Time between pushed frames, fs. */
  frameInterval: number;
  /** Fraction of the longest lag where the D fit starts and ends (defaults 0.2 and 0.8). */
  fitFrom?: number;
  fitTo?: number;
}

export interface GroupSnapshot {
  name: string;
  atoms: number;
  lag: Float64Array;
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  total: Float64Array;
  /** A^2/fs, with the standard error of the fitted slope (a live estimate; the msd command gives block errors). */
  d: AxisDiffusion | null;
}

export class AnalysisService {
  private config: AnalysisConfig | null = null;
  private correlators: StreamingMsd[] = [];
  private frames = 0;
  private com0: number[] | null = null;

  configure(config: AnalysisConfig): void {
    this.config = config;
    this.correlators = config.groups.map((g) => new StreamingMsd(g.atoms.length, 16, 8));
    this.frames = 0;
    this.com0 = null;
  }

  get frameCount(): number {
    return this.frames;
  }

  /** One frame: unwrapped Cartesian positions of all atoms (3N). */
  push(positions: Float64Array): void {
    const c = this.config;
    if (!c) throw new Error('analysis: configure() before pushing frames');
    if (positions.length !== 3 * c.masses.length)
      throw new Error(`analysis: frame has ${positions.length / 3} atoms, expected ${c.masses.length}`);
    const com = [0, 0, 0];
    let mtot = 0;
    for (let i = 0; i < c.masses.length; i++) {
      mtot += c.masses[i];
      for (let d = 0; d < 3; d++) com[d] += c.masses[i] * positions[3 * i + d];
    }
    for (let d = 0; d < 3; d++) com[d] /= mtot;
    this.com0 ??= [...com];
    const shift = com.map((v, d) => v - this.com0![d]);
    c.groups.forEach((g, k) => {
      const sel = new Float64Array(3 * g.atoms.length);
      for (let a = 0; a < g.atoms.length; a++) {
        const i = g.atoms[a];
        for (let d = 0; d < 3; d++) sel[3 * a + d] = positions[3 * i + d] - shift[d];
      }
      this.correlators[k].push(sel);
    });
    this.frames++;
  }

  snapshot(): GroupSnapshot[] {
    const c = this.config;
    if (!c) return [];
    return c.groups.map((g, k) => {
      const r = this.correlators[k].result();
      const lag = Float64Array.from(r.lagFrames, (l) => l * c.frameInterval);
      const x = Float64Array.from(r.x);
      const y = Float64Array.from(r.y);
      const z = Float64Array.from(r.z);
      const total = x.map((v, m) => v + y[m] + z[m]);
      let d: GroupSnapshot['d'] = null;
      const maxLag = lag.length ? lag[lag.length - 1] : 0;
      const lo = (c.fitFrom ?? 0.2) * maxLag;
      const hi = (c.fitTo ?? 0.8) * maxLag;
      const idx = Array.from(lag.keys()).filter((m) => lag[m] >= lo && lag[m] <= hi);
      if (idx.length >= 3) {
        const slopeD = (ys: Float64Array, dim: number) => {
          const f = fitLine(
            idx.map((m) => lag[m]),
            idx.map((m) => ys[m]),
          );
          return [f.slope / (2 * dim), f.slopeError / (2 * dim)];
        };
        const [dx, ex] = slopeD(x, 1);
        const [dy, ey] = slopeD(y, 1);
        const [dz, ez] = slopeD(z, 1);
        const [dt, et] = slopeD(total, 3);
        d = { x: dx, y: dy, z: dz, total: dt, xErr: ex, yErr: ey, zErr: ez, totalErr: et };
      }
      return { name: g.name, atoms: g.atoms.length, lag, x, y, z, total, d };
    });
  }
}
