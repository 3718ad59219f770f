/**
 * Amorphous regions by melt-quench: the atoms of one grain of a bicrystal are held at a high temperature (others
 * frozen in place), then cooled step-wise to the final temperature. The result is only as physical as the potential;
 * with the lab's placeholder it is a demonstration, not a model.
 */
import { ps4Bonds } from '../analysis/ps4.ts';
import { LI_P_S } from '../model/species.ts';
import { type Structure, toConfiguration } from '../model/structure.ts';
import { massesOf } from '../model/system.ts';
import { RestrainedField } from '../potential/restraints-gpu.ts';
import type { GpuForceField } from '../potential/types.ts';
import { buildBicrystal } from '../structure/gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS, presetSpec } from '../structure/gb/presets.ts';
import { MdEngine } from './engine.ts';

/**
 * The interface's schedule, 4 ps at 2000 K and 8 ps of cooling to 300 K: `build --preset amorphous-120`, the study and
 * the boundary-sampling tools share it, so that each of them makes the same interface from the same potential.
 */
export const MELT_QUENCH = { meltTemperature: 2000, meltSteps: 4000, quenchSteps: 8000 } as const;

/** The boundary whose grain A the amorphous/crystal interface melts. */
export const AMORPHOUS_BASE = 'sigma5-001-120';
/** The interface's id as a preset (build --preset, study --boundaries). */
export const AMORPHOUS_ID = 'amorphous-120';

export interface MeltQuenchOptions {
  /** Grain (builder label) to melt. */
  grain: number;
  meltTemperature: number;
  finalTemperature: number;
  meltSteps: number;
  /** Steps of the quench, split into `stages` equal temperature drops. */
  quenchSteps: number;
  stages?: number;
  dt?: number;
  seed?: number;
  onProgress?: (stage: string, temperature: number) => void;
}

export async function meltQuench(
  device: GPUDevice,
  field: GpuForceField,
  structure: Structure,
  types: Int32Array,
  masses: Float64Array,
  o: MeltQuenchOptions,
): Promise<Structure> {
  const grain = structure.labels?.grain;
  if (!grain) throw new Error('melt-quench needs a bicrystal with grain labels (from the grain-boundary builder)');
  const frozen = Uint8Array.from(grain, (g) => (g === o.grain ? 0 : 1));
  if (frozen.every((f) => f === 1)) throw new Error(`no atoms in grain ${o.grain}`);
  const dt = o.dt ?? 1;
  const stages = Math.max(1, o.stages ?? 5);
  let positions: Float64Array = Float64Array.from(structure.positions);
  let velocities: Float64Array | undefined;
  const schedule: [string, number, number][] = [['melt', o.meltTemperature, o.meltSteps]];
  for (let k = 1; k <= stages; k++) {
    const t = o.meltTemperature + ((o.finalTemperature - o.meltTemperature) * k) / stages;
    schedule.push([`quench ${k}/${stages}`, t, Math.round(o.quenchSteps / stages)]);
  }
  for (const [label, temperature, steps] of schedule) {
    const md = await MdEngine.create(
      device,
      field,
      { types, positions, cell: structure.cell, masses, frozen },
      { dt, temperature, thermostat: 'langevin', friction: 0.05, seed: (o.seed ?? 1) + temperature, velocities },
    );
    await md.run(steps, steps, (_t, f) => {
      positions = f.positions;
      velocities = f.velocities;
    });
    md.destroy();
    o.onProgress?.(label, temperature);
  }
  return { ...structure, positions, title: `${structure.title ?? 'bicrystal'}, grain ${o.grain} melt-quenched` };
}

/**
 * The P-S bonds' restraint while the grain melts: nothing up to 2.2 A (the crystal's bonds are 2.01-2.05 A and
 * stretch to about 2.15 A at 2000 K), 20 eV/A^2 beyond, so a unit cannot come apart, whatever the potential does at
 * temperatures it was not trained for. Glasses of this composition are built mostly of PS4^3- units (Raman and 31P
 * NMR of 75Li2S-25P2S5 glass: Dietrich et al., J. Mater. Chem. A 5 (2017) 18111), so a melt that breaks them shows
 * the potential's failure, not the glass's structure.
 */
export const PS4_RESTRAINT = { r0: 2.2, k: 20 } as const;

/**
 * The study's amorphous/(120) interface: grain A of the (120) bicrystal, as the preset builds it, melt-quenched with
 * every PS4 unit held whole (PS4_RESTRAINT); grain B stays the crystal.
 */
export async function amorphousInterface(
  device: GPUDevice,
  field: GpuForceField,
  o: Pick<MeltQuenchOptions, 'meltTemperature' | 'meltSteps' | 'quenchSteps' | 'seed' | 'onProgress'>,
): Promise<Structure> {
  const preset = GB_PRESETS.find((p) => p.id === AMORPHOUS_BASE)!;
  const { structure } = buildBicrystal(betaLi3PS4Standard(), presetSpec(preset));
  const { types } = toConfiguration(structure, LI_P_S);
  const masses = massesOf(types, LI_P_S);
  const restrained = await RestrainedField.create(device, field, types.length, {
    pairs: ps4Bonds(structure),
    ...PS4_RESTRAINT,
  });
  try {
    const result = await meltQuench(device, restrained, structure, types, masses, {
      ...o,
      grain: 0,
      finalTemperature: 300,
    });
    return { ...result, title: 'a-(120)/crystal interface' };
  } finally {
    restrained.destroy();
  }
}
