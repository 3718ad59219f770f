import { basename } from 'node:path';
import { writeMtp } from '../../io/mtp.ts';
import { compileMtp } from '../../potential/mtp/model.ts';
import { readLabelled, splitData } from '../../train/dataset.ts';
import { type FitErrors, fitErrors, fitLinear } from '../../train/linear-fit.ts';
import { type Command, numberOption, stringOption, UsageError } from '../command.ts';
import { loadMtpFile, readText, writeText } from '../files.ts';

function table(label: string, e: FitErrors): string[] {
  const row = (name: string, x: { mae: number; rmse: number; max: number } | null, unit: string) =>
    x
      ? `  ${name.padEnd(8)} MAE ${x.mae.toFixed(3).padStart(9)}  RMSE ${x.rmse.toFixed(3).padStart(9)}  max ${x.max.toFixed(3).padStart(9)} ${unit}`
      : '';
  return [
    `${label} (${e.configurations} configurations):`,
    row('energy', e.energyMeVPerAtom, 'meV/atom'),
    row('forces', e.forceMeVPerA, 'meV/A'),
    row('stress', e.stressGPa, 'GPa'),
  ].filter(Boolean);
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'fit an MTP to labelled data (linear stage: species and moment coefficients) and report MAE/RMSE',
  usage: '--data DATA.(cfg|extxyz) --init POT.mtp --out NEW.mtp [--validation 0.1] [--seed 1]',
  help: [
    "Fits species_coeffs and moment_coeffs by regularised least squares on energies, forces and stresses with MLIP's",
    'default weights (energy 1 per atom, forces 0.01 A^2, stress 0.001 per atom), keeping the radial coefficients of',
    '--init. The nonlinear stage (radial coefficients by L-BFGS) is not implemented yet, so --init must carry radial',
    'coefficients (a trained potential, or a template initialised elsewhere). Reports errors on the training set and',
    'on a held-out validation split (--validation fraction, seeded).',
  ].join('\n'),
  options: {
    data: { type: 'string' },
    init: { type: 'string' },
    out: { type: 'string' },
    validation: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    species: { type: 'string', default: 'Li,P,S' },
  },
  async run(args) {
    const dataPath = stringOption(args, 'data');
    const init = stringOption(args, 'init');
    const out = stringOption(args, 'out');
    if (!dataPath || !init || !out) throw new UsageError('--data, --init and --out are required');
    const species = (stringOption(args, 'species') ?? 'Li,P,S').split(',');
    const data = readLabelled(readText(dataPath), basename(dataPath), species);
    const template = loadMtpFile(init);
    if (!template.radialCoeffs) {
      throw new UsageError(
        `${init} has no radial coefficients: fitting them (the L-BFGS stage) is not implemented yet`,
      );
    }
    const { train, validation } = splitData(data, numberOption(args, 'validation', 0.1), numberOption(args, 'seed', 1));
    if (train.length === 0) throw new UsageError(`${dataPath}: no configurations left for training`);
    const fitted = fitLinear(template, train);
    const model = compileMtp(fitted);
    for (const line of table('training', fitErrors(model, train))) console.log(line);
    if (validation.length > 0) for (const line of table('validation', fitErrors(model, validation))) console.log(line);
    writeText(out, writeMtp({ ...fitted, potentialName: fitted.potentialName || 'lilab_fit' }));
    console.log(`-> ${out}`);
    return 0;
  },
};
