/**
 * Diffusion coefficients from unwrapped frames: D_a = slope / 2 for each axis (MSD_a = 2 D_a t), D = slope(total) / 6,
 * fitted over a window [start, end] that skips the ballistic start and the noisy long-lag end, by generalised least
 * squares with the MSD's own covariance (msd-regression.ts, which says why and what the error leaves out).
 */
import { computeMsd, type MsdCurves, type MsdOptions } from './msd.ts';
import { type AxisEstimate, regressDiffusion } from './msd-regression.ts';

export type DiffusionEstimate = AxisEstimate;

export interface DiffusionResult {
  x: DiffusionEstimate;
  y: DiffusionEstimate;
  z: DiffusionEstimate;
  total: DiffusionEstimate;
  window: [number, number];
}

/** Default fit window as fractions of the run: past the ballistic start, and short of the lags few origins cover. */
export const FIT_WINDOW = { from: 0.1, to: 0.5 } as const;

/** D per axis and total (A^2/fs, 1 sigma) from unwrapped frames every `dt` fs, fitted in [start, end] fs. */
export function estimateDiffusion(
  frames: Float64Array[],
  dt: number,
  options: MsdOptions & { start: number; end: number },
): DiffusionResult & { curves: MsdCurves } {
  const curves = computeMsd(frames, dt, options);
  const r = regressDiffusion(curves, {
    dt,
    frames: frames.length,
    atoms: curves.atoms,
    start: options.start,
    end: options.end,
  });
  return { x: r.x, y: r.y, z: r.z, total: r.total, window: r.window, curves };
}

/**
 * Isotropy of diffusion at a grain boundary: D_normal / D_in-plane, with D_in-plane the mean of the two in-plane
 * axes. Below 1: transport along the boundary plane is faster than across it. For bulk, `anisotropy` (max/min of
 * the three axes) says how far from isotropic the crystal is.
 */
export function isotropy(
  d: { x: number; y: number; z: number },
  normal: 'x' | 'y' | 'z',
): { isotropy: number; anisotropy: number } {
  const axes = { x: d.x, y: d.y, z: d.z };
  const inPlane = (Object.keys(axes) as ('x' | 'y' | 'z')[]).filter((k) => k !== normal).map((k) => axes[k]);
  const vals = [d.x, d.y, d.z];
  return {
    isotropy: axes[normal] / ((inPlane[0] + inPlane[1]) / 2),
    anisotropy: Math.max(...vals) / Math.min(...vals),
  };
}
