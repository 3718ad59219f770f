/**
 * The shipped potential (trained on the project's CP2K data, see data/README.md): commands that need a potential use
 * it when --potential is not given, and say so.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from './command.ts';

export const DEFAULT_POTENTIAL = fileURLToPath(new URL('../../public/potentials/li3ps4-default.mtp', import.meta.url));

export function potentialOrDefault(given: string | undefined): string {
  if (given) return given;
  if (!existsSync(DEFAULT_POTENTIAL))
    throw new UsageError(`--potential POT.mtp is required (the default potential ${DEFAULT_POTENTIAL} is missing)`);
  console.error(`potential: the default, ${DEFAULT_POTENTIAL}`);
  return DEFAULT_POTENTIAL;
}
