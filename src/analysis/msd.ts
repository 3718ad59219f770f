/**
 * Mean-squared displacement with averaging over every time origin, per Cartesian axis.
 *
 * For a series x(0..T-1): MSD(m) = 1/(T-m) sum_k [x(k+m) - x(k)]^2 = S1(m) - 2 S2(m), with S2 the autocorrelation
 * (computed by FFT, O(T log T)) and S1 from running sums of x^2 (Calandrini et al., Collection SFN 12 (2011) 201).
 * Exact for every lag; memory O(T) per coordinate at a time. For unbounded live runs see streaming-msd.ts.
 */
import FFT from 'fft.js';

function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/** Sum over origins of x(k) x(k+m), for m = 0..T-1, by zero-padded FFT. */
export function autocorrelation(x: Float64Array): Float64Array {
  const T = x.length;
  const size = nextPow2(2 * T);
  const fft = new FFT(size);
  const input = new Array<number>(size).fill(0);
  for (let k = 0; k < T; k++) input[k] = x[k];
  const spec = fft.createComplexArray() as number[];
  fft.realTransform(spec, input);
  fft.completeSpectrum(spec);
  for (let k = 0; k < size; k++) {
    const re = spec[2 * k];
    const im = spec[2 * k + 1];
    spec[2 * k] = re * re + im * im;
    spec[2 * k + 1] = 0;
  }
  const back = fft.createComplexArray() as number[];
  fft.inverseTransform(back, spec);
  const out = new Float64Array(T);
  for (let m = 0; m < T; m++) out[m] = back[2 * m];
  return out;
}

/** MSD(m) of one coordinate series, m = 0..T-1, averaged over all T-m origins. */
export function msdOfSeries(x: Float64Array): Float64Array {
  const T = x.length;
  const s2 = autocorrelation(x);
  const out = new Float64Array(T);
  // S1(m) = 1/(T-m) sum_{k=0}^{T-m-1} [x(k)^2 + x(k+m)^2], built by removing one end term per lag
  let q = 0;
  for (let k = 0; k < T; k++) q += 2 * x[k] * x[k];
  for (let m = 0; m < T; m++) {
    if (m > 0) q -= x[m - 1] * x[m - 1] + x[T - m] * x[T - m];
    out[m] = (q - 2 * s2[m]) / (T - m);
  }
  return out;
}

export interface MsdCurves {
  /** Lag times, in the frames' time unit (fs). */
  lag: Float64Array;
  /** Per-axis MSD (A^2) averaged over the selected atoms and all origins; total = x + y + z. */
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  total: Float64Array;
  atoms: number;
}

export interface MsdOptions {
  /** Atoms to average over (indices). */
  atoms: ArrayLike<number>;
  /** Masses of all atoms: the mass-weighted centre of mass of all atoms is removed frame by frame. Omit to keep it. */
  masses?: ArrayLike<number>;
  /**
   * Optional axes to project on instead of x, y, z (three orthonormal vectors, row-major): e.g. the grain-boundary
   * normal and two in-plane directions.
   */
  axes?: ArrayLike<number>;
}

/** The mass-weighted centre of mass of all atoms, frame by frame: its displacement since the first frame. */
export class CentreOfMassDrift {
  private first: number[] | null = null;
  private readonly total: number;

  constructor(private readonly masses: ArrayLike<number>) {
    let t = 0;
    for (let i = 0; i < masses.length; i++) t += masses[i];
    this.total = t;
  }

  /** The drift of this frame (unwrapped positions of all atoms, 3N) from the first frame pushed, A. */
  next(positions: ArrayLike<number>): [number, number, number] {
    const c = [0, 0, 0];
    for (let i = 0; i < this.masses.length; i++)
      for (let d = 0; d < 3; d++) c[d] += this.masses[i] * positions[3 * i + d];
    for (let d = 0; d < 3; d++) c[d] /= this.total;
    this.first ??= c;
    return [c[0] - this.first[0], c[1] - this.first[1], c[2] - this.first[2]];
  }
}

/** Removes the centre-of-mass displacement of each frame (all atoms, mass-weighted). */
export function removeCentreOfMass(frames: Float64Array[], masses: ArrayLike<number>): Float64Array[] {
  const drift = new CentreOfMassDrift(masses);
  return frames.map((f) => {
    const s = drift.next(f);
    return f.map((v, k) => v - s[k % 3]);
  });
}

/** Per-axis MSD over all time origins of unwrapped frames taken every `dt` fs. */
export function computeMsd(frames: Float64Array[], dt: number, options: MsdOptions): MsdCurves {
  const T = frames.length;
  if (T < 2) throw new Error('the MSD needs at least two frames');
  const use = options.masses ? removeCentreOfMass(frames, options.masses) : frames;
  const axes = options.axes ?? [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const sums = [new Float64Array(T), new Float64Array(T), new Float64Array(T)];
  const series = new Float64Array(T);
  const atoms = Array.from(options.atoms);
  for (const i of atoms) {
    for (let a = 0; a < 3; a++) {
      for (let t = 0; t < T; t++) {
        const f = use[t];
        series[t] = f[3 * i] * axes[3 * a] + f[3 * i + 1] * axes[3 * a + 1] + f[3 * i + 2] * axes[3 * a + 2];
      }
      // subtract the first value: the MSD does not depend on it, and small numbers keep the FFT sums accurate
      const x0 = series[0];
      for (let t = 0; t < T; t++) series[t] -= x0;
      const m = msdOfSeries(series);
      for (let t = 0; t < T; t++) sums[a][t] += m[t];
    }
  }
  const n = Math.max(1, atoms.length);
  const [x, y, z] = sums.map((s) => s.map((v) => v / n));
  return {
    lag: Float64Array.from({ length: T }, (_, m) => m * dt),
    x,
    y,
    z,
    total: x.map((v, m) => v + y[m] + z[m]),
    atoms: atoms.length,
  };
}
