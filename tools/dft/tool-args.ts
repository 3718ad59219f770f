/** What the DFT tools share on their command lines: the output and potential, how frames are picked, a graded potential. */
import { readFileSync } from 'node:fs';
import { type ParsedArgs, stringOption, UsageError } from '../../src/cli/command.ts';
import { loadPotential } from '../../src/cli/files.ts';
import type { MtpPotential } from '../../src/potential/mtp/potential.ts';
import { fromActiveSetFile } from '../../src/train/active-set-file.ts';
import type { ActiveSet } from '../../src/train/maxvol.ts';

/** The output file (the one positional argument) and `--potential`, which every sampling tool needs. */
export function outputAndPotential(args: ParsedArgs): { out: string; potentialPath: string } {
  const potentialPath = stringOption(args, 'potential');
  if (args.positionals.length !== 1) throw new UsageError('expected one output file, OUT.extxyz');
  if (!potentialPath) throw new UsageError('--potential POT.mtp is required');
  return { out: args.positionals[0], potentialPath };
}

export type Pick = 'grade' | 'even';

/** `--pick grade` (the highest-graded frames: training data) or `even` (evenly in time: a test set). */
export function pickOption(args: ParsedArgs): Pick {
  const pick = stringOption(args, 'pick') ?? 'grade';
  if (pick !== 'grade' && pick !== 'even') throw new UsageError(`--pick ${pick}: expected grade or even`);
  return pick;
}

/** A trained potential and the active set saved beside it (`POT.mtp.als.json`), for grading frames. */
export function loadGradedPotential(path: string): { potential: MtpPotential; active: ActiveSet } {
  const potential = loadPotential(path);
  const active = fromActiveSetFile(readFileSync(`${path}.als.json`, 'utf8'), `${path}.als.json`);
  return { potential, active };
}
