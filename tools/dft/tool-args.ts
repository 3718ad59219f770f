/** What the DFT tools share on their command lines: option values and a potential with its active set. */
import { readFileSync } from 'node:fs';
import { parseMtp } from '../../src/io/mtp.ts';
import { compileMtp, type MtpModel } from '../../src/potential/mtp/model.ts';
import { fromActiveSetFile } from '../../src/train/active-set-file.ts';
import type { ActiveSet } from '../../src/train/maxvol.ts';

/** The value after `--name` on the command line, or the fallback. */
export function arg(name: string, fallback: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 ? process.argv[k + 1] : fallback;
}

/**
 * The output file (first argument) and `--potential`, which every sampling tool needs; without them the usage line
 * is printed and the tool stops.
 */
export function outputAndPotential(usage: string): { out: string; potentialPath: string } {
  const out = process.argv[2];
  const potentialPath = arg('potential', '');
  if (!out || out.startsWith('--') || !potentialPath) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return { out, potentialPath };
}

/** A trained potential from its .mtp file. */
export function loadPotential(path: string): MtpModel {
  return compileMtp(parseMtp(readFileSync(path, 'utf8'), path));
}

/** A trained potential and the active set saved beside it (`POT.mtp.als.json`), for grading frames. */
export function loadGradedPotential(path: string): { model: MtpModel; active: ActiveSet } {
  const model = loadPotential(path);
  const active = fromActiveSetFile(readFileSync(`${path}.als.json`, 'utf8'), `${path}.als.json`);
  return { model, active };
}
