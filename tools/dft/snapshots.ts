import { type Command, numberValue, stringOption, UsageError } from '../../src/cli/command.ts';
import { nodeGpuContext } from '../../src/gpu/node-gpu.ts';
import { formatExtxyzFrame } from '../../src/io/extxyz.ts';
import { seededUniform } from '../../src/model/random.ts';
import { LI_P_S } from '../../src/model/species.ts';
import { toConfiguration } from '../../src/model/structure.ts';
import { betaLi3PS4 } from '../../src/structure/li3ps4.ts';
import { frenkelPair } from '../../src/structure/point-defects.ts';
import { repeatStructure } from '../../src/structure/supercell.ts';
import { sampleAndPick, wrapped } from './sample-md.ts';
import {
  APPEND_OPTION,
  loadGradedPotential,
  outputAndPotential,
  POTENTIAL_OPTIONS,
  pickOption,
  writeSampledFrames,
} from './tool-args.ts';

export const snapshotsCommand: Command = {
  name: 'snapshots',
  summary: 'graded MD frames of the 64-atom crystal (optionally with a Frenkel pair) at several temperatures, to label',
  usage:
    'OUT.extxyz [--append] --potential POT.mtp [--dispersion-tail TAIL.json] [--prefix r3] [--temperatures 300,800,2000] [--ps 3] [--per-temperature 8] [--spacing 200] [--seed 1] [--defect S|Li|P] [--pick grade|even]',
  help: [
    'MD (CSVR, 1 fs, seed SEED+T) of beta-Li3PS4 1x1x2 per temperature, graded every 50 fs against POT.mtp.als.json;',
    '--per-temperature frames each, by grade or evenly (--pick). Ids: PREFIX-mdT-NN, or PREFIX-<species><atom>frenkel-mdT-NN.',
  ].join('\n'),
  options: {
    ...APPEND_OPTION,
    ...POTENTIAL_OPTIONS,
    prefix: { type: 'string', default: 'r3' },
    temperatures: { type: 'string', default: '300,800,2000' },
    ps: { type: 'string', default: '3' },
    'per-temperature': { type: 'string', default: '8' },
    spacing: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    defect: { type: 'string' },
    pick: { type: 'string', default: 'grade' },
  },
  async run(args) {
    const { out, potentialPath, tailPath } = outputAndPotential(args);
    const prefix = stringOption(args, 'prefix')!;
    const temperatures = stringOption(args, 'temperatures')!.split(',').map(Number);
    const seed = numberValue(args, 'seed');
    const defect = stringOption(args, 'defect');
    const how = {
      pick: pickOption(args),
      count: numberValue(args, 'per-temperature'),
      spacing: numberValue(args, 'spacing'),
    };
    const { potential, active } = loadGradedPotential(potentialPath, tailPath);
    const crystal = repeatStructure(betaLi3PS4(), 1, 1, 2);
    let base = crystal;
    let defectNote = '';
    let kind = 'md';
    if (defect) {
      const candidates = [...crystal.types.keys()].filter((i) => crystal.species[crystal.types[i]] === defect);
      if (candidates.length === 0) throw new UsageError(`--defect ${defect}: no atom of that species in beta-Li3PS4`);
      const atom = candidates[Math.floor(seededUniform(seed)() * candidates.length)];
      const pair = frenkelPair(crystal, atom);
      base = pair.structure;
      defectNote = `, ${defect} Frenkel pair (atom ${atom} moved ${pair.moved.toFixed(2)} A into a void ${pair.distance.toFixed(2)} A from its nearest atom)`;
      kind = `${defect}${atom}frenkel-md`;
      console.log(`start${defectNote}`);
    }
    const { types } = toConfiguration(base, LI_P_S);
    const ctx = await nodeGpuContext();
    const frames: string[] = [];
    for (const T of temperatures) {
      const { picked, summary } = await sampleAndPick(
        ctx,
        potential,
        active,
        { types, positions: base.positions, cell: base.cell, species: LI_P_S },
        { temperature: T, picoseconds: numberValue(args, 'ps'), seed: seed + T, every: 50 },
        how,
      );
      console.log(`${T} K: ${summary}`);
      picked.forEach((p, k) => {
        frames.push(
          formatExtxyzFrame(
            { ...base, positions: wrapped(base.cell, p.positions) },
            {
              config_id: `${prefix}-${kind}${T}-${String(k).padStart(2, '0')}`,
              source: `MTP MD ${T} K${defectNote}, ${p.time} fs, grade ${p.grade.toFixed(2)} (${potentialPath.split('/').pop()})`,
            },
          ),
        );
      });
    }
    ctx.device.destroy();
    writeSampledFrames(args, out, frames);
    console.log(`${frames.length} configurations -> ${out}`);
    return 0;
  },
};
