/** Structures the lab builds by name: bulk beta-Li3PS4 and the grain-boundary presets of the study. */
import type { Structure } from '../model/structure.ts';
import { buildBicrystal } from './gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS } from './gb/presets.ts';
import { betaLi3PS4 } from './li3ps4.ts';

export interface StructurePreset {
  summary: string;
  build: () => Structure;
  /** Which Cartesian axis is the grain-boundary normal (bicrystals are built with it along z). */
  normal?: 'z';
}

export const STRUCTURE_PRESETS: Record<string, StructurePreset> = {
  'beta-li3ps4': { summary: 'bulk beta-Li3PS4, Pnma, 32 atoms (ordered model)', build: betaLi3PS4 },
  ...Object.fromEntries(
    GB_PRESETS.map((p): [string, StructurePreset] => [
      p.id,
      {
        summary: `${p.label} bicrystal (contacts below 1.5 A removed)`,
        build: () => ({
          ...buildBicrystal(betaLi3PS4Standard(), { ...p.spec, removeCloserThan: 1.5 }).structure,
          title: p.label,
        }),
        normal: 'z',
      },
    ]),
  ),
};
