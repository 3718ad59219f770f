/**
 * Reading LAMMPS text files back: data files (atom_style atomic or charge; the box, Masses and Atoms sections) and dump
 * files (`dump custom` or `dump atom` with id, type and x y z, xu yu zu or xs ys zs, optional ix iy iz), frame by frame.
 * LAMMPS knows atom types, not elements: a data file names them through its Masses (each mass matched to the nearest
 * element), a dump through the type order the caller gives (the potential's, as `lilab export-lammps` writes them).
 * Positions come in LAMMPS's frame (a along x, b in the xy plane), which is how LAMMPS holds every cell.
 */
import { type Cell, cellProblem, makeCell } from '../model/cell.ts';
import { nearestElementByMass } from '../model/species.ts';
import type { Structure } from '../model/structure.ts';
import { ParseError, parseFiniteNumber, parseInteger } from './errors.ts';
import { LineCursor, MAX_FRAME_ATOMS } from './lines.ts';

/** A trajectory frame as the readers give it. */
export interface TrajectoryFrame {
  structure: Structure;
  /** Positions are unwrapped (image flags applied, or written unwrapped). */
  unwrapped: boolean;
  /** MD step (dumps), if the file gives one. */
  step?: number;
  /** 1-based line where the frame starts. */
  line: number;
}

/** The element of a Masses line (within 0.5 amu of its standard mass), as LAMMPS data files give no names. */
function elementOfMass(mass: number, file: string, line: number): string {
  const e = nearestElementByMass(mass);
  if (e.difference > 0.5)
    throw new ParseError(file, line, `mass ${mass} is not the mass of an element the lab knows (nearest ${e.symbol})`);
  return e.symbol;
}

/** The lattice of a LAMMPS box: a = (lx, 0, 0), b = (xy, ly, 0), c = (xz, yz, lz). */
function boxCell(
  lx: number,
  ly: number,
  lz: number,
  xy: number,
  xz: number,
  yz: number,
  file: string,
  line: number,
): Cell {
  const lattice = [lx, 0, 0, xy, ly, 0, xz, yz, lz];
  const problem = cellProblem(lattice);
  if (problem) throw new ParseError(file, line, problem);
  return makeCell(lattice);
}

const SECTION = /^(Atoms|Velocities|Masses|Bonds|Angles|Dihedrals|Impropers|Pair Coeffs|\w+ Coeffs)\b/;

/** A LAMMPS data file (atomic or charge style) as a structure; species from Masses. */
export function parseLammpsData(text: string, file = 'structure.data'): Structure {
  const cur = new LineCursor(text.split('\n'));
  cur.next(); // the first line is a title
  let atoms = -1;
  let atomTypes = -1;
  const bounds: Record<string, [number, number]> = {};
  let tilt = [0, 0, 0];
  let boxLine = 0;
  const strip = (l: string) => l.replace(/#.*/, '').trim();
  // header: counts and box until the first section keyword
  while (cur.peek() !== undefined && !SECTION.test(strip(cur.peek()!))) {
    const l = strip(cur.next()!);
    if (!l) continue;
    const t = l.split(/\s+/);
    if (/^\d+ atoms$/.test(l)) atoms = parseInteger(t[0], file, cur.line, 'the atom count');
    else if (/ atom types$/.test(l)) atomTypes = parseInteger(t[0], file, cur.line, 'the atom type count', 1);
    else if (/ [xyz]lo [xyz]hi$/.test(l)) {
      bounds[t[2][0]] = [parseFiniteNumber(t[0], file, cur.line, t[2]), parseFiniteNumber(t[1], file, cur.line, t[3])];
      boxLine = cur.line;
    } else if (/ xy xz yz$/.test(l)) tilt = t.slice(0, 3).map((v) => parseFiniteNumber(v, file, cur.line, 'tilt'));
  }
  if (atoms < 0) throw new ParseError(file, 0, 'no "N atoms" line in the header');
  if (atoms > MAX_FRAME_ATOMS) throw new ParseError(file, 0, `${atoms} atoms declared, more than ${MAX_FRAME_ATOMS}`);
  if (atomTypes < 0) throw new ParseError(file, 0, 'no "N atom types" line in the header');
  for (const a of ['x', 'y', 'z'])
    if (!bounds[a]) throw new ParseError(file, 0, `no "${a}lo ${a}hi" line in the header`);
  const len = (a: string) => bounds[a][1] - bounds[a][0];
  const cell = boxCell(len('x'), len('y'), len('z'), tilt[0], tilt[1], tilt[2], file, boxLine);
  const origin = [bounds.x[0], bounds.y[0], bounds.z[0]];
  const massOf = new Map<number, string>();
  let positions: Float64Array | null = null;
  let typeIds: Int32Array | null = null;
  while (cur.peek() !== undefined) {
    const head = strip(cur.next()!);
    if (!head) continue;
    const sectionLine = cur.line;
    const rows = head === 'Masses' ? atomTypes : head.startsWith('Atoms') ? atoms : head === 'Velocities' ? atoms : -1;
    if (rows < 0)
      throw new ParseError(file, sectionLine, `section '${head}' is not read by the lab (atomic systems only)`);
    if (!cur.skipBlank()) throw new ParseError(file, sectionLine, `file ends in section ${head}`);
    if (head.startsWith('Atoms')) {
      positions = new Float64Array(3 * atoms);
      typeIds = new Int32Array(atoms);
    }
    const seen = new Uint8Array(head.startsWith('Atoms') ? atoms : 0);
    for (let k = 0; k < rows; k++) {
      const raw = cur.next();
      if (raw === undefined || strip(raw) === '')
        throw new ParseError(file, cur.line, `section ${head} has ${k} lines, expected ${rows}`);
      const t = strip(raw).split(/\s+/);
      if (head === 'Masses') {
        const type = parseInteger(t[0], file, cur.line, 'atom type', 1);
        if (type > atomTypes) throw new ParseError(file, cur.line, `type ${type} above the ${atomTypes} atom types`);
        massOf.set(type, elementOfMass(parseFiniteNumber(t[1], file, cur.line, 'mass'), file, cur.line));
      } else if (head.startsWith('Atoms')) {
        // atomic: id type x y z [ix iy iz]; charge: id type q x y z [ix iy iz]
        const charge = t.length === 6 || t.length === 9;
        if (![5, 6, 8, 9].includes(t.length))
          throw new ParseError(file, cur.line, `expected id type [q] x y z [ix iy iz], found ${t.length} columns`);
        const id = parseInteger(t[0], file, cur.line, 'atom id', 1);
        if (id > atoms)
          throw new ParseError(file, cur.line, `atom id ${id} above the ${atoms} atoms (ids must be 1..N)`);
        if (seen[id - 1]) throw new ParseError(file, cur.line, `atom id ${id} appears twice`);
        seen[id - 1] = 1;
        typeIds![id - 1] = parseInteger(t[1], file, cur.line, 'atom type', 1);
        const p = charge ? 3 : 2;
        for (let d = 0; d < 3; d++)
          positions![3 * (id - 1) + d] = parseFiniteNumber(t[p + d], file, cur.line, 'position') - origin[d];
      }
    }
  }
  if (!positions || !typeIds) throw new ParseError(file, 0, 'no Atoms section');
  const species: string[] = [];
  const types = new Int32Array(atoms);
  for (let i = 0; i < atoms; i++) {
    const sym = massOf.get(typeIds[i]);
    if (!sym) throw new ParseError(file, 0, `atom type ${typeIds[i]} has no mass in the Masses section`);
    let k = species.indexOf(sym);
    if (k < 0) k = species.push(sym) - 1;
    types[i] = k;
  }
  return { cell, species, types, positions, title: file };
}

/**
 * The frames of a LAMMPS text dump, one by one. `typeSpecies[t - 1]` names type t. Scaled coordinates are converted,
 * image flags applied (the frame is then unwrapped), atoms sorted by id.
 */
export function* lammpsDumpFrames(
  lines: Iterable<string>,
  file: string,
  typeSpecies: readonly string[],
): Generator<TrajectoryFrame> {
  const cur = new LineCursor(lines);
  const expect = (what: RegExp, name: string) => {
    const l = cur.next();
    if (l === undefined || !what.test(l)) throw new ParseError(file, cur.line, `expected '${name}'`);
    return l;
  };
  while (cur.skipBlank()) {
    expect(/^ITEM: TIMESTEP/, 'ITEM: TIMESTEP');
    const start = cur.line;
    const step = parseInteger(cur.next() ?? '', file, cur.line, 'the timestep');
    expect(/^ITEM: NUMBER OF ATOMS/, 'ITEM: NUMBER OF ATOMS');
    const n = parseInteger(cur.next() ?? '', file, cur.line, 'the atom count');
    if (n > MAX_FRAME_ATOMS) throw new ParseError(file, cur.line, `${n} atoms declared, more than ${MAX_FRAME_ATOMS}`);
    const boxHead = expect(/^ITEM: BOX BOUNDS/, 'ITEM: BOX BOUNDS');
    const triclinic = /xy xz yz/.test(boxHead);
    if (!/pp pp pp\s*$/.test(boxHead))
      throw new ParseError(file, cur.line, 'only boxes periodic along x, y and z (pp pp pp) are supported');
    const b = [0, 1, 2].map(() => {
      const t = (cur.next() ?? '').trim().split(/\s+/);
      if (t.length !== (triclinic ? 3 : 2))
        throw new ParseError(file, cur.line, 'a box bounds line needs 2 (3) numbers');
      return t.map((v) => parseFiniteNumber(v, file, cur.line, 'box bounds'));
    });
    const boxLine = cur.line;
    const [xy, xz, yz] = triclinic ? [b[0][2], b[1][2], b[2][2]] : [0, 0, 0];
    // LAMMPS writes the bounds of the tilted box's bounding box: take the tilts back out
    const xlo = b[0][0] - Math.min(0, xy, xz, xy + xz);
    const xhi = b[0][1] - Math.max(0, xy, xz, xy + xz);
    const ylo = b[1][0] - Math.min(0, yz);
    const yhi = b[1][1] - Math.max(0, yz);
    const cell = boxCell(xhi - xlo, yhi - ylo, b[2][1] - b[2][0], xy, xz, yz, file, boxLine);
    const cols = expect(/^ITEM: ATOMS /, 'ITEM: ATOMS')
      .slice(12)
      .trim()
      .split(/\s+/);
    const col = (name: string) => cols.indexOf(name);
    const [id, type] = [col('id'), col('type')];
    const sets = [
      ['x', 'y', 'z'],
      ['xu', 'yu', 'zu'],
      ['xs', 'ys', 'zs'],
    ];
    const set = sets.findIndex((s) => s.every((c) => col(c) >= 0));
    if (id < 0 || type < 0 || set < 0)
      throw new ParseError(
        file,
        cur.line,
        `ITEM: ATOMS needs id, type and x y z (or xu yu zu, xs ys zs): '${cols.join(' ')}'`,
      );
    const pc = sets[set].map(col);
    const ic = ['ix', 'iy', 'iz'].map(col);
    const images = ic.every((c) => c >= 0);
    const types = new Int32Array(n);
    const positions = new Float64Array(3 * n);
    const seen = new Uint8Array(n);
    const L = cell.lattice;
    const origin = [xlo, ylo, b[2][0]];
    for (let k = 0; k < n; k++) {
      const raw = cur.next();
      if (raw === undefined || raw.trim() === '')
        throw new ParseError(file, cur.line, `expected ${n} atom lines, found ${k}`);
      const t = raw.trim().split(/\s+/);
      if (t.length !== cols.length)
        throw new ParseError(file, cur.line, `expected ${cols.length} columns, found ${t.length}`);
      const i = parseInteger(t[id], file, cur.line, 'atom id', 1) - 1;
      if (i >= n) throw new ParseError(file, cur.line, `atom id ${i + 1} above the ${n} atoms`);
      if (seen[i]) throw new ParseError(file, cur.line, `atom id ${i + 1} appears twice`);
      seen[i] = 1;
      const ty = parseInteger(t[type], file, cur.line, 'atom type', 1);
      if (ty > typeSpecies.length)
        throw new ParseError(
          file,
          cur.line,
          `atom type ${ty}, but the type order names ${typeSpecies.length} (--types)`,
        );
      types[i] = ty - 1;
      const v = pc.map((c) => parseFiniteNumber(t[c], file, cur.line, 'position'));
      const f = images
        ? ic.map((c) => parseInteger(t[c], file, cur.line, 'image flag', Number.NEGATIVE_INFINITY))
        : [0, 0, 0];
      // scaled coordinates are fractions of the box; the others are Cartesian from the box origin
      const r =
        set === 2
          ? [0, 1, 2].map((d) => v[0] * L[d] + v[1] * L[3 + d] + v[2] * L[6 + d])
          : v.map((x, d) => x - origin[d]);
      for (let d = 0; d < 3; d++) positions[3 * i + d] = r[d] + f[0] * L[d] + f[1] * L[3 + d] + f[2] * L[6 + d];
    }
    yield {
      structure: { cell, species: [...typeSpecies], types, positions },
      unwrapped: images || set === 1,
      step,
      line: start,
    };
  }
}
