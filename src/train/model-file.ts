import type { MtpFile } from '../io/mtp.ts';
import type { MtpModel } from '../potential/mtp/model.ts';

/** The file description of a model: `template` supplies the basis and metadata, `m` every fitted number. */
export function modelToFile(template: MtpFile, m: MtpModel): MtpFile {
  const S = m.speciesCount;
  const R = m.radialFuncsCount;
  const Q = m.radialBasisSize;
  const block = (a: number, b: number, mu: number) =>
    Array.from(m.radialCoeffs.subarray(((a * S + b) * R + mu) * Q, ((a * S + b) * R + mu + 1) * Q));
  const radialCoeffs = Array.from({ length: S }, (_, a) =>
    Array.from({ length: S }, (_, b) => Array.from({ length: R }, (_, mu) => block(a, b, mu))),
  );
  return {
    ...template,
    radialCoeffs,
    speciesCoeffs: Array.from(m.speciesCoeffs),
    momentCoeffs: Array.from(m.momentCoeffs),
  };
}
