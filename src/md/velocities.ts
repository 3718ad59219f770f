import { KB, MVV_TO_EV } from './units.ts';

/**
 * Seeded uniform doubles in [0, 1) for initial conditions on the host: sfc32 (Doty-Humphrey's small fast counting
 * generator, period >= 2^32, passes PractRand), its state filled by splitmix32 from the seed.
 */
export function seededUniform(seed: number): () => number {
  let z = seed >>> 0;
  const splitmix = () => {
    z = (z + 0x9e3779b9) >>> 0;
    let t = z;
    t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
    t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
    return (t ^ (t >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = 1;
  const next32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let k = 0; k < 12; k++) next32();
  // 53 random bits per double
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
}

/** Standard normal deviates (Box-Muller) from a seed. */
export function seededNormal(seed: number): () => number {
  const next = seededUniform(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const m = Math.sqrt(-2 * Math.log(u));
    spare = m * Math.sin(2 * Math.PI * v);
    return m * Math.cos(2 * Math.PI * v);
  };
}

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
