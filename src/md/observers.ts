/**
 * Outputs attached to a run, as observers with an interval: each is called at the records it is due at with the
 * record, the frame and the current cell (a barostat changes it), and writes to a sink (a file appender in the CLI,
 * memory in a test or the page). The run's loop then only says "a record happened"; which files come of it is the
 * list of observers.
 */
import { CHECKPOINT_FORMAT, type Checkpoint } from '../io/checkpoint.ts';
import { formatExtxyzFrame } from '../io/extxyz.ts';
import { formatLammpsDump } from '../io/lammps.ts';
import { labelColumns } from '../io/structure-files.ts';
import { type Cell, volume } from '../model/cell.ts';
import type { Structure } from '../model/structure.ts';
import type { Frame, ThermoRecord } from './engine.ts';

export type Sink = (text: string) => void;

export interface Observer {
  /** Whether the record at `step` is one this observer writes. */
  due(step: number): boolean;
  observe(t: ThermoRecord, frame: Frame, cell: Cell): void;
}

/** Every `n` steps counted from `from` (0: steps that are multiples of n), and always at `last` when given. */
export function everyNth(n: number, from = 0, last?: number): (step: number) => boolean {
  return (step) => (step - from) % n === 0 || step === last;
}

/** Calls each observer that is due: the one callback a run's records go to. */
export function notify(observers: readonly Observer[], t: ThermoRecord, frame: Frame, cell: Cell): void {
  for (const o of observers) if (o.due(t.step)) o.observe(t, frame, cell);
}

export const THERMO_HEADER =
  'step,time_fs,potential_eV,kinetic_eV,total_eV,conserved_eV,temperature_K,pxx_GPa,pyy_GPa,pzz_GPa,pyz_GPa,pxz_GPa,pxy_GPa,min_dist_A,list_rebuilds,volume_A3,a_A,b_A,c_A';

/** One row of the thermo CSV; the cell is the current one. */
export function thermoCsvRow(t: ThermoRecord, cell: Cell): string {
  const p = t.pressure;
  const L = cell.lattice;
  const lengths = [0, 1, 2].map((r) => Math.hypot(L[3 * r], L[3 * r + 1], L[3 * r + 2]).toFixed(5));
  return [
    t.step,
    t.time.toFixed(3),
    t.potential.toFixed(6),
    t.kinetic.toFixed(6),
    t.total.toFixed(6),
    t.conserved.toFixed(6),
    t.temperature.toFixed(3),
    ...[p[0], p[4], p[8], p[5], p[2], p[1]].map((v) => v.toFixed(5)),
    t.minDistance.toFixed(4),
    t.rebuilds,
    volume(cell).toFixed(4),
    ...lengths,
  ].join(',');
}

/** The thermo CSV: a row at every record it is due at (the header is the caller's, written once per file). */
export function thermoObserver(sink: Sink, due: (step: number) => boolean): Observer {
  return { due, observe: (t, _f, cell) => sink(`${thermoCsvRow(t, cell)}\n`) };
}

/**
 * Extended XYZ frames with unwrapped positions, energy and temperature; the first frame written carries `origin`
 * (provenance, as key=value pairs). `structure` gives species, types and the per-atom labels (grain, boundary
 * distance).
 */
export function extxyzObserver(
  sink: Sink,
  due: (step: number) => boolean,
  structure: Structure,
  origin: Record<string, string | number> = {},
): Observer {
  let written = 0;
  return {
    due,
    observe: (t, frame, cell) => {
      const extra = written++ === 0 ? origin : {};
      sink(
        formatExtxyzFrame(
          { ...structure, cell, positions: frame.positions },
          { step: t.step, Time: t.time, unwrapped: 'T', energy: t.potential, temperature: t.temperature, ...extra },
          labelColumns(structure),
        ),
      );
    },
  };
}

/** LAMMPS text dump frames (types 1-based as the data file has them). */
export function dumpObserver(sink: Sink, due: (step: number) => boolean, types: Int32Array): Observer {
  return { due, observe: (t, frame, cell) => sink(formatLammpsDump(t.step, cell, types, frame.positions)) };
}

/** The engine's full state at a frame, as a checkpoint a run resumes from. */
export function checkpointOf(frame: Frame, species: string[], types: Int32Array, lattice: Float64Array): Checkpoint {
  return {
    format: CHECKPOINT_FORMAT,
    step: frame.step,
    species,
    types: Array.from(types),
    lattice: Array.from(lattice),
    positions: Array.from(frame.positions),
    velocities: Array.from(frame.velocities),
    images: Array.from(frame.images),
    state: Array.from(frame.state),
  };
}

/** The frame a checkpoint holds, for `MdEngine.restore` (time from the step and the run's time step, fs). */
export function frameOfCheckpoint(cp: Checkpoint, dt: number): Frame {
  return {
    step: cp.step,
    time: cp.step * dt,
    positions: Float64Array.from(cp.positions),
    velocities: Float64Array.from(cp.velocities),
    images: Int32Array.from(cp.images),
    state: Float32Array.from(cp.state),
  };
}

/** Writes a checkpoint (replacing the last) at every record it is due at. */
export function checkpointObserver(
  save: (cp: Checkpoint) => void,
  due: (step: number) => boolean,
  species: string[],
  types: Int32Array,
): Observer {
  return { due, observe: (_t, frame, cell) => save(checkpointOf(frame, species, types, cell.lattice)) };
}
