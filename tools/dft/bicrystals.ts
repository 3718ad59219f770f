import { type Command, numberValue, stringOption } from '../../src/cli/command.ts';
import { nodeGpuContext } from '../../src/gpu/node-gpu.ts';
import { formatExtxyzFrame } from '../../src/io/extxyz.ts';
import { LI_P_S } from '../../src/model/species.ts';
import { toConfiguration } from '../../src/model/structure.ts';
import { relaxedPreset, sampleAndPick, wrapped } from './sample-md.ts';
import {
  APPEND_OPTION,
  loadGradedPotential,
  outputAndPotential,
  POTENTIAL_OPTIONS,
  pickOption,
  writeSampledFrames,
} from './tool-args.ts';

export const bicrystalsCommand: Command = {
  name: 'bicrystals',
  summary: 'frames of a whole periodic bicrystal from MD with a potential, picked by grade or evenly, to label',
  usage:
    'OUT.extxyz [--append] --potential POT.mtp [--dispersion-tail TAIL.json] [--preset sigma3-110-111] [--temperature 800] [--ps 5] [--count 2] [--pick grade|even] [--spacing 500] [--prefix r15] [--seed 15] [--relaxed]',
  help: [
    'MD (CSVR, 1 fs) of the preset from its translation-scanned relaxed positions (data/gb-scan/ID.relaxed.extxyz),',
    'graded every 100 fs against the active set beside the potential (POT.mtp.als.json). --pick grade: the',
    'highest-graded frames at least --spacing fs apart; --pick even: evenly after the first picosecond (a test set).',
    'Ids: PREFIX-bicrystal-ID-TK-NN, and PREFIX-bicrystal-ID-relaxed with --relaxed.',
  ].join('\n'),
  options: {
    ...APPEND_OPTION,
    ...POTENTIAL_OPTIONS,
    preset: { type: 'string', default: 'sigma3-110-111' },
    temperature: { type: 'string', default: '800' },
    ps: { type: 'string', default: '5' },
    count: { type: 'string', default: '2' },
    pick: { type: 'string', default: 'grade' },
    spacing: { type: 'string', default: '500' },
    prefix: { type: 'string', default: 'r15' },
    seed: { type: 'string', default: '15' },
    relaxed: { type: 'boolean' },
  },
  async run(args) {
    const { out, potentialPath, tailPath } = outputAndPotential(args);
    const id = stringOption(args, 'preset')!;
    const temperature = numberValue(args, 'temperature');
    const seed = numberValue(args, 'seed');
    const prefix = stringOption(args, 'prefix')!;
    const pick = pickOption(args);
    const { potential, active } = loadGradedPotential(potentialPath, tailPath);
    const start = relaxedPreset(id);
    const config = toConfiguration(start, LI_P_S);
    const ctx = await nodeGpuContext();
    const { picked, summary } = await sampleAndPick(
      ctx,
      potential,
      active,
      { types: config.types, positions: config.positions, cell: config.cell!, species: LI_P_S },
      { temperature, picoseconds: numberValue(args, 'ps'), seed, every: 100 },
      { pick, count: numberValue(args, 'count'), spacing: numberValue(args, 'spacing') },
    );
    ctx.device.destroy();
    const name = potentialPath.split('/').pop();
    const what = `the relaxed, unit-aware ${start.title ?? id} bicrystal (data/gb-scan)`;
    const frames: string[] = [];
    if (args.values.relaxed)
      frames.push(
        formatExtxyzFrame(
          { ...start, positions: wrapped(start.cell, start.positions) },
          {
            config_id: `${prefix}-bicrystal-${id}-relaxed`,
            source: `${what} as relaxed with ${name}; for the DFT boundary energy`,
          },
        ),
      );
    picked.forEach((p, k) => {
      frames.push(
        formatExtxyzFrame(
          { ...start, positions: wrapped(start.cell, p.positions) },
          {
            config_id: `${prefix}-bicrystal-${id}-${temperature}K-${String(k + 1).padStart(2, '0')}`,
            source:
              `MTP MD (${name}) of ${what}, CSVR ${temperature} K, seed ${seed}, ${p.time} fs, grade ${p.grade.toFixed(2)}; ` +
              `the whole periodic cell, no cut${pick === 'even' ? '; test set, never fitted' : ''}`,
          },
        ),
      );
    });
    console.log(`${id} (${start.types.length} atoms) ${temperature} K: ${summary}`);
    writeSampledFrames(args, out, frames);
    console.log(`${frames.length} configurations -> ${out}`);
    return 0;
  },
};
