import type { MtpFile } from '../io/mtp.ts';
import { seededUniform } from '../model/random.ts';

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
