import { basename } from 'node:path';
import { configId, configKind, excludeById, readLabelled, withoutDispersionTail } from '../../train/dataset.ts';
import { type ErrorSummary, type FitErrors, fitErrors } from '../../train/linear-fit.ts';
import { type Command, SPECIES_OPTION, speciesOption, stringOption, UsageError } from '../command.ts';
import { potentialOrDefault } from '../default-potential.ts';
import { loadPotential, readText } from '../files.ts';

function row(name: string, e: FitErrors): string {
  const f = (x: number, d: number, w: number) => (Number.isFinite(x) ? x.toFixed(d) : '-').padStart(w);
  return (
    `${name.padEnd(22)} ${String(e.configurations).padStart(4)}  ${f(e.energyMeVPerAtom.mae, 2, 9)}  ` +
    `${f(e.energyMeVPerAtom.mean, 2, 9)}  ` +
    `${f(e.forceMeVPerA.mae, 1, 9)}  ${f(e.forceMeVPerA.rmse, 1, 9)}  ${f(e.stressGPa?.mae ?? Number.NaN, 3, 8)}  ` +
    `${f(e.selectedForceMeVPerA?.mae ?? Number.NaN, 1, 9)}`
  );
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'errors of a potential on labelled data (energy, forces, stress MAE), by kind of configuration',
  usage: '[--potential POT.mtp] --data DATA.(extxyz|cfg) [--only REGEX] [--exclude REGEX] [--json]',
  help: [
    'For a validation table: run it on configurations the potential was not trained on (e.g. labelled after it was',
    'trained, or the ids in its training report). Kinds are config_id without the trailing counter. Units: energy',
    'meV/atom, forces meV/A (components), stress GPa; "E bias" the mean signed energy error (potential minus the',
    'labels: negative where the potential puts the configurations too low); "F sel" the force MAE of the atoms a',
    "per-atom `selected` column marks (a neighbourhood cell's chosen atom, whose surroundings are the boundary's;",
    "'-' where none).",
    'Without --potential: the shipped default.',
    '--dispersion-tail TAIL.json: the potential is the short-range part of one fitted with that tail; the errors are',
    'those of the two together.',
    '--json prints one JSON object instead: for each kind and for all, the count and the MAE, RMSE, largest error and mean',
    "signed error of energy, forces, stress and the selected atoms' forces (null where the data has none).",
  ].join('\n'),
  options: {
    potential: { type: 'string' },
    data: { type: 'string' },
    only: { type: 'string' },
    exclude: { type: 'string' },
    species: SPECIES_OPTION,
    json: { type: 'boolean' },
    'dispersion-tail': { type: 'string' },
  },
  async run(args) {
    const dataPath = stringOption(args, 'data');
    if (!dataPath) throw new UsageError('--data is required');
    const species = speciesOption(args);
    const { model, tail } = loadPotential(
      potentialOrDefault(stringOption(args, 'potential')),
      stringOption(args, 'dispersion-tail'),
      species,
    );
    let data = excludeById(
      readLabelled(readText(dataPath), basename(dataPath), species),
      stringOption(args, 'exclude'),
    );
    const only = stringOption(args, 'only');
    if (only) data = data.filter((c) => new RegExp(only).test(configId(c)));
    if (data.length === 0) throw new UsageError(`${dataPath}: no configurations selected`);
    if (tail) data = withoutDispersionTail(data, tail, species);
    const kinds = new Map<string, typeof data>();
    for (const c of data) kinds.set(configKind(c), [...(kinds.get(configKind(c)) ?? []), c]);
    const sorted = [...kinds].sort(([a], [b]) => a.localeCompare(b));
    if (args.values.json) {
      const finite = (v: number) => (Number.isFinite(v) ? v : null);
      const stats = (x: ErrorSummary | null) =>
        x && { mae: finite(x.mae), rmse: finite(x.rmse), max: finite(x.max), mean: finite(x.mean) };
      const json = (e: FitErrors) => ({
        configurations: e.configurations,
        energy_meV_atom: stats(e.energyMeVPerAtom),
        force_meV_A: stats(e.forceMeVPerA),
        stress_GPa: stats(e.stressGPa),
        selected_force_meV_A: stats(e.selectedForceMeVPerA),
      });
      const result = {
        data: dataPath,
        kinds: Object.fromEntries(sorted.map(([kind, list]) => [kind, json(fitErrors(model, list))])),
        all: json(fitErrors(model, data)),
      };
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    console.log(
      `${'kind'.padEnd(22)} ${'n'.padStart(4)}  ${'E MAE'.padStart(9)}  ${'E bias'.padStart(9)}  ${'F MAE'.padStart(9)}  ${'F RMSE'.padStart(9)}  ${'S MAE'.padStart(8)}  ${'F sel'.padStart(9)}`,
    );
    for (const [kind, list] of sorted) console.log(row(kind, fitErrors(model, list)));
    console.log(row('all', fitErrors(model, data)));
    return 0;
  },
};
