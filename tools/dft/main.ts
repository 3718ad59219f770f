/**
 * The DFT data tools under one entry point, with the lab's option parser:
 *   node scripts/tsrun.mjs tools/dft/main.ts COMMAND [options]     (npm run dft -- COMMAND [options])
 * Sampling commands write pending configurations (extended XYZ with config_id and source); `label` labels them with
 * CP2K into data/li3ps4-dft.extxyz. How each round was made is in data/README.md; the method in docs/training.md.
 */
import { commandList, dispatch } from '../../src/cli/command.ts';
import { bicrystalsCommand } from './bicrystals.ts';
import { bondForcesCommand } from './bond-forces.ts';
import { dispersionCommand, dispersionTailCommand } from './dispersion.ts';
import { gbSlabsCommand } from './gb-slabs.ts';
import { labelCommand } from './label.ts';
import { neighbourhoodsCommand } from './neighbourhoods.ts';
import { relaxedCellsCommand } from './relaxed-cells.ts';
import { sampleCommand } from './sample.ts';
import { snapshotsCommand } from './snapshots.ts';

export const DFT_TOOLS = [
  labelCommand,
  bicrystalsCommand,
  snapshotsCommand,
  neighbourhoodsCommand,
  relaxedCellsCommand,
  sampleCommand,
  gbSlabsCommand,
  bondForcesCommand,
  dispersionCommand,
  dispersionTailCommand,
];

function overview(): string {
  return [
    'DFT data tools: configurations to label, and labelling with CP2K',
    '',
    'Usage: npm run dft -- <command> [options]   (node scripts/tsrun.mjs tools/dft/main.ts <command> [options])',
    '',
    'Commands:',
    ...commandList(DFT_TOOLS),
    '',
    '<command> --help shows its options.',
  ].join('\n');
}

// run only as the entry point (tests import the command list)
if (process.argv[1]?.endsWith('tools/dft/main.ts'))
  process.exitCode = await dispatch('dft', DFT_TOOLS, process.argv.slice(2), overview);
