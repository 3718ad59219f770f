/**
 * D from an MSD curve by generalised least squares with the curve's own covariance.
 *
 * The MSD at nearby lags is averaged over nearly the same displacements, so its errors are strongly correlated:
 * ordinary least squares on the curve treats 30 points as 30 independent measurements and states too small an error,
 * and cutting the run into blocks wastes the long lags. Here the covariance of the MSD estimates is computed for the
 * model every diffusion analysis assumes at long times, each atom's coordinate a random walk W(t) (diffusion
 * coefficient D) plus uncorrelated vibration noise of variance s^2 per frame (so MSD(t) = 2 D t + 2 s^2), and the line
 * MSD = c + k t is fitted with that covariance (the approach of Bullerjahn, von Buelow and Hummer, J. Chem. Phys. 153,
 * 024116 (2020), and of kinisi, McCluskey et al., arXiv 2305.18244, which samples the same likelihood instead).
 *
 * For two lags a <= b (frames) and origins s, s + u, the displacements over [s, s+a] and [s+u, s+u+b] have covariance
 *   C(u) = 2 D dt ov(u) + s^2 [delta(u = a-b) - delta(u = a) - delta(u = -b) + delta(u = 0)],
 * ov(u) the length (frames) of the overlap of the two intervals; for Gaussian displacements Cov(A^2, B^2) = 2 C^2, so
 *   Cov(MSD_a, MSD_b) = 2 / (N n_a n_b) sum_u m(u) C(u)^2,
 * n the number of origins of each lag, m(u) the number of origin pairs u apart and N the number of atoms (taken as
 * independent). This is exact for every lag and run length when every frame is an origin; for a correlator whose
 * origins are spaced (streaming-msd.ts), m(u) is taken at the origins' mean density, which holds for lags longer
 * than the spacing (always true there). D and s^2 enter the covariance, so the fit is iterated from an ordinary
 * least-squares start. Per axis; for the total (x + y + z) the three axes' covariances add.
 *
 * What the model leaves out, and so what the error leaves out: correlations between different Li (collective
 * hops), vibrations correlated over more than a frame (negligible once lags exceed ~100 fs), and the non-Gaussian
 * shape of displacements after few hops (a few per cent for lags of ten hops or more).
 * A test over many seeds of a lattice random walk with vibration checks that +-1 sigma covers the truth 68 % of
 * the time (test/msd-regression.test.ts).
 */
import { choleskySolve } from '../model/linalg.ts';
import { fitLine } from './fit.ts';

export type DiffusionAxis = 'x' | 'y' | 'z' | 'total';

export interface MsdSeries {
  /** Lags, fs, integer multiples of the frame interval. */
  lag: ArrayLike<number>;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  z: ArrayLike<number>;
  /** Origins averaged at each lag; omit when every frame is an origin (n = frames - lag). */
  origins?: ArrayLike<number>;
}

export interface RegressionOptions {
  /** Frame interval, fs. */
  dt: number;
  /** Frames in the trajectory (the first is time 0). */
  frames: number;
  /** Atoms averaged. */
  atoms: number;
  /** Fit window, fs. */
  start: number;
  end: number;
  /** Lags used at most, evenly spread over the window (default 24: more adds nothing the covariance does not know). */
  maxPoints?: number;
}

export interface AxisEstimate {
  /** A^2/fs */
  value: number;
  /** 1 sigma, A^2/fs */
  error: number;
  /** Fitted MSD at lag 0, A^2 (vibration and the ballistic start): 2 s^2 per axis. */
  intercept: number;
}

export interface RegressionResult {
  x: AxisEstimate;
  y: AxisEstimate;
  z: AxisEstimate;
  total: AxisEstimate;
  /** Lags (fs) the fit used. */
  lags: number[];
  window: [number, number];
}

const ITERATIONS = 4;

/** Indices of up to `max` lags within [start, end], evenly spread. */
function windowIndices(lag: ArrayLike<number>, start: number, end: number, max: number): number[] {
  const inside: number[] = [];
  for (let m = 0; m < lag.length; m++) if (lag[m] > 0 && lag[m] >= start && lag[m] <= end) inside.push(m);
  if (inside.length <= max) return inside;
  const out = new Set<number>();
  for (let k = 0; k < max; k++) out.add(inside[Math.round((k * (inside.length - 1)) / (max - 1))]);
  return [...out];
}

/** Sum of f(u) over the integers p..q, exact when f is a polynomial of degree 3 or less there (Newton's series). */
function sumCubic(f: (u: number) => number, p: number, q: number): number {
  const n = q - p;
  if (n < 0) return 0;
  if (n < 4) {
    let s = 0;
    for (let u = p; u <= q; u++) s += f(u);
    return s;
  }
  const v = [f(p), f(p + 1), f(p + 2), f(p + 3)];
  const d1 = v[1] - v[0];
  const d2 = v[2] - 2 * v[1] + v[0];
  const d3 = v[3] - 3 * v[2] + 3 * v[1] - v[0];
  // sum_{k=0}^{n} C(k, j) = C(n + 1, j + 1)
  const m = n + 1;
  return (
    v[0] * m + (d1 * m * (m - 1)) / 2 + (d2 * m * (m - 1) * (m - 2)) / 6 + (d3 * m * (m - 1) * (m - 2) * (m - 3)) / 24
  );
}

/**
 * Covariance matrix (A^4) of the MSD at `lags` (frames) of one axis for a random walk of `d` A^2/fs with vibration
 * variance `s2` A^2, averaged over `atoms`, `origins[k]` origins at lag k spread over `frames` frames. The sum over
 * origin offsets u is taken piece by piece in closed form (overlap and pair count are linear between the lags'
 * breakpoints), so the cost does not grow with the lags.
 */
export function msdCovariance(
  lags: number[],
  origins: number[],
  frames: number,
  dt: number,
  atoms: number,
  d: number,
  s2: number,
): Float64Array {
  const n = lags.length;
  const cov = new Float64Array(n * n);
  const w = 2 * d * dt; // variance added per frame of overlap, A^2
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const a = Math.min(lags[i], lags[j]);
      const b = Math.max(lags[i], lags[j]);
      // origins of each lag at their mean density over their range [0, frames - lag)
      const ra = frames - a;
      const rb = frames - b;
      const density = (origins[i] / (frames - lags[i])) * (origins[j] / (frames - lags[j]));
      // origin pairs (s, s + u) with s in [0, ra) and s + u in [0, rb); overlap of [s, s+a] with [s+u, s+u+b]
      const pairs = (u: number) => Math.max(0, Math.min(ra, rb - u) - Math.max(0, -u));
      const ov = (u: number) => Math.max(0, Math.min(a, u + b) - Math.max(0, u));
      const walk = (u: number) => pairs(u) * (w * ov(u)) ** 2;
      const lo = Math.max(-b, -ra);
      const hi = Math.min(a, rb);
      const cuts = [...new Set([lo, a - b, 0, hi].filter((u) => u >= lo && u <= hi))].sort((x, y) => x - y);
      let sum = 0;
      for (let k = 0; k + 1 < cuts.length; k++) sum += sumCubic(walk, cuts[k], cuts[k + 1] - 1);
      sum += walk(cuts[cuts.length - 1]);
      // the vibration's terms, at the offsets where two of the four frames coincide
      const noise = new Map<number, number>();
      for (const [u, e] of [
        [a - b, 1],
        [a, -1],
        [-b, -1],
        [0, 1],
      ] as const)
        noise.set(u, (noise.get(u) ?? 0) + e);
      for (const [u, e] of noise) {
        if (e === 0) continue;
        const c = w * ov(u);
        sum += pairs(u) * (2 * c * s2 * e + (s2 * e) ** 2);
      }
      const v = (2 * density * sum) / (atoms * origins[i] * origins[j]);
      cov[i * n + j] = v;
      cov[j * n + i] = v;
    }
  }
  return cov;
}

/** Line c + k t fitted to y with covariance `cov`: parameters and the variance of k. */
function gls(t: number[], y: number[], cov: Float64Array): { c: number; k: number; varK: number } {
  const n = t.length;
  // a jitter of 1e-10 of the mean variance keeps the Cholesky factor defined when neighbouring lags are nearly equal
  let trace = 0;
  for (let i = 0; i < n; i++) trace += cov[i * n + i];
  const jitter = (1e-10 * trace) / n;
  const ones = choleskySolve(cov, new Float64Array(n).fill(1), n, jitter);
  const ts = choleskySolve(cov, Float64Array.from(t), n, jitter);
  let s11 = 0;
  let s1t = 0;
  let stt = 0;
  let s1y = 0;
  let sty = 0;
  for (let i = 0; i < n; i++) {
    s11 += ones[i];
    s1t += ts[i];
    stt += ts[i] * t[i];
    s1y += ones[i] * y[i];
    sty += ts[i] * y[i];
  }
  const det = s11 * stt - s1t * s1t;
  return { c: (stt * s1y - s1t * sty) / det, k: (s11 * sty - s1t * s1y) / det, varK: s11 / det };
}

/** Per-axis and total D (MSD_a = 2 D_a t, MSD = 6 D t) with 1-sigma errors from the MSD's covariance. */
export function regressDiffusion(series: MsdSeries, options: RegressionOptions): RegressionResult {
  const { dt, frames, atoms, start, end } = options;
  if (!(atoms > 0)) throw new Error('the MSD regression needs at least one atom');
  const idx = windowIndices(series.lag, start, end, options.maxPoints ?? 24);
  if (idx.length < 3)
    throw new Error(
      `fewer than three MSD points in the fit window [${start}, ${end}] fs: lengthen the run or widen it`,
    );
  const t = idx.map((m) => series.lag[m]);
  const lagFrames = t.map((v) => Math.round(v / dt));
  if (lagFrames.some((l) => l >= frames)) throw new Error('an MSD lag is longer than the trajectory');
  const origins = idx.map((m, k) => (series.origins ? series.origins[m] : frames - lagFrames[k]));
  const covs: Float64Array[] = [];
  const axis = (values: ArrayLike<number>): AxisEstimate => {
    const y = idx.map((m) => values[m]);
    const start0 = fitLine(t, y);
    let [c, k] = [start0.intercept, start0.slope];
    let fit = { c, k, varK: 0 };
    let cov: Float64Array = new Float64Array(0);
    for (let it = 0; it < ITERATIONS; it++) {
      // a negative slope or intercept is noise around zero: the covariance takes the nearest physical values, and a
      // floor of 1e-6 A^2 on the vibration keeps it positive definite for atoms that never move
      cov = msdCovariance(lagFrames, origins, frames, dt, atoms, Math.max(k, 0) / 2, Math.max(c / 2, 1e-6));
      fit = gls(t, y, cov);
      ({ c, k } = fit);
    }
    covs.push(cov);
    return { value: fit.k / 2, error: Math.sqrt(fit.varK) / 2, intercept: fit.c };
  };
  const x = axis(series.x);
  const y = axis(series.y);
  const z = axis(series.z);
  const n = idx.length;
  const covTotal = new Float64Array(n * n);
  for (const c of covs) for (let i = 0; i < n * n; i++) covTotal[i] += c[i];
  const tot = gls(
    t,
    idx.map((m) => series.x[m] + series.y[m] + series.z[m]),
    covTotal,
  );
  return {
    x,
    y,
    z,
    total: { value: tot.k / 6, error: Math.sqrt(tot.varK) / 6, intercept: tot.c },
    lags: t,
    window: [start, end],
  };
}
