/**
 * The loop every sampling tool runs: MD with a trained potential (CSVR, 1 fs), each record's atoms graded against the
 * potential's active set. A run that blows up still gives its frames up to the last good record: those are the
 * configurations the potential most needs to see.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { GpuContext } from '../../src/gpu/device.ts';
import { parseExtxyz } from '../../src/io/extxyz.ts';
import { BlowUpError, MdEngine } from '../../src/md/engine.ts';
import { fireMinimize } from '../../src/md/fire.ts';
import { AMORPHOUS_ID } from '../../src/md/melt-quench.ts';
import { notify } from '../../src/md/observers.ts';
import { studySystem } from '../../src/md/study-pipeline.ts';
import { type Cell, toCartesian, toFractional } from '../../src/model/cell.ts';
import { LI_P_S } from '../../src/model/species.ts';
import { type Structure, toConfiguration } from '../../src/model/structure.ts';
import { massesOf } from '../../src/model/system.ts';
import type { MtpPotential } from '../../src/potential/mtp/potential.ts';
import { STRUCTURE_PRESETS } from '../../src/structure/presets.ts';
import { type GradedFrame, gradeObserver } from '../../src/train/grade-observer.ts';
import type { ActiveSet } from '../../src/train/maxvol.ts';
import { type Candidate, evenlySpaced, highestGraded } from './pick-frames.ts';
import type { Pick } from './tool-args.ts';

export interface SampleOptions {
  temperature: number;
  picoseconds: number;
  seed: number;
  /** Steps between graded records. */
  every: number;
  /** Records before this (fs) are not graded (the thermostat's first approach to the temperature). */
  skipFs?: number;
  /** CSVR relaxation time, fs. */
  tau?: number;
}

export interface SampledSystem {
  types: Int32Array;
  positions: Float64Array;
  cell: Cell;
  species: readonly string[];
}

/** Runs the MD, calls `onFrame` with each graded record, and says how it ended ('N ps' or where it blew up). */
export async function sampleMd(
  ctx: GpuContext,
  potential: MtpPotential,
  active: ActiveSet,
  system: SampledSystem,
  o: SampleOptions,
  onFrame: (f: GradedFrame) => void,
): Promise<string> {
  const field = await potential.gpu(ctx.device);
  const cell = { ...system.cell, lattice: Float64Array.from(system.cell.lattice) };
  const md = await MdEngine.create(
    ctx.device,
    field,
    {
      types: system.types,
      positions: Float64Array.from(system.positions),
      cell,
      masses: massesOf(system.types, system.species),
    },
    { dt: 1, temperature: o.temperature, thermostat: 'csvr', seed: o.seed, tau: o.tau ?? 50 },
  );
  let last = 0;
  // steps are 1 fs: a step number is its time in fs
  const sampler = gradeObserver(potential.model, active, system.types, (step) => step >= (o.skipFs ?? 0), onFrame);
  try {
    await md.run(Math.round(o.picoseconds * 1000), o.every, (t, f) => {
      last = t.time;
      notify([sampler], t, f, cell);
    });
    return `${o.picoseconds} ps`;
  } catch (err) {
    if (!(err instanceof BlowUpError)) throw err;
    return `blew up after ${last} fs`;
  } finally {
    md.destroy();
    field.destroy();
  }
}

/**
 * The MD, then `count` whole frames picked from it (by grade, at least `spacing` fs apart; or evenly after the first
 * picosecond), with a line that says how the run ended, the grades seen and what was picked.
 */
export async function sampleAndPick(
  ctx: GpuContext,
  potential: MtpPotential,
  active: ActiveSet,
  system: SampledSystem,
  o: SampleOptions,
  how: { pick: Pick; count: number; spacing: number },
): Promise<{ picked: Candidate[]; summary: string }> {
  const candidates: Candidate[] = [];
  const ended = await sampleMd(ctx, potential, active, system, o, (f) =>
    candidates.push({ time: f.time, positions: f.positions, grade: Math.max(...f.grades) }),
  );
  const picked =
    how.pick === 'even' ? evenlySpaced(candidates, how.count, 1000) : highestGraded(candidates, how.count, how.spacing);
  const grades = candidates.map((c) => c.grade);
  const summary =
    `${ended}, ${candidates.length} frames, grades ${Math.min(...grades).toFixed(2)}-${Math.max(...grades).toFixed(2)}; ` +
    `picked ${picked.map((p) => `${p.time} fs (${p.grade.toFixed(1)})`).join(', ')}`;
  return { picked, summary };
}

/** Positions folded into the cell (DFT codes do not need it, but readers of the files expect it). */
export function wrapped(cell: Cell, positions: Float64Array): Float64Array {
  return toCartesian(
    cell,
    toFractional(cell, positions).map((x) => x - Math.floor(x)),
  );
}

/**
 * A boundary preset at its translation-scanned, relaxed positions (data/gb-scan/ID.relaxed.extxyz, with the preset's
 * labels), or as built when the scan left none.
 */
export function relaxedPreset(id: string): Structure {
  const preset = STRUCTURE_PRESETS[id];
  if (!preset) throw new Error(`no structure preset '${id}' (${Object.keys(STRUCTURE_PRESETS).join(', ')})`);
  const built = preset.build();
  const relaxed = `data/gb-scan/${id}.relaxed.extxyz`;
  if (!existsSync(relaxed)) return built;
  const frame = parseExtxyz(readFileSync(relaxed, 'utf8'), relaxed)[0];
  if (frame.structure.types.length !== built.types.length)
    throw new Error(`${relaxed}: ${frame.structure.types.length} atoms, the preset has ${built.types.length}`);
  return { ...built, positions: frame.structure.positions };
}

/**
 * A boundary to sample from: a preset as relaxedPreset gives it, or the amorphous/(120) interface, melt-quenched with
 * the potential being sampled (built as the study builds it) and then relaxed with it, so that its MD starts at rest.
 */
export async function boundaryStart(ctx: GpuContext, potential: MtpPotential, id: string): Promise<Structure> {
  if (id !== AMORPHOUS_ID) return relaxedPreset(id);
  const quenched = await studySystem(id)!.build(ctx.device, potential);
  const r = await fireMinimize(potential.cpu(), toConfiguration(quenched, LI_P_S), {
    fmax: 0.1,
    maxSteps: 2000,
    minDistance: potential.model.minDist,
  });
  return { ...quenched, positions: r.positions };
}
