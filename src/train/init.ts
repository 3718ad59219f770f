import type { MtpFile } from '../io/mtp.ts';
import { seededUniform } from '../model/random.ts';
import { basisTemplate } from './basis.ts';

/**
 * Radial coefficients drawn uniformly from [-0.01, 0.01] with a seed, for every species pair and radial function, as
 * MLIP starts a fit from scratch. The same seed gives the same start.
 */
export function randomRadialCoefficients(template: MtpFile, seed: number): MtpFile {
  const rand = seededUniform(seed);
  const S = template.speciesCount;
  const radialCoeffs = Array.from({ length: S }, () =>
    Array.from({ length: S }, () =>
      Array.from({ length: template.radialFuncsCount }, () =>
        Array.from({ length: template.radialBasisSize }, () => 0.02 * rand() - 0.01),
      ),
    ),
  );
  return { ...template, radialCoeffs };
}

/**
 * A trained potential's start in a larger basis: the basis of `level` (basisTemplate, the cutoffs and radial basis
 * size kept), the potential's radial functions as they are and the level's added ones drawn as randomRadialCoefficients
 * draws them. Every basis function of the smaller level is one of the larger's with the same radial functions, so the
 * linear stage that follows can reproduce the potential exactly and can only lower its loss; L-BFGS then moves all.
 * The linear coefficients are left to that stage.
 */
export function enlargedBasis(from: MtpFile, level: number, seed: number): MtpFile {
  if (!from.radialCoeffs) throw new Error('a larger basis needs a trained potential (its radial coefficients)');
  const target = basisTemplate(level, from.speciesCount, {
    minDist: from.minDist,
    maxDist: from.maxDist,
    radialBasisSize: from.radialBasisSize,
  });
  if (
    target.radialFuncsCount < from.radialFuncsCount ||
    target.alphaMomentMapping.length < from.alphaMomentMapping.length
  )
    throw new Error(
      `level ${level} has ${target.alphaMomentMapping.length} basis functions of ${target.radialFuncsCount} radial ` +
        `functions, fewer than the potential's ${from.alphaMomentMapping.length} of ${from.radialFuncsCount}: not a larger basis`,
    );
  const drawn = randomRadialCoefficients(target, seed).radialCoeffs!;
  const radialCoeffs = drawn.map((row, a) =>
    row.map((funcs, b) => funcs.map((c, mu) => (mu < from.radialFuncsCount ? [...from.radialCoeffs![a][b][mu]] : c))),
  );
  return { ...target, radialCoeffs, speciesCoeffs: null, momentCoeffs: null };
}
