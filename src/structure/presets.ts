/** Structures the lab builds by name: bulk beta-Li3PS4 and the grain-boundary presets of the study. */
import type { Structure } from '../model/structure.ts';
import { buildBicrystal } from './gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS, presetSpec } from './gb/presets.ts';
import { betaLi3PS4 } from './li3ps4.ts';
import { buildPolycrystal } from './polycrystal.ts';
import { repeatStructure } from './supercell.ts';

/**
 * How big to build a preset: repeats along the first two cell vectors, and along the third (bulk) or CSL cells per
 * grain along the boundary normal (bicrystals, so both grains grow and the two boundaries move apart).
 */
export interface PresetSize {
  a: number;
  b: number;
  c: number;
}

export const UNIT_SIZE: PresetSize = { a: 1, b: 1, c: 1 };

export interface StructurePreset {
  summary: string;
  build: (size?: PresetSize) => Structure;
  /** Which Cartesian axis is the grain-boundary normal (bicrystals are built with it along z). */
  normal?: 'z';
}

/** The page's polycrystal at size 1x1x1: atoms asked for (the boundaries remove about a quarter at this size). */
export const POLYCRYSTAL_PRESET = { grains: 8, atoms: 6000, seed: 1 } as const;

export const STRUCTURE_PRESETS: Record<string, StructurePreset> = {
  'beta-li3ps4': {
    summary: 'bulk beta-Li3PS4, Pnma, 32 atoms (ordered model)',
    build: (n = UNIT_SIZE) => repeatStructure(betaLi3PS4(), n.a, n.b, n.c),
  },
  polycrystal: {
    summary: `beta-Li3PS4 polycrystal, ${POLYCRYSTAL_PRESET.grains} Voronoi grains (whole PS4 units, Li3PS4); size a x b x c multiplies the atoms (about 4,300 at 1x1x1; 3x3x2: about 94,000)`,
    build: (n = UNIT_SIZE) =>
      buildPolycrystal({ ...POLYCRYSTAL_PRESET, atoms: POLYCRYSTAL_PRESET.atoms * n.a * n.b * n.c }).structure,
  },
  ...Object.fromEntries(
    GB_PRESETS.map((p): [string, StructurePreset] => [
      p.id,
      {
        summary: `${p.label} bicrystal (whole PS4 units, Li3PS4)`,
        build: (n = UNIT_SIZE) => ({
          ...buildBicrystal(betaLi3PS4Standard(), {
            ...presetSpec(p),
            repeat: [n.a, n.b],
            layersA: n.c,
            layersB: n.c,
          }).structure,
          title: p.label,
        }),
        normal: 'z',
      },
    ]),
  ),
};
