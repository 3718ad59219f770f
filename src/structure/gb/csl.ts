/**
 * Coincidence-site-lattice rotations in lattice-index space, as for a cubic lattice with the same integer axis
 * (the aimsgb construction; H. Grimmer, Acta Cryst. A40 (1984) 108): for an axis [uvw] with N = u^2 + v^2 + w^2,
 * every coprime (m, n) gives Sigma = odd part of (m^2 + N n^2) and the rotation angle theta = 2 atan(n sqrt(N) / m).
 */
import { gcd, type IVec, oddPart } from './index-math.ts';

export interface CslRotation {
  sigma: number;
  m: number;
  n: number;
  /** degrees, in (0, 180] */
  angle: number;
}

export function cslRotations(axis: IVec, maxSigma: number): CslRotation[] {
  const N = axis[0] ** 2 + axis[1] ** 2 + axis[2] ** 2;
  const out: CslRotation[] = [];
  const limit = Math.ceil(Math.sqrt(4 * maxSigma * 4)) + 2;
  for (let m = 0; m <= limit; m++) {
    for (let n = 1; n <= limit; n++) {
      if (gcd(m, n) !== 1) continue;
      const sigma = oddPart(m * m + N * n * n);
      if (sigma <= 1 || sigma > maxSigma) continue;
      const angle = m === 0 ? 180 : (2 * Math.atan((n * Math.sqrt(N)) / m) * 180) / Math.PI;
      out.push({ sigma, m, n, angle });
    }
  }
  return out.sort((a, b) => a.sigma - b.sigma || a.angle - b.angle);
}

/** The distinct rotation angles (degrees) of one Sigma about an axis, smallest first. */
export function sigmaAngles(axis: IVec, sigma: number): number[] {
  const angles = cslRotations(axis, sigma)
    .filter((r) => r.sigma === sigma)
    .map((r) => r.angle);
  const distinct: number[] = [];
  for (const a of angles.sort((x, y) => x - y)) if (!distinct.some((d) => Math.abs(d - a) < 1e-6)) distinct.push(a);
  return distinct;
}
