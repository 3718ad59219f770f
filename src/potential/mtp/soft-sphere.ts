/**
 * A soft-sphere pair potential written as a level-2 MTP: V_i = A sum_j (r_ij - rc)^2 for r < rc, the same for every
 * species pair. Smooth and purely repulsive: MD with it never blows up. It is NOT a model of any material. The lab uses
 * it for tests, for integrator benchmarks, and as the clearly labelled placeholder until a trained potential is loaded.
 */
import type { MtpFile } from '../../io/mtp.ts';

export function softSphereMtpFile(species = 3, a = 0.5, rc = 3.0, name = 'soft_sphere_placeholder'): MtpFile {
  const radial = Array.from({ length: species }, () => Array.from({ length: species }, () => [[1, 0]]));
  return {
    version: '1.1.0',
    potentialName: name,
    scaling: 1,
    scalingWritten: false,
    speciesCount: species,
    potentialTag: '',
    radialBasisType: 'RBChebyshev',
    minDist: 0.1,
    maxDist: rc,
    radialBasisSize: 2,
    radialFuncsCount: 1,
    radialCoeffs: radial,
    alphaMomentsCount: 1,
    alphaIndexBasic: [[0, 0, 0, 0]],
    alphaIndexTimes: [],
    alphaMomentMapping: [0],
    speciesCoeffs: new Array(species).fill(0),
    momentCoeffs: [a],
  };
}
