/**
 * Structure and trajectory files by name, through one table of formats (name, how files are named, what a file
 * carries, its reader, frame reader and writer). `formatOf`, the page's file-picker accept list, `convert --help` and
 * the trajectory reader of `msd` all come from the table, so adding a format is its reader/writer module, one row here
 * and a test.
 */
import { LI_P_S } from '../model/species.ts';
import type { Structure } from '../model/structure.ts';
import { parseCfg, writeCfg } from './cfg.ts';
import { parseCif, writeCif } from './cif.ts';
import { extxyzFrames, formatExtxyzFrame } from './extxyz.ts';
import { writeLammpsData } from './lammps.ts';
import { lammpsDumpFrames, parseLammpsData } from './lammps-read.ts';
import { parsePoscar, writePoscar, xdatcarFrames } from './poscar.ts';

// Plain string helpers (this module also runs in the browser, where node:path does not exist).
const basename = (p: string) => p.split(/[\\/]/).pop() ?? p;
const extname = (p: string) => {
  const b = basename(p);
  const k = b.lastIndexOf('.');
  return k > 0 ? b.slice(k) : '';
};

export type StructureFormat = 'cif' | 'poscar' | 'extxyz' | 'cfg' | 'lammps-data' | 'lammps-dump' | 'xdatcar';

export interface ReadOptions {
  /** Species of the file's numeric types in order (MLIP .cfg, LAMMPS dumps); Li,P,S when not given. */
  species?: readonly string[];
  /** Picks the occupied positions of a CIF with partial occupancies (src/io/cif.ts). */
  orderSeed?: number;
}

/** One frame of a trajectory as its reader gives it. */
export interface TrajectoryFrame {
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

export interface FormatSpec {
  readonly name: StructureFormat;
  readonly title: string;
  /** Endings of the file name, lower case with the dot. */
  readonly extensions: readonly string[];
  /** Starts of the file name (lower case) for files named as VASP and LAMMPS write them; checked after extensions. */
  readonly prefixes: readonly string[];
  /** What a file of this format holds, for help texts. */
  readonly carries: string;
  /** The structure a file holds; formats without it are read as their last frame. */
  readonly read?: (text: string, file: string, options: ReadOptions) => Structure;
  /** The frames of a trajectory, one by one from its lines (never the whole file). */
  readonly frames?: (lines: Iterable<string>, file: string, options: ReadOptions) => Iterable<TrajectoryFrame>;
  readonly write?: (s: Structure, options: ReadOptions) => string;
}

const speciesOf = (options: ReadOptions) => options.species ?? LI_P_S;

function* extxyzTrajectory(lines: Iterable<string>, file: string): Generator<TrajectoryFrame> {
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
}

function readCfg(text: string, file: string, options: ReadOptions): Structure {
  const [c] = parseCfg(text, file);
  if (!c) throw new Error(`${file} holds no configurations`);
  if (!c.cell) throw new Error(`${file}: the configuration has no Supercell (a periodic cell is needed)`);
  const species = speciesOf(options);
  const bad = c.types.find((t) => t >= species.length);
  if (bad !== undefined)
    throw new Error(`${file}: type ${bad} has no species name (species order ${species.join(',')})`);
  return { cell: c.cell, species: [...species], types: c.types, positions: c.positions, title: file };
}

function writeCfgOf(s: Structure, options: ReadOptions): string {
  const order = speciesOf(options);
  const types = Int32Array.from(s.types, (t) => {
    const k = order.indexOf(s.species[t]);
    if (k < 0) throw new Error(`species ${s.species[t]} is not in the type order ${order.join(',')}`);
    return k;
  });
  return writeCfg([{ types, positions: s.positions, cell: s.cell, features: [] }]);
}

/** A structure's per-atom labels as extended XYZ columns (`grain`, `gb_distance`), which `msd --region` reads. */
export function labelColumns(s: Structure): Record<string, Float64Array> {
  const arrays: Record<string, Float64Array> = {};
  if (s.labels?.grain) arrays.grain = Float64Array.from(s.labels.grain);
  if (s.labels?.boundaryDistance) arrays.gb_distance = Float64Array.from(s.labels.boundaryDistance);
  return arrays;
}

export const STRUCTURE_FORMATS: readonly FormatSpec[] = [
  {
    name: 'cif',
    title: 'CIF',
    extensions: ['.cif'],
    prefixes: [],
    carries: 'cell, sites by symmetry (expanded), partial occupancies with --order-seed',
    read: (text, file, o) => parseCif(text, file, { orderSeed: o.orderSeed }),
    write: (s) => writeCif(s),
  },
  {
    name: 'poscar',
    title: 'VASP POSCAR/CONTCAR',
    extensions: ['.vasp', '.poscar'],
    prefixes: ['poscar', 'contcar'],
    carries: 'cell, species, positions (selective dynamics and velocities read and dropped)',
    read: (text, file) => parsePoscar(text, file),
    write: (s) => writePoscar(s),
  },
  {
    name: 'extxyz',
    title: 'extended XYZ',
    extensions: ['.xyz', '.extxyz'],
    prefixes: [],
    carries: 'frames with cell, species, positions, per-atom columns (grain, gb_distance), Time= and provenance',
    frames: (lines, file) => extxyzTrajectory(lines, file),
    write: (s) => formatExtxyzFrame(s, s.title ? { title: s.title } : {}, labelColumns(s)),
  },
  {
    name: 'cfg',
    title: 'MLIP .cfg',
    extensions: ['.cfg'],
    prefixes: [],
    carries: 'cell, numeric types (named by --species), positions; energies, forces and stresses when labelled',
    read: readCfg,
    write: writeCfgOf,
  },
  {
    name: 'lammps-data',
    title: 'LAMMPS data',
    extensions: ['.data', '.lmp'],
    prefixes: [],
    carries: 'box (triclinic with tilts), atom types with Masses, positions (atomic or charge style)',
    read: (text, file) => parseLammpsData(text, file),
    write: (s) => writeLammpsData(s),
  },
  {
    name: 'lammps-dump',
    title: 'LAMMPS text dump',
    extensions: ['.dump', '.lammpstrj'],
    prefixes: ['dump.'],
    carries: 'frames with box, types (named by --species), wrapped, scaled or unwrapped positions, step',
    frames: (lines, file, o) =>
      (function* () {
        for (const f of lammpsDumpFrames(lines, file, speciesOf(o)))
          yield { structure: f.structure, step: f.step, unwrapped: f.unwrapped, arrays: {} };
      })(),
  },
  {
    name: 'xdatcar',
    title: 'VASP XDATCAR',
    extensions: ['.xdatcar'],
    prefixes: ['xdatcar'],
    carries: 'frames with cell (fixed or per frame), species, positions (wrapped)',
    frames: (lines, file) =>
      (function* () {
        for (const f of xdatcarFrames(lines, file)) yield { structure: f.structure, unwrapped: false, arrays: {} };
      })(),
  },
];

function namesOf(f: FormatSpec): string {
  return [...f.extensions, ...f.prefixes.map((p) => (p.endsWith('.') ? `${p}*` : p.toUpperCase()))].join('/');
}

function formatSpecOf(path: string, which: 'structure' | 'trajectory' = 'structure'): FormatSpec {
  const name = basename(path).toLowerCase();
  const ext = extname(name);
  const usable = STRUCTURE_FORMATS.filter((f) => which === 'structure' || f.frames);
  const found =
    usable.find((f) => f.extensions.includes(ext)) ?? usable.find((f) => f.prefixes.some((p) => name.startsWith(p)));
  if (found) return found;
  throw new Error(
    `cannot tell the ${which} format of '${path}' (use ${usable.map((f) => `${f.title} ${namesOf(f)}`).join(', ')})`,
  );
}

export function formatOf(path: string): StructureFormat {
  return formatSpecOf(path).name;
}

/** Names `formatOf` recognises, as a file picker's accept list (extensions and the VASP file names). */
export const STRUCTURE_FILE_ACCEPT = STRUCTURE_FORMATS.flatMap((f) => [
  ...f.extensions,
  ...f.prefixes.filter((p) => !p.endsWith('.')).map((p) => p.toUpperCase()),
]).join(',');

/** The table as lines for a command's help: format, names, read/write, what it carries. */
export function formatHelp(): string {
  return STRUCTURE_FORMATS.map((f) => {
    const how = [f.read || f.frames ? 'read' : '', f.frames ? 'frames' : '', f.write ? 'write' : '']
      .filter(Boolean)
      .join('+');
    return `  ${f.title} (${namesOf(f)}; ${how}): ${f.carries}`;
  }).join('\n');
}

export function readStructureText(text: string, path: string, options: ReadOptions = {}): Structure {
  const file = basename(path);
  const spec = formatSpecOf(path);
  if (spec.read) return spec.read(text, file, options);
  // a trajectory read as a structure: its last frame, with the lab's per-atom labels when it carries them
  let last: TrajectoryFrame | null = null;
  for (const f of spec.frames!(text.split('\n'), file, options)) last = f;
  if (!last) throw new Error(`${file} holds no frames`);
  const s = last.structure;
  const { grain, gb_distance } = last.arrays;
  if (grain && gb_distance)
    s.labels = { grain: Int32Array.from(grain), boundaryDistance: Float64Array.from(gb_distance) };
  return { ...s, title: s.title ?? file };
}

/** The frames of a trajectory from its lines, in the format its name says. */
export function trajectoryFramesOf(
  lines: Iterable<string>,
  path: string,
  options: ReadOptions = {},
): Iterable<TrajectoryFrame> {
  return formatSpecOf(path, 'trajectory').frames!(lines, basename(path), options);
}

export function writeStructureText(s: Structure, path: string, options: ReadOptions = {}): string {
  const spec = formatSpecOf(path);
  if (!spec.write)
    throw new Error(`${basename(path)}: ${spec.title} files are written by lilab md (--out extxyz, --dump), not here`);
  return spec.write(s, options);
}
