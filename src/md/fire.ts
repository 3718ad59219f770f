/**
 * FIRE minimiser (Bitzek et al., PRL 97, 170201 (2006)) for atomic positions at fixed cell, with the usual parameters
 * (N_min 5, f_inc 1.1, f_dec 0.5, alpha 0.1, f_alpha 0.99, dt 0.1 -> at most 1.0 in the units below) and a cap on the
 * step length. Unit masses; time in units where dx = dt * v and dv = dt * F (A, eV/A). Works with any Potential (the
 * GPU evaluator or the float64 reference).
 */
import type { Configuration } from '../model/configuration.ts';
import type { Potential } from '../potential/types.ts';

export interface FireOptions {
  /** Converged when max |F| on any atom is below this, eV/A (default 0.01). */
  fmax?: number;
  maxSteps?: number;
  /** Longest move of any atom in one step, A (default 0.2). */
  maxMove?: number;
  onStep?: (step: number, energy: number, fmax: number) => void;
}

export interface FireResult {
  positions: Float64Array;
  energy: number;
  fmax: number;
  steps: number;
  converged: boolean;
}

function maxForce(f: Float64Array): number {
  let m = 0;
  for (let i = 0; i < f.length; i += 3) m = Math.max(m, Math.hypot(f[i], f[i + 1], f[i + 2]));
  return m;
}

export async function fireMinimize(
  potential: Potential,
  start: Configuration,
  options: FireOptions = {},
): Promise<FireResult> {
  const fmaxTarget = options.fmax ?? 0.01;
  const maxSteps = options.maxSteps ?? 2000;
  const maxMove = options.maxMove ?? 0.2;
  const config: Configuration = { ...start, positions: Float64Array.from(start.positions) };
  const x = config.positions;
  const v = new Float64Array(x.length);
  let dt = 0.1;
  const dtMax = 1.0;
  let alpha = 0.1;
  let sincePositive = 0;
  let r = await potential.compute(config);
  let fm = maxForce(r.forces);
  let step = 0;
  for (; step < maxSteps && fm >= fmaxTarget; step++) {
    const f = r.forces;
    let power = 0;
    let vv = 0;
    let ff = 0;
    for (let k = 0; k < x.length; k++) {
      power += f[k] * v[k];
      vv += v[k] * v[k];
      ff += f[k] * f[k];
    }
    if (power > 0) {
      const mix = Math.sqrt(vv / ff);
      for (let k = 0; k < x.length; k++) v[k] = (1 - alpha) * v[k] + alpha * f[k] * mix;
      if (++sincePositive > 5) {
        dt = Math.min(dt * 1.1, dtMax);
        alpha *= 0.99;
      }
    } else {
      v.fill(0);
      dt *= 0.5;
      alpha = 0.1;
      sincePositive = 0;
    }
    // semi-implicit Euler, then cap the longest displacement
    for (let k = 0; k < x.length; k++) v[k] += dt * f[k];
    let longest = 0;
    for (let k = 0; k < x.length; k += 3) longest = Math.max(longest, dt * Math.hypot(v[k], v[k + 1], v[k + 2]));
    const scale = longest > maxMove ? maxMove / longest : 1;
    for (let k = 0; k < x.length; k++) x[k] += scale * dt * v[k];
    r = await potential.compute(config);
    fm = maxForce(r.forces);
    options.onStep?.(step + 1, r.energy, fm);
  }
  return { positions: Float64Array.from(x), energy: r.energy, fmax: fm, steps: step, converged: fm < fmaxTarget };
}
