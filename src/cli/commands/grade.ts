import { basename } from 'node:path';
import { writeCfg } from '../../io/cfg.ts';
import { parseExtxyz } from '../../io/extxyz.ts';
import type { Configuration } from '../../model/configuration.ts';
import { fromActiveSetFile } from '../../train/active-set-file.ts';
import { readLabelled } from '../../train/dataset.ts';
import { atomGrades, neighbourhoodActiveSet } from '../../train/descriptors.ts';
import type { ActiveSet } from '../../train/maxvol.ts';
import { type Command, numberOption, SPECIES_OPTION, speciesOption, stringOption, UsageError } from '../command.ts';
import { potentialOrDefault } from '../default-potential.ts';
import { loadPotential, readText, writeText } from '../files.ts';

export const gradeCommand: Command = {
  name: 'grade',
  summary: 'MaxVol extrapolation grade of configurations against the training set; select those above a threshold',
  usage:
    '[--potential POT.mtp] (--train DATA | --active POT.mtp.als.json) --data FRAMES.extxyz [--threshold 2] [--select-out NEW.cfg]',
  help: [
    'The active set is chosen by MaxVol among the atomic neighbourhoods of the training data (rows: derivatives of',
    "the site energy by the linear parameters). A frame's grade is the largest grade of its neighbourhoods: <= 1",
    'inside the training span, > 1 outside it (MLIP: 2 or more asks for a new DFT label). --select-out writes the',
    'frames above --threshold as a .cfg for labelling. Without --potential: the shipped default and its active set.',
  ].join('\n'),
  options: {
    potential: { type: 'string' },
    train: { type: 'string' },
    active: { type: 'string' },
    data: { type: 'string' },
    threshold: { type: 'string', default: '2' },
    'select-out': { type: 'string' },
    species: SPECIES_OPTION,
  },
  async run(args) {
    const given = stringOption(args, 'potential');
    const pot = potentialOrDefault(given);
    const trainPath = stringOption(args, 'train');
    // the default potential's active set ships beside it
    const activePath = stringOption(args, 'active') ?? (given || trainPath ? undefined : `${pot}.als.json`);
    const dataPath = stringOption(args, 'data');
    if (!dataPath || (!trainPath && !activePath))
      throw new UsageError('--data and one of --train or --active are required');
    const species = speciesOption(args);
    const potential = loadPotential(pot);
    const { model } = potential;
    const P = model.speciesCount + model.mapping.length;
    let active: ActiveSet;
    if (activePath) {
      active = fromActiveSetFile(readText(activePath), activePath);
      if (active.k !== P) throw new UsageError(`${activePath} has ${active.k} parameters, the potential ${P}`);
    } else {
      const path = trainPath!;
      active = neighbourhoodActiveSet(model, readLabelled(readText(path), basename(path), species)).active;
    }
    const threshold = numberOption(args, 'threshold', 2);
    const frames = parseExtxyz(readText(dataPath), basename(dataPath), species);
    const selected: Configuration[] = [];
    frames.forEach((f, k) => {
      const c: Configuration = {
        types: f.structure.types,
        positions: f.structure.positions,
        cell: f.structure.cell,
        features: [],
      };
      const g = atomGrades(model, active, c);
      let atom = 0;
      for (let i = 1; i < g.length; i++) if (g[i] > g[atom]) atom = i;
      const worst = g[atom];
      console.log(
        `frame ${k + 1}: grade ${worst.toFixed(3)} (atom ${atom + 1})${worst > threshold ? '  -> select' : ''}`,
      );
      if (worst > threshold) selected.push({ ...c, features: [['grade', worst.toFixed(4)]] });
    });
    const out = stringOption(args, 'select-out');
    if (out) {
      writeText(out, writeCfg(selected));
      console.log(`${selected.length} frames above ${threshold} -> ${out}`);
    }
    return 0;
  },
};
