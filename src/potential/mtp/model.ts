/**
 * A trained MTP in flat typed arrays, ready for evaluation on the CPU or upload to the GPU.
 * Built from the file description (src/io/mtp.ts); see ../shared/mtp/SPEC.md for the mathematics.
 */
import { isTrained, type MtpFile } from '../../io/mtp.ts';

export interface MtpModel {
  name: string;
  speciesCount: number;
  minDist: number;
  maxDist: number;
  scaling: number;
  radialBasisSize: number;
  radialFuncsCount: number;
  /** [a][b][mu][q] flattened: ((a * S + b) * R + mu) * Q + q. */
  radialCoeffs: Float64Array;
  basicCount: number;
  /** mu, p, q, t per basic moment. */
  basic: Int32Array;
  /** i0, i1, target per contraction step, and its multiplicity in `timesMult`. */
  times: Int32Array;
  timesMult: Float64Array;
  momentsCount: number;
  mapping: Int32Array;
  speciesCoeffs: Float64Array;
  momentCoeffs: Float64Array;
  /** Largest p, q or t of any basic moment (size of the power tables). */
  maxPower: number;
}

export class UntrainedPotentialError extends Error {
  override name = 'UntrainedPotentialError';
}

export function compileMtp(file: MtpFile): MtpModel {
  if (!isTrained(file)) {
    throw new UntrainedPotentialError(
      `${file.potentialName || 'this potential'} is an untrained template (no radial_coeffs/species_coeffs/moment_coeffs): train it first`,
    );
  }
  const S = file.speciesCount;
  const R = file.radialFuncsCount;
  const Q = file.radialBasisSize;
  const radialCoeffs = new Float64Array(S * S * R * Q);
  file.radialCoeffs!.forEach((row, a) => {
    row.forEach((funcs, b) => {
      funcs.forEach((c, mu) => {
        radialCoeffs.set(c, ((a * S + b) * R + mu) * Q);
      });
    });
  });
  const basic = new Int32Array(file.alphaIndexBasic.flat());
  const times = new Int32Array(file.alphaIndexTimes.length * 3);
  const timesMult = new Float64Array(file.alphaIndexTimes.length);
  file.alphaIndexTimes.forEach(([i0, i1, m, k], n) => {
    times.set([i0, i1, k], 3 * n);
    timesMult[n] = m;
  });
  let maxPower = 0;
  for (const [, p, q, t] of file.alphaIndexBasic) maxPower = Math.max(maxPower, p, q, t);
  return {
    name: file.potentialName,
    speciesCount: S,
    minDist: file.minDist,
    maxDist: file.maxDist,
    scaling: file.scaling,
    radialBasisSize: Q,
    radialFuncsCount: R,
    radialCoeffs,
    basicCount: file.alphaIndexBasic.length,
    basic,
    times,
    timesMult,
    momentsCount: file.alphaMomentsCount,
    mapping: Int32Array.from(file.alphaMomentMapping),
    speciesCoeffs: Float64Array.from(file.speciesCoeffs!),
    momentCoeffs: Float64Array.from(file.momentCoeffs!),
    maxPower,
  };
}

/** The level of a basic moment {mu, p, q, t} (SPEC: 2 + 4 mu + p + q + t). */
export function basicMomentLevel(mu: number, p: number, q: number, t: number): number {
  return 2 + 4 * mu + p + q + t;
}
