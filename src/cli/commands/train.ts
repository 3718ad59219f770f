import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { type MtpFile, writeMtp } from '../../io/mtp.ts';
import { parseDispersionTail } from '../../potential/dispersion-tail.ts';
import { compileMtp } from '../../potential/mtp/model.ts';
import { toActiveSetFile } from '../../train/active-set-file.ts';
import { basisTemplate, levelOfTemplateName } from '../../train/basis.ts';
import {
  configId,
  coverageOf,
  excludeById,
  readLabelled,
  splitData,
  weightById,
  withoutDispersionTail,
} from '../../train/dataset.ts';
import { neighbourhoodActiveSet } from '../../train/descriptors.ts';
import { parameterVector, withParameters } from '../../train/gradient.ts';
import { enlargedBasis, randomRadialCoefficients } from '../../train/init.ts';
import { lbfgs } from '../../train/lbfgs.ts';
import {
  type FitErrors,
  fitErrors,
  fitLinear,
  type LabelledConfiguration,
  MLIP_WEIGHTS,
} from '../../train/linear-fit.ts';
import { modelToFile } from '../../train/model-file.ts';
import {
  type Command,
  numberOption,
  type ParsedArgs,
  SPECIES_OPTION,
  speciesOption,
  stringOption,
  UsageError,
} from '../command.ts';
import { fileSha256, loadMtpFile, readText, writeText } from '../files.ts';
import { lossFunctions } from '../loss-pool.ts';

/** SHA-256 of configurations' ids and numbers (independent of file formatting). */
function configurationsHash(data: LabelledConfiguration[]): string {
  const h = createHash('sha256');
  for (const c of data) {
    h.update(
      JSON.stringify([
        configId(c),
        c.energy,
        Array.from(c.positions),
        Array.from(c.forces),
        Array.from(c.plusStress ?? []),
        Array.from(c.cell?.lattice ?? []),
      ]),
    );
  }
  return h.digest('hex');
}

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

/** Grid search over levels and cutoffs (linear stage of each fit), printing the validation MAE table. */
function gridSearch(args: ParsedArgs, data: LabelledConfiguration[], species: string[]): number {
  const levels = (stringOption(args, 'grid-levels') ?? '8,12,16').split(',').map(Number);
  const cutoffs = (stringOption(args, 'grid-cutoffs') ?? '4.5,5.0,5.5').split(',').map(Number);
  const { train, validation } = splitData(data, numberOption(args, 'validation', 0.1), numberOption(args, 'seed', 1));
  const check = validation.length > 0 ? validation : train;
  console.log(
    `grid search (linear stage, radial coefficients random from the seed), errors on ${validation.length > 0 ? 'validation' : 'training'} data`,
  );
  console.log('level  cutoff  E MAE meV/atom  F MAE meV/A  S MAE GPa');
  for (const level of levels) {
    for (const cutoff of cutoffs) {
      const template = randomRadialCoefficients(
        basisTemplate(level, species.length, { maxDist: cutoff, minDist: numberOption(args, 'min-dist', 1.6) }),
        numberOf(args, 'seed'),
      );
      const e = fitErrors(compileMtp(fitLinear(template, train)), check);
      console.log(
        `${String(level).padStart(5)}  ${cutoff.toFixed(2).padStart(6)}  ${e.energyMeVPerAtom.mae.toFixed(3).padStart(14)}  ` +
          `${e.forceMeVPerA.mae.toFixed(3).padStart(11)}  ${(e.stressGPa?.mae ?? Number.NaN).toFixed(4).padStart(9)}`,
      );
    }
  }
  return 0;
}

const numberOf = (args: ParsedArgs, name: string) => numberOption(args, name, 1);

export const trainCommand: Command = {
  name: 'train',
  summary: 'fit an MTP to labelled data (linear stage, then all parameters by L-BFGS) and report MAE/RMSE',
  usage:
    '--data DATA.(cfg|extxyz) (--init POT.mtp [--level L] | --level 16 [--cutoff 5.0] [--min-dist 1.6]) --out NEW.mtp [--validation 0.1] [--seed 1]',
  help: [
    'Start: --init POT.mtp (a trained potential, or an untrained MLIP template whose radial coefficients are then drawn',
    "at random from --seed), or --level L: the basis of that level generated (identical to MLIP's templates) with",
    'random radial coefficients, as MLIP starts; or both, --init POT.mtp --level L: a trained potential carried into',
    'the larger basis of level L (its radial functions kept, the added ones drawn from --seed; the linear stage can',
    'reproduce it exactly). Then the linear stage: species_coeffs and moment_coeffs by regularised',
    "least squares on energies, forces and stresses with MLIP's default weights (energy 1 per atom, forces 0.01 A^2,",
    'stress 0.001 per atom); then every parameter, radial coefficients included, by L-BFGS with analytic gradients',
    '(--iterations, default 1000; stops when the loss fell by less than 0.1 % over 50 iterations; 0 = linear only).',
    'Reports errors on the training set and on a held-out validation split (--validation fraction, seeded), and saves',
    'the active set beside the potential (NAME.mtp.als.json, for lilab grade --active). --report FILE.json records',
    'the provenance: data file and its SHA-256, settings, which configurations validated, errors, time taken.',
    '--exclude REGEX leaves out configurations whose config_id matches (e.g. far-from-equilibrium cells);',
    '--first N uses only the first N configurations of an append-only dataset (reproducing an earlier fit).',
    '--grid prints validation errors of linear-stage fits over --grid-levels x --grid-cutoffs instead.',
    '--threads N splits the loss over N worker threads (default: all cores); the fit is the same for any N.',
    "--energy-weight, --force-weight, --stress-weight: the loss weights, named and defaulted as MLIP's (1, 0.01, 0.001).",
    '--weight REGEX=W (repeatable) scales the whole loss share of configurations whose config_id matches by W;',
    '--energy-weight-of REGEX=W (repeatable) their energy term alone (e.g. bicrystals, whose energy is one number',
    'against the forces of hundreds of atoms).',
    '--dispersion-tail TAIL.json fits the MTP to the labels less that long-range dispersion tail (energies, forces,',
    'virials; potential/dispersion-tail.ts): the potential written is the short-range part, to be used with the tail.',
  ].join('\n'),
  options: {
    data: { type: 'string' },
    init: { type: 'string' },
    out: { type: 'string' },
    validation: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    level: { type: 'string' },
    cutoff: { type: 'string', default: '5.0' },
    'min-dist': { type: 'string', default: '1.6' },
    grid: { type: 'boolean' },
    iterations: { type: 'string', default: '1000' },
    'grid-levels': { type: 'string', default: '8,12,16' },
    'grid-cutoffs': { type: 'string', default: '4.5,5.0,5.5' },
    species: SPECIES_OPTION,
    report: { type: 'string' },
    exclude: { type: 'string' },
    first: { type: 'string' },
    weight: { type: 'string', multiple: true },
    'energy-weight-of': { type: 'string', multiple: true },
    threads: { type: 'string' },
    'dispersion-tail': { type: 'string' },
    'energy-weight': { type: 'string', default: String(MLIP_WEIGHTS.energy) },
    'force-weight': { type: 'string', default: String(MLIP_WEIGHTS.force) },
    'stress-weight': { type: 'string', default: String(MLIP_WEIGHTS.stress) },
  },
  async run(args) {
    const dataPath = stringOption(args, 'data');
    const init = stringOption(args, 'init');
    const out = stringOption(args, 'out');
    const level = stringOption(args, 'level');
    if (dataPath && args.values.grid) {
      return gridSearch(
        args,
        readLabelled(readText(dataPath), basename(dataPath), speciesOption(args)),
        speciesOption(args),
      );
    }
    if (!dataPath || !out || (!init && !level))
      throw new UsageError('--data, --out and one of --init or --level are required');
    const species = speciesOption(args);
    const t0 = Date.now();
    const dataText = readText(dataPath);
    const exclude = stringOption(args, 'exclude');
    // the dataset is append-only: its first N configurations are exactly what existed when a potential was trained
    const first = stringOption(args, 'first');
    const everything = readLabelled(dataText, basename(dataPath), species);
    const all = first ? everything.slice(0, Number(first)) : everything;
    if (first && !(Number(first) > 0 && Number(first) <= everything.length))
      throw new UsageError(`--first ${first}: ${dataPath} has ${everything.length} configurations`);
    const weightRules = (args.values.weight as string[] | undefined) ?? [];
    const energyRules = (args.values['energy-weight-of'] as string[] | undefined) ?? [];
    let data: LabelledConfiguration[];
    try {
      data = weightById(weightById(excludeById(all, exclude), weightRules), energyRules, 'energyWeight');
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    // the configurations as the data file has them, for the report's hash
    const used = data;
    const tailPath = stringOption(args, 'dispersion-tail');
    if (tailPath) {
      data = withoutDispersionTail(data, parseDispersionTail(readText(tailPath), tailPath), species);
      console.log(`--dispersion-tail ${tailPath}: fitting the labels less the tail`);
    }
    for (const rule of weightRules) console.log(`--weight ${rule}`);
    for (const rule of energyRules) console.log(`--energy-weight-of ${rule}`);
    if (exclude)
      console.log(`--exclude ${exclude}: ${all.length - data.length} of ${all.length} configurations left out`);
    const initial = init ? loadMtpFile(init) : null;
    const initialLevel = levelOfTemplateName(initial?.potentialName ?? '');
    // --init with --level: the potential carried into a larger basis (a level it already has changes nothing)
    const enlarge = initial && level !== undefined && Number(level) !== initialLevel;
    if (enlarge && !(Number(level) > 0)) throw new UsageError(`--level ${level}: expected a level such as 16`);
    let template: MtpFile;
    try {
      template = initial
        ? enlarge
          ? enlargedBasis(initial, Number(level), numberOption(args, 'seed', 1))
          : initial.radialCoeffs
            ? initial
            : randomRadialCoefficients(initial, numberOption(args, 'seed', 1))
        : randomRadialCoefficients(
            basisTemplate(numberOption(args, 'level', 16), species.length, {
              maxDist: numberOption(args, 'cutoff', 5.0),
              minDist: numberOption(args, 'min-dist', 1.6),
            }),
            numberOption(args, 'seed', 1),
          );
    } catch (e) {
      throw new UsageError(`--init ${init} --level ${level}: ${(e as Error).message}`);
    }
    const { train, validation } = splitData(data, numberOption(args, 'validation', 0.1), numberOption(args, 'seed', 1));
    if (train.length === 0) throw new UsageError(`${dataPath}: no configurations left for training`);
    // MLIP's option names and defaults; the stress weight sets how much the lattice constants are fitted
    const weights = {
      energy: numberOption(args, 'energy-weight', MLIP_WEIGHTS.energy),
      force: numberOption(args, 'force-weight', MLIP_WEIGHTS.force),
      stress: numberOption(args, 'stress-weight', MLIP_WEIGHTS.stress),
    };
    const linear = fitLinear(template, train, { weights });
    let model = compileMtp(linear);
    const iterations = numberOption(args, 'iterations', 1000);
    let lbfgsRun = { iterations: 0, loss: Number.NaN };
    if (iterations > 0) {
      // all parameters (radial included) by L-BFGS from the linear-stage start, MLIP's stopping rule
      const start = parameterVector(model);
      const base = model;
      const loss = lossFunctions(base, train, numberOption(args, 'threads', availableParallelism()), weights);
      console.log(`L-BFGS on ${loss.threads} thread(s)`);
      const r = await lbfgs(
        (x) => loss.lossAndGradient(x),
        start,
        (x) => loss.lossOnly(x),
        {
          maxIterations: iterations,
          onIteration: (it, value) => {
            if (it % 10 === 0) console.log(`L-BFGS ${it}: loss ${value.toExponential(4)}`);
          },
        },
      ).finally(() => loss.close());
      model = withParameters(base, r.x);
      lbfgsRun = { iterations: r.iterations, loss: r.loss };
      console.log(`L-BFGS: ${r.iterations} iterations, loss ${r.loss.toExponential(4)}`);
    }
    const fitted = modelToFile(linear, model);
    const trainErrors = fitErrors(model, train);
    const validationErrors = validation.length > 0 ? fitErrors(model, validation) : null;
    for (const line of table('training', trainErrors)) console.log(line);
    if (validationErrors) for (const line of table('validation', validationErrors)) console.log(line);
    const reportPath = stringOption(args, 'report');
    if (reportPath) {
      const report = {
        data: basename(dataPath),
        dataSha256: createHash('sha256').update(dataText).digest('hex'),
        // of the configurations actually used, so that a grown file can be checked against this fit
        usedSha256: configurationsHash(used),
        dispersionTail: tailPath ? { file: basename(tailPath), sha256: fileSha256(tailPath) } : null,
        species,
        // a continued fit keeps its starting potential's level (the basis is the same); the lab's status line says it
        start: init
          ? enlarge
            ? {
                init: basename(init),
                initLevel: initialLevel,
                level: Number(level),
                seed: numberOption(args, 'seed', 1),
              }
            : { init: basename(init), level: initialLevel }
          : { level: Number(level), seed: numberOption(args, 'seed', 1) },
        cutoff: model.maxDist,
        minDist: model.minDist,
        validationFraction: numberOption(args, 'validation', 0.1),
        weights,
        configurations: { training: train.length, validation: validation.length },
        coverage: coverageOf(train),
        atoms: { training: train.reduce((n, c) => n + c.types.length, 0) },
        first: first ? Number(first) : null,
        firstLastId: configId(all[all.length - 1]),
        exclude: exclude ?? null,
        configurationWeights: weightRules,
        energyWeights: energyRules,
        validationIds: validation.map(configId),
        lbfgs: lbfgsRun,
        errors: { training: trainErrors, validation: validationErrors },
        seconds: Math.round((Date.now() - t0) / 1000),
        command: `lilab train ${process.argv.slice(3).join(' ')}`,
      };
      writeText(reportPath, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`-> ${reportPath}`);
    }
    writeText(out, writeMtp({ ...fitted, potentialName: fitted.potentialName || 'lilab_fit' }));
    console.log(`-> ${out}`);
    // the active set of the training data, for extrapolation grades (lilab grade --active)
    try {
      const { active, source } = neighbourhoodActiveSet(model, train);
      writeText(`${out}.als.json`, JSON.stringify(toActiveSetFile(active, basename(out), source)));
      console.log(`-> ${out}.als.json (active set: ${active.k} neighbourhoods)`);
    } catch (err) {
      console.log(`no active set written: ${(err as Error).message}`);
    }
    return 0;
  },
};
