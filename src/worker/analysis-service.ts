/**
 * Live analysis of a running simulation: frames (unwrapped positions of all atoms) arrive one by one; per-axis MSD of
 * the selected groups (e.g. Li near the boundary, Li in the bulk) accumulate in bounded memory; a snapshot gives
 * curves and D estimates for the plots. Runs in a web worker (analysis.worker.ts) or directly.
 */
import type { AxisDiffusion } from '../analysis/arrhenius-runs.ts';
import { FIT_WINDOW } from '../analysis/diffusion.ts';
import { CentreOfMassDrift } from '../analysis/msd.ts';
import { regressDiffusion } from '../analysis/msd-regression.ts';
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
  /** Fractions of the run's length where the D fit starts and ends (defaults: FIT_WINDOW, as the msd command). */
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
  /** A^2/fs with 1-sigma errors, by the msd command's estimator (msd-regression.ts); null until the fit has points. */
  d: AxisDiffusion | null;
}

export class AnalysisService {
  private config: AnalysisConfig | null = null;
  private correlators: StreamingMsd[] = [];
  private frames = 0;
  private drift: CentreOfMassDrift | null = null;

  configure(config: AnalysisConfig): void {
    this.config = config;
    this.correlators = config.groups.map((g) => new StreamingMsd(g.atoms.length, 16, 8));
    this.frames = 0;
    this.drift = new CentreOfMassDrift(config.masses);
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
    const shift = this.drift!.next(positions);
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
      const span = (this.frames - 1) * c.frameInterval;
      try {
        const f = regressDiffusion(
          { lag, x, y, z, origins: r.origins },
          {
            dt: c.frameInterval,
            frames: this.frames,
            atoms: g.atoms.length,
            start: (c.fitFrom ?? FIT_WINDOW.from) * span,
            end: (c.fitTo ?? FIT_WINDOW.to) * span,
          },
        );
        d = {
          x: f.x.value,
          y: f.y.value,
          z: f.z.value,
          total: f.total.value,
          xErr: f.x.error,
          yErr: f.y.error,
          zErr: f.z.error,
          totalErr: f.total.error,
        };
      } catch (err) {
        // too few lags in the window yet: no estimate until the run is longer
        if (!/fewer than three MSD points/.test((err as Error).message)) throw err;
      }
      return { name: g.name, atoms: g.atoms.length, lag, x, y, z, total, d };
    });
  }
}
