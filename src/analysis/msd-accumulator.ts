/**
 * The MSD of a trajectory read frame by frame, in bounded memory. Frames (unwrapped, all atoms) are pushed one at a
 * time; the centre of mass of all atoms is removed and the selected atoms kept. While they fit in `budgetBytes` every
 * frame is kept and the MSD is exact over every origin (FFT, msd.ts); past the budget the frames kept so far go into
 * the multiple-tau correlator (streaming-msd.ts) and the rest stream through it, so memory stays under the budget
 * whatever the length of the run. D is fitted the same way either way (msd-regression.ts, with each lag's origins).
 */
import { CentreOfMassDrift, computeMsd, type MsdCurves } from './msd.ts';
import { type RegressionResult, regressDiffusion } from './msd-regression.ts';
import { StreamingMsd } from './streaming-msd.ts';

export interface AccumulatedMsd {
  curves: MsdCurves;
  d: RegressionResult;
  frames: number;
  /** True when the run outgrew the budget and the correlator's lags were used. */
  streamed: boolean;
}

export class MsdAccumulator {
  private kept: Float64Array[] = [];
  private correlator: StreamingMsd | null = null;
  private readonly drift: CentreOfMassDrift;
  frames = 0;

  constructor(
    readonly atoms: readonly number[],
    readonly masses: ArrayLike<number>,
    readonly budgetBytes = 1 << 30,
  ) {
    this.drift = new CentreOfMassDrift(masses);
  }

  /** Bytes the accumulator holds now (kept frames or the correlator). */
  get bytes(): number {
    return this.correlator ? this.correlator.bytes : this.kept.length * this.atoms.length * 24;
  }

  push(positions: ArrayLike<number>): void {
    const shift = this.drift.next(positions);
    const sel = new Float64Array(3 * this.atoms.length);
    this.atoms.forEach((i, a) => {
      for (let d = 0; d < 3; d++) sel[3 * a + d] = positions[3 * i + d] - shift[d];
    });
    this.frames++;
    if (this.correlator) {
      this.correlator.push(sel);
      return;
    }
    this.kept.push(sel);
    if ((this.kept.length + 1) * this.atoms.length * 24 > this.budgetBytes) {
      // 16 lags per level, 8 levels: lags up to 16^8 frames, memory 8 x 16 frames of the selected atoms
      this.correlator = new StreamingMsd(this.atoms.length, 16, 8);
      for (const f of this.kept) this.correlator.push(f);
      this.kept = [];
    }
  }

  /** Curves and D fitted in [start, end] fs for frames `dt` fs apart. */
  result(dt: number, start: number, end: number): AccumulatedMsd {
    const n = this.atoms.length;
    const options = { dt, frames: this.frames, atoms: n, start, end };
    if (!this.correlator) {
      const curves = computeMsd(this.kept, dt, { atoms: [...Array(n).keys()] });
      return { curves, d: regressDiffusion(curves, options), frames: this.frames, streamed: false };
    }
    const r = this.correlator.result();
    const lag = Float64Array.from([0, ...r.lagFrames], (l) => l * dt);
    const [x, y, z] = [r.x, r.y, r.z].map((v) => Float64Array.from([0, ...v]));
    const curves: MsdCurves = { lag, x, y, z, total: x.map((v, k) => v + y[k] + z[k]), atoms: n };
    const d = regressDiffusion({ lag, x, y, z, origins: [1, ...r.origins] }, options);
    return { curves, d, frames: this.frames, streamed: true };
  }
}
