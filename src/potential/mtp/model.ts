/**
 * A trained MTP in flat typed arrays, ready for evaluation on the CPU or upload to the GPU.
 * Built from the file description (src/io/mtp.ts); see test/fixtures/mtp/SPEC.md for the mathematics.
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

/** Level of each moment: basic ones by formula, contracted ones as the sum of their two factors (SPEC "Levels"). */
export function momentLevels(
  momentsCount: number,
  basic: ArrayLike<number>[] | Int32Array,
  times: [number, number, number, number][] | { i0: number; i1: number; k: number }[],
): number[] {
  const levels = new Array<number>(momentsCount).fill(0);
  const nb = basic instanceof Int32Array ? basic.length / 4 : basic.length;
  for (let b = 0; b < nb; b++) {
    const e = basic instanceof Int32Array ? basic.subarray(4 * b, 4 * b + 4) : basic[b];
    levels[b] = basicMomentLevel(e[0], e[1], e[2], e[3]);
  }
  for (const t of times) {
    const [i0, i1, k] = Array.isArray(t) ? [t[0], t[1], t[3]] : [t.i0, t.i1, t.k];
    levels[k] = levels[i0] + levels[i1];
  }
  return levels;
}

/** The potential's level: the highest level of any scalar basis function. */
export function modelLevel(model: MtpModel): number {
  const times = Array.from({ length: model.timesMult.length }, (_, n) => ({
    i0: model.times[3 * n],
    i1: model.times[3 * n + 1],
    k: model.times[3 * n + 2],
  }));
  const levels = momentLevels(model.momentsCount, model.basic, times);
  return Math.max(...Array.from(model.mapping, (k) => levels[k]));
}

/**
 * Estimated floating-point operations of one atom evaluation (energy, forces, virial) with `neighbours` neighbours,
 * counting the work of the GPU kernels (a multiply-add is 2): for quoting figures against a device's peak.
 */
export function flopsPerAtom(model: MtpModel, neighbours: number): number {
  const { radialBasisSize: Q, radialFuncsCount: R, basicCount: NB, maxPower: P } = model;
  const T = model.timesMult.length;
  const radial = 10 * Q + 4 * R * Q + 3 * P + 20;
  const momentsPerPair = radial + 6 * NB;
  const gradientPerPair = radial + 30 * NB + 20;
  const contractions = 3 * T + 6 * T + 2 * model.momentsCount;
  return neighbours * (momentsPerPair + gradientPerPair + 5) + contractions;
}
