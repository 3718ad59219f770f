/**
 * Diffusion coefficients from MSD curves: D_a = slope / 2 for each axis (MSD_a = 2 D_a t), D = slope(total) / 6,
 * fitted over a window [start, end] that skips the ballistic start and the noisy long-lag end.
 *
 * Uncertainty: the trajectory is cut into M independent blocks, D is fitted in each, and the error of the mean is
 * s / sqrt(M) scaled by t(95%, M-1) / 1.96 so that +-2 sigma is a 95% interval even for few blocks (a plain s/sqrt(M)
 * would be over-confident: with 5 blocks, +-2 s/sqrt(M) covers only 88%).
 */
import { fitLine, studentT95 } from './fit.ts';
import { computeMsd, type MsdCurves, type MsdOptions } from './msd.ts';

export interface DiffusionEstimate {
  /** A^2/fs */
  value: number;
  error: number;
}

export interface DiffusionResult {
  x: DiffusionEstimate;
  y: DiffusionEstimate;
  z: DiffusionEstimate;
  total: DiffusionEstimate;
  window: [number, number];
  blocks: number;
}

/** 1 A^2/fs in cm^2/s. */

function slopeInWindow(lag: ArrayLike<number>, msd: ArrayLike<number>, start: number, end: number): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let m = 0; m < lag.length; m++) {
    if (lag[m] >= start && lag[m] <= end) {
      xs.push(lag[m]);
      ys.push(msd[m]);
    }
  }
  if (xs.length < 2) throw new Error(`fewer than two MSD points in the fit window [${start}, ${end}] fs`);
  return fitLine(xs, ys).slope;
}

export function diffusionFromCurves(
  c: MsdCurves,
  start: number,
  end: number,
): { x: number; y: number; z: number; total: number } {
  return {
    x: slopeInWindow(c.lag, c.x, start, end) / 2,
    y: slopeInWindow(c.lag, c.y, start, end) / 2,
    z: slopeInWindow(c.lag, c.z, start, end) / 2,
    total: slopeInWindow(c.lag, c.total, start, end) / 6,
  };
}

/**
 * D per axis and total from unwrapped frames every `dt` fs, fitted in [start, end] fs, with block uncertainties.
 * Central values come from the whole trajectory (all origins).
 */
export function estimateDiffusion(
  frames: Float64Array[],
  dt: number,
  options: MsdOptions & { start: number; end: number; blocks?: number },
): DiffusionResult & { curves: MsdCurves } {
  const M = options.blocks ?? 8;
  const curves = computeMsd(frames, dt, options);
  const whole = diffusionFromCurves(curves, options.start, options.end);
  const len = Math.floor(frames.length / M);
  if ((len - 1) * dt < options.end) {
    throw new Error(
      `blocks of ${len} frames (${((len - 1) * dt).toFixed(0)} fs) are shorter than the fit window end ${options.end} fs: ` +
        'use fewer blocks or a shorter window',
    );
  }
  const per: { x: number; y: number; z: number; total: number }[] = [];
  for (let b = 0; b < M; b++) {
    const c = computeMsd(frames.slice(b * len, (b + 1) * len), dt, options);
    per.push(diffusionFromCurves(c, options.start, options.end));
  }
  const estimate = (key: 'x' | 'y' | 'z' | 'total'): DiffusionEstimate => {
    const vals = per.map((p) => p[key]);
    const mean = vals.reduce((s, v) => s + v, 0) / M;
    const sd = Math.sqrt(vals.reduce((s, v) => s + (v - mean) ** 2, 0) / (M - 1));
    return { value: whole[key], error: ((sd / Math.sqrt(M)) * studentT95(M - 1)) / 1.96 };
  };
  return {
    x: estimate('x'),
    y: estimate('y'),
    z: estimate('z'),
    total: estimate('total'),
    window: [options.start, options.end],
    blocks: M,
    curves,
  };
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
