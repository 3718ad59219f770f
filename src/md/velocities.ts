import { seededNormal } from '../model/random.ts';
import { KB, MVV_TO_EV } from '../model/units.ts';

export function kineticEnergy(velocities: ArrayLike<number>, masses: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < masses.length; i++) {
    k += 0.5 * masses[i] * (velocities[3 * i] ** 2 + velocities[3 * i + 1] ** 2 + velocities[3 * i + 2] ** 2);
  }
  return k * MVV_TO_EV;
}

/**
 * Maxwell-Boltzmann velocities (A/fs) at `temperature` K: drawn from the seed, total momentum removed, then scaled so
 * the kinetic temperature with 3N - 3 degrees of freedom is exactly the target (a reproducible start).
 */
export function maxwellBoltzmann(masses: ArrayLike<number>, temperature: number, seed: number): Float64Array {
  const n = masses.length;
  const v = new Float64Array(3 * n);
  if (n === 0 || temperature <= 0) return v;
  const normal = seededNormal(seed);
  for (let i = 0; i < n; i++) {
    const sigma = Math.sqrt((KB * temperature) / (masses[i] * MVV_TO_EV));
    for (let d = 0; d < 3; d++) v[3 * i + d] = sigma * normal();
  }
  let mtot = 0;
  const p = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    mtot += masses[i];
    for (let d = 0; d < 3; d++) p[d] += masses[i] * v[3 * i + d];
  }
  for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) v[3 * i + d] -= p[d] / mtot;
  const ndof = Math.max(1, 3 * n - 3);
  const k = kineticEnergy(v, masses);
  const scale = k > 0 ? Math.sqrt((0.5 * ndof * KB * temperature) / k) : 0;
  for (let k2 = 0; k2 < v.length; k2++) v[k2] *= scale;
  return v;
}
