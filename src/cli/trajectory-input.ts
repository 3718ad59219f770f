/**
 * Trajectories in every format the lab reads, frame by frame from the file (never whole): extended XYZ (the lab's own,
 * with Time= and per-atom labels), LAMMPS text dumps, VASP XDATCAR.
 */
import { basename } from 'node:path';
import { extxyzFrames } from '../io/extxyz.ts';
import { lammpsDumpFrames } from '../io/lammps-read.ts';
import { xdatcarFrames } from '../io/poscar.ts';
import type { Structure } from '../model/structure.ts';
import { fileLines } from './files.ts';

export type TrajectoryFormat = 'extxyz' | 'lammps-dump' | 'xdatcar';

export interface TrajectoryInputFrame {
  structure: Structure;
  /** Time of the frame, fs, when the file says (extended XYZ's Time=). */
  time?: number;
  /** MD step, when the file says (dumps, extended XYZ's step=). */
  step?: number;
  /** Positions are unwrapped (no jumps across the cell). */
  unwrapped: boolean;
  /** Per-atom columns (extended XYZ), e.g. gb_distance. */
  arrays: Record<string, Float64Array>;
  /** Mean temperature of the frame, K, when the file says. */
  temperature?: number;
}

export function trajectoryFormatOf(path: string): TrajectoryFormat {
  const name = basename(path).toLowerCase();
  if (/\.(extxyz|xyz)$/.test(name)) return 'extxyz';
  if (/\.(dump|lammpstrj)$/.test(name) || name.startsWith('dump.')) return 'lammps-dump';
  if (name.startsWith('xdatcar') || name.endsWith('.xdatcar')) return 'xdatcar';
  throw new Error(
    `cannot tell the trajectory format of '${path}' (extended XYZ .extxyz/.xyz, LAMMPS dump .dump/.lammpstrj/dump.*, VASP XDATCAR)`,
  );
}

/** The frames of a trajectory file; `typeSpecies` names LAMMPS types 1, 2, ... (dumps only). */
export function* trajectoryFrames(path: string, typeSpecies: readonly string[]): Generator<TrajectoryInputFrame> {
  const file = basename(path);
  const lines = fileLines(path);
  switch (trajectoryFormatOf(path)) {
    case 'extxyz':
      for (const f of extxyzFrames(lines, file)) {
        const num = (k: string) => (f.info[k] !== undefined ? Number(f.info[k]) : undefined);
        yield {
          structure: f.structure,
          time: num('Time'),
          step: num('step'),
          unwrapped: f.info.unwrapped === 'T',
          arrays: f.arrays,
          temperature: num('temperature'),
        };
      }
      return;
    case 'lammps-dump':
      for (const f of lammpsDumpFrames(lines, file, typeSpecies))
        yield { structure: f.structure, step: f.step, unwrapped: f.unwrapped, arrays: {} };
      return;
    case 'xdatcar':
      for (const f of xdatcarFrames(lines, file)) yield { structure: f.structure, unwrapped: false, arrays: {} };
      return;
  }
}
