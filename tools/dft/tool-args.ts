/** What the DFT tools share on their command lines: the output and potential, how frames are picked, a graded potential. */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type OptionSpec, type ParsedArgs, stringOption, UsageError } from '../../src/cli/command.ts';
import { DISPERSION_TAIL_OPTION, loadPotential } from '../../src/cli/files.ts';
import { parseExtxyz } from '../../src/io/extxyz.ts';
import type { MtpPotential } from '../../src/potential/mtp/potential.ts';
import { fromActiveSetFile } from '../../src/train/active-set-file.ts';
import type { ActiveSet } from '../../src/train/maxvol.ts';

/**
 * `--append`: the run adds its frames to OUT. Without it an existing OUT is refused rather than rewritten: a queue is
 * built one preset per run, and a rewrite silently drops the earlier runs' cells.
 */
export const APPEND_OPTION: OptionSpec = { append: { type: 'boolean' } };

/** `--potential POT.mtp [--dispersion-tail TAIL.json]`: the potential the frames are sampled with (ADR 0018). */
export const POTENTIAL_OPTIONS: OptionSpec = {
  potential: { type: 'string' },
  'dispersion-tail': DISPERSION_TAIL_OPTION,
};

/** The output file (the one positional argument) and `--potential`, which every sampling tool needs. */
export function outputAndPotential(args: ParsedArgs): { out: string; potentialPath: string; tailPath?: string } {
  const potentialPath = stringOption(args, 'potential');
  if (args.positionals.length !== 1) throw new UsageError('expected one output file, OUT.extxyz');
  if (!potentialPath) throw new UsageError('--potential POT.mtp is required');
  const out = args.positionals[0];
  if (existsSync(out) && args.values.append !== true)
    throw new UsageError(`${out} exists: --append adds to it; otherwise name a new file`);
  return { out, potentialPath, tailPath: stringOption(args, 'dispersion-tail') };
}

/** Writes (or with `--append` adds) the sampled frames; an id OUT already holds is refused and nothing is written. */
export function writeSampledFrames(args: ParsedArgs, out: string, frames: string[]): void {
  const text = frames.join('');
  if (args.values.append !== true || !existsSync(out)) {
    writeFileSync(out, text);
    return;
  }
  const held = new Set(parseExtxyz(readFileSync(out, 'utf8'), out).map((f) => f.info.config_id));
  const again = parseExtxyz(text, 'the new frames')
    .map((f) => f.info.config_id)
    .filter((id) => held.has(id));
  if (again.length > 0)
    throw new UsageError(`${out} already holds ${again.join(', ')}: choose another --prefix or --seed`);
  appendFileSync(out, text);
}

export type Pick = 'grade' | 'even';

/** `--pick grade` (the highest-graded frames: training data) or `even` (evenly in time: a test set). */
export function pickOption(args: ParsedArgs): Pick {
  const pick = stringOption(args, 'pick') ?? 'grade';
  if (pick !== 'grade' && pick !== 'even') throw new UsageError(`--pick ${pick}: expected grade or even`);
  return pick;
}

/** A trained potential and the active set saved beside it (`POT.mtp.als.json`), for grading frames. */
export function loadGradedPotential(path: string, tailPath?: string): { potential: MtpPotential; active: ActiveSet } {
  const potential = loadPotential(path, tailPath);
  const active = fromActiveSetFile(readFileSync(`${path}.als.json`, 'utf8'), `${path}.als.json`);
  return { potential, active };
}
