/**
 * FIRE minimiser (Bitzek et al., PRL 97, 170201 (2006)) for atomic positions at fixed cell, with the usual parameters
 * (N_min 5, f_inc 1.1, f_dec 0.5, alpha 0.1, f_alpha 0.99, dt 0.1 -> at most 1.0 in the units below) and a cap on the
 * step length. Unit masses; time in units where dx = dt * v and dv = dt * F (A, eV/A). Works with any Potential (the
 * GPU evaluator or the float64 reference).
 */
import type { Configuration } from '../model/configuration.ts';
import { buildNeighborList } from '../model/neighbors.ts';
import type { Potential } from '../potential/types.ts';

export interface FireOptions {
  /** Converged when max |F| on any atom is below this, eV/A (default 0.01). */
  fmax?: number;
  maxSteps?: number;
  /** Longest move of any atom in one step, A (default 0.2). */
  maxMove?: number;
  onStep?: (step: number, energy: number, fmax: number) => void;
  /**
   * The potential's shortest trusted distance, A (MTP: min_dist). Below it the radial basis is extrapolated and a
   * potential may fall without bound, so a relaxation that pulls two atoms closer than this (and closer than they
   * started) stops with a ContactError instead of reporting an energy of -1e7 eV.
   */
  minDistance?: number;
  /** Atoms held in place (1 = fixed): their forces are left out of the step and of the convergence test. */
  fixed?: Uint8Array;
}

/** A relaxation pulled two atoms into the range the potential was never fitted on. */
export class ContactError extends Error {
  constructor(
    readonly step: number,
    readonly atoms: [number, number],
    readonly distance: number,
    readonly minDistance: number,
  ) {
    super(
      `relaxation stopped at step ${step}: atoms ${atoms[0] + 1} and ${atoms[1] + 1} (1-based) are ` +
        `${distance.toFixed(3)} A apart, closer than the potential's min_dist (${minDistance} A), where it is ` +
        'extrapolated and its energies mean nothing; the potential has a hole there (train it on such contacts)',
    );
  }
}

/** The closest pair closer than `limit` (periodic), or null. */
function closestPair(config: Configuration, limit: number): { atoms: [number, number]; distance: number } | null {
  const nl = buildNeighborList(config.positions, config.cell, limit);
  let best: { atoms: [number, number]; distance: number } | null = null;
  for (let i = 0; i + 1 < nl.offsets.length; i++) {
    for (let k = nl.offsets[i]; k < nl.offsets[i + 1]; k++) {
      const d = Math.hypot(nl.vectors[3 * k], nl.vectors[3 * k + 1], nl.vectors[3 * k + 2]);
      if (d < limit && (!best || d < best.distance)) best = { atoms: [i, nl.index[k]], distance: d };
    }
  }
  return best;
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
  const fixed = options.fixed;
  /** Forces on the atoms that move: a fixed atom feels none, so it never starts moving. */
  const free = (f: Float64Array) => {
    if (!fixed) return f;
    const g = Float64Array.from(f);
    for (let i = 0; i < fixed.length; i++) if (fixed[i]) g.fill(0, 3 * i, 3 * i + 3);
    return g;
  };
  let r = await potential.compute(config);
  let forces = free(r.forces);
  let fm = maxForce(forces);
  let step = 0;
  // a start already inside min_dist (an unrelaxed interface) may relax outward; only moving further in is an error
  const guard = options.minDistance ?? 0;
  const startClosest = guard > 0 ? (closestPair(config, guard)?.distance ?? guard) : 0;
  for (; step < maxSteps && fm >= fmaxTarget; step++) {
    const f = forces;
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
    if (guard > 0) {
      const close = closestPair(config, guard);
      if (close && close.distance < startClosest - 1e-6)
        throw new ContactError(step + 1, close.atoms, close.distance, guard);
    }
    r = await potential.compute(config);
    forces = free(r.forces);
    fm = maxForce(forces);
    options.onStep?.(step + 1, r.energy, fm);
  }
  return { positions: Float64Array.from(x), energy: r.energy, fmax: fm, steps: step, converged: fm < fmaxTarget };
}
