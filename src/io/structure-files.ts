/**
 * One entry point for structure files, by name: .cif, POSCAR/CONTCAR (or .vasp/.poscar), .xyz/.extxyz (last frame when
 * reading), .cfg (MLIP; types mapped to species in the given order), and LAMMPS data (.data/.lmp, write only).
 */
import { LI_P_S } from '../model/species.ts';
import type { Structure } from '../model/structure.ts';
import { parseCfg, writeCfg } from './cfg.ts';
import { parseCif, writeCif } from './cif.ts';
import { formatExtxyzFrame, parseExtxyz } from './extxyz.ts';
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

/** Names `formatOf` recognises, as a file picker's accept list (extensions and the VASP file names). */
export const STRUCTURE_FILE_ACCEPT = [
  '.cif',
  '.vasp',
  '.poscar',
  '.xyz',
  '.extxyz',
  '.cfg',
  '.data',
  '.lmp',
  '.dump',
  '.lammpstrj',
  '.xdatcar',
  'POSCAR',
  'CONTCAR',
  'XDATCAR',
].join(',');

export function formatOf(path: string): StructureFormat {
  const name = basename(path).toLowerCase();
  const ext = extname(name);
  if (ext === '.cif') return 'cif';
  if (ext === '.xyz' || ext === '.extxyz') return 'extxyz';
  if (ext === '.cfg') return 'cfg';
  if (ext === '.data' || ext === '.lmp') return 'lammps-data';
  if (ext === '.dump' || ext === '.lammpstrj' || name.startsWith('dump.')) return 'lammps-dump';
  if (name.startsWith('xdatcar') || ext === '.xdatcar') return 'xdatcar';
  if (ext === '.vasp' || ext === '.poscar' || name.startsWith('poscar') || name.startsWith('contcar')) return 'poscar';
  throw new Error(
    `cannot tell the format of '${path}' (use .cif, POSCAR/CONTCAR/.vasp, XDATCAR, .xyz/.extxyz, .cfg, .data or .dump/.lammpstrj)`,
  );
}

export function readStructureText(
  text: string,
  path: string,
  options: { species?: string[]; orderSeed?: number } = {},
): Structure {
  const file = basename(path);
  switch (formatOf(path)) {
    case 'cif':
      return parseCif(text, file, { orderSeed: options.orderSeed });
    case 'poscar':
      return parsePoscar(text, file);
    case 'extxyz': {
      const frames = parseExtxyz(text, file);
      if (frames.length === 0) throw new Error(`${file} holds no frames`);
      const f = frames[frames.length - 1];
      const s = f.structure;
      if (f.arrays.grain && f.arrays.gb_distance) {
        s.labels = {
          grain: Int32Array.from(f.arrays.grain),
          boundaryDistance: Float64Array.from(f.arrays.gb_distance),
        };
      }
      return { ...s, title: s.title ?? file };
    }
    case 'cfg': {
      const [c] = parseCfg(text, file);
      if (!c) throw new Error(`${file} holds no configurations`);
      if (!c.cell) throw new Error(`${file}: the configuration has no Supercell (a periodic cell is needed)`);
      const species = options.species ?? [...LI_P_S];
      const bad = c.types.find((t) => t >= species.length);
      if (bad !== undefined)
        throw new Error(`${file}: type ${bad} has no species name (species order ${species.join(',')})`);
      return { cell: c.cell, species: [...species], types: c.types, positions: c.positions, title: file };
    }
    case 'lammps-data':
      return parseLammpsData(text, file);
    case 'lammps-dump':
    case 'xdatcar': {
      // a trajectory read as a structure: its last frame
      let last: Structure | null = null;
      const lines = text.split('\n');
      const frames =
        formatOf(path) === 'xdatcar'
          ? xdatcarFrames(lines, file)
          : lammpsDumpFrames(lines, file, options.species ?? [...LI_P_S]);
      for (const f of frames) last = f.structure;
      if (!last) throw new Error(`${file} holds no frames`);
      return { ...last, title: last.title ?? file };
    }
  }
}

/** A structure's per-atom labels as extended XYZ columns (`grain`, `gb_distance`), which `msd --region` reads. */
export function labelColumns(s: Structure): Record<string, Float64Array> {
  const arrays: Record<string, Float64Array> = {};
  if (s.labels?.grain) arrays.grain = Float64Array.from(s.labels.grain);
  if (s.labels?.boundaryDistance) arrays.gb_distance = Float64Array.from(s.labels.boundaryDistance);
  return arrays;
}

export function writeStructureText(s: Structure, path: string, options: { species?: string[] } = {}): string {
  switch (formatOf(path)) {
    case 'cif':
      return writeCif(s);
    case 'poscar':
      return writePoscar(s);
    case 'extxyz':
      return formatExtxyzFrame(s, s.title ? { title: s.title } : {}, labelColumns(s));
    case 'cfg': {
      const order = options.species ?? [...LI_P_S];
      const types = Int32Array.from(s.types, (t) => {
        const k = order.indexOf(s.species[t]);
        if (k < 0) throw new Error(`species ${s.species[t]} is not in the type order ${order.join(',')}`);
        return k;
      });
      return writeCfg([{ types, positions: s.positions, cell: s.cell, features: [] }]);
    }
    case 'lammps-data':
      return writeLammpsData(s);
    case 'lammps-dump':
    case 'xdatcar':
      throw new Error(`${basename(path)}: trajectories are written by lilab md (--out extxyz, --dump), not by convert`);
  }
}
