import { MAX_FRAME_ATOMS } from '../io/lines.ts';
import { readStructureText } from '../io/structure-files.ts';
import { LI_P_S } from '../model/species.ts';
import type { Structure } from '../model/structure.ts';
import { STRUCTURE_PRESETS } from '../structure/presets.ts';
import { repeatStructure } from '../structure/supercell.ts';
import { UsageError } from './command.ts';
import { readText } from './files.ts';

export { STRUCTURE_PRESETS };

export function parseSupercell(text: string | undefined): [number, number, number] {
  if (!text) return [1, 1, 1];
  const m = /^(\d+)x(\d+)x(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--supercell expects AxBxC (e.g. 2x2x2), got '${text}'`);
  const n = [Number(m[1]), Number(m[2]), Number(m[3])] as [number, number, number];
  if (n.some((x) => x < 1)) throw new UsageError(`--supercell ${text}: each repeat must be at least 1`);
  return n;
}

/** A preset name or a structure file (see src/io/structure-files.ts; .cfg types map to `species` in order). */
export function loadStructure(
  spec: string,
  supercell: [number, number, number],
  species: readonly string[] = LI_P_S,
): Structure {
  let s: Structure;
  const preset = STRUCTURE_PRESETS[spec.toLowerCase()];
  if (preset) s = preset.build();
  else {
    try {
      s = readStructureText(readText(spec), spec, { species: [...species] });
    } catch (err) {
      if (err instanceof Error && /cannot tell the format/.test(err.message)) {
        throw new UsageError(
          `'${spec}' is neither a preset (${Object.keys(STRUCTURE_PRESETS).join(', ')}) nor a structure file`,
        );
      }
      throw err;
    }
  }
  // refused before the copies are made: a typo such as 100000x1x1 would otherwise exhaust memory
  const atoms = s.types.length * supercell[0] * supercell[1] * supercell[2];
  if (atoms > MAX_FRAME_ATOMS)
    throw new UsageError(
      `--supercell ${supercell.join('x')} of ${s.types.length} atoms makes ${atoms.toExponential(2)} atoms, more than the ${MAX_FRAME_ATOMS} the lab handles`,
    );
  return supercell.every((n) => n === 1) ? s : repeatStructure(s, ...supercell);
}

/** Maps a structure's species onto the potential's type order; refuses species the potential does not have. */
export function typesForPotential(s: Structure, potentialSpecies: readonly string[]): Int32Array {
  return Int32Array.from(s.types, (t) => {
    const k = potentialSpecies.indexOf(s.species[t]);
    if (k < 0)
      throw new UsageError(
        `species ${s.species[t]} is not in the potential's species (${potentialSpecies.join(', ')})`,
      );
    return k;
  });
}
