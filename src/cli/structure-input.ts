import { basename, extname } from 'node:path';
import { parseCfg } from '../io/cfg.ts';
import { parseExtxyz } from '../io/extxyz.ts';
import { LI_P_S } from '../model/species.ts';
import type { Structure } from '../model/structure.ts';
import { betaLi3PS4 } from '../structure/li3ps4.ts';
import { repeatStructure } from '../structure/supercell.ts';
import { UsageError } from './command.ts';
import { readText } from './files.ts';

export const STRUCTURE_PRESETS: Record<string, { summary: string; build: () => Structure }> = {
  'beta-li3ps4': { summary: 'bulk beta-Li3PS4, Pnma, 32 atoms (ordered model)', build: betaLi3PS4 },
};

export function parseSupercell(text: string | undefined): [number, number, number] {
  if (!text) return [1, 1, 1];
  const m = /^(\d+)x(\d+)x(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--supercell expects AxBxC (e.g. 2x2x2), got '${text}'`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** A preset name or a structure file (.extxyz/.xyz: last frame; .cfg: first configuration, types in `species` order). */
export function loadStructure(
  spec: string,
  supercell: [number, number, number],
  species: readonly string[] = LI_P_S,
): Structure {
  let s: Structure;
  const preset = STRUCTURE_PRESETS[spec.toLowerCase()];
  if (preset) s = preset.build();
  else {
    const ext = extname(spec).toLowerCase();
    const text = readText(spec);
    if (ext === '.xyz' || ext === '.extxyz') {
      const frames = parseExtxyz(text, basename(spec));
      if (frames.length === 0) throw new UsageError(`${spec} holds no frames`);
      s = frames[frames.length - 1].structure;
    } else if (ext === '.cfg') {
      const [c] = parseCfg(text, basename(spec));
      if (!c) throw new UsageError(`${spec} holds no configurations`);
      if (!c.cell) throw new UsageError(`${spec}: MD needs a periodic cell (Supercell block)`);
      const bad = c.types.find((t) => t >= species.length);
      if (bad !== undefined)
        throw new UsageError(`${spec}: type ${bad} has no species in --species ${species.join(',')}`);
      s = { cell: c.cell, species: [...species], types: c.types, positions: c.positions, title: basename(spec) };
    } else {
      throw new UsageError(
        `cannot read '${spec}': not a preset (${Object.keys(STRUCTURE_PRESETS).join(', ')}) nor a .extxyz/.xyz/.cfg file`,
      );
    }
  }
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
