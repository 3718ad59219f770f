/**
 * VASP POSCAR/CONTCAR (VASP 5: species names line required), direct or Cartesian coordinates, optional selective
 * dynamics (flags read and dropped), scale factor (negative = target volume). The writer groups atoms by species, as
 * the format requires, in order of first appearance.
 */
import { cellProblem, inverse3, makeCell, volume } from '../model/cell.ts';
import { isElementSymbol } from '../model/species.ts';
import type { Structure } from '../model/structure.ts';
import { ParseError, parseFiniteNumber, parseInteger } from './errors.ts';
import { LineCursor, MAX_FRAME_ATOMS } from './lines.ts';

/** The header every POSCAR and XDATCAR frame starts with: comment, scale, lattice, species names and counts. */
interface PoscarHeader {
  title: string;
  /** Lattice vectors after scaling, A (rows). */
  lattice: number[];
  /** Factor for Cartesian coordinates. */
  factor: number;
  species: string[];
  counts: number[];
  /** The atoms declared. */
  atoms: number;
}

function readHeader(cur: LineCursor, file: string, first: boolean): PoscarHeader {
  const need = (what: string) => {
    const l = cur.next();
    if (l === undefined || (l.trim() === '' && !(first && cur.line === 1)))
      throw new ParseError(file, Math.max(1, cur.line), `file ends early: expected ${what}`);
    return l.trim();
  };
  const title = need('the comment line');
  // one factor (negative: the volume wanted, A^3), or VASP's three, one per Cartesian axis
  const scales = need('the scale factor')
    .split(/\s+/)
    .filter((t) => !t.startsWith('!') && !t.startsWith('#'))
    .slice(0, 3)
    .map((t) => parseFiniteNumber(t, file, cur.line, 'scale factor'));
  const scaleLine = cur.line;
  if (scales.length === 2) throw new ParseError(file, scaleLine, 'give one scale factor or three, not two');
  if (scales.some((x) => x === 0)) throw new ParseError(file, scaleLine, 'a scale factor of 0 makes no cell');
  if (scales.length === 3 && scales.some((x) => x < 0))
    throw new ParseError(file, scaleLine, 'three scale factors must all be positive (a negative one means a volume)');
  const scale = scales[0];
  const lattice: number[] = [];
  for (let r = 0; r < 3; r++) {
    const toks = need(`lattice vector ${r + 1}`).split(/\s+/);
    if (toks.length < 3) throw new ParseError(file, cur.line, `lattice vector ${r + 1} needs 3 numbers`);
    for (let d = 0; d < 3; d++) lattice.push(parseFiniteNumber(toks[d], file, cur.line, 'lattice vector'));
  }
  const speciesToks = need('the species names (VASP 5)').split(/\s+/);
  const speciesNo = cur.line;
  if (speciesToks.every((t) => /^\d+$/.test(t))) {
    throw new ParseError(
      file,
      speciesNo,
      'species names are missing (VASP 4 format): add a line of element symbols before the counts',
    );
  }
  for (const t of speciesToks)
    if (!isElementSymbol(t.replace(/[_/].*$/, '')))
      throw new ParseError(file, speciesNo, `'${t}' is not an element symbol`);
  const species = speciesToks.map((t) => t.replace(/[_/].*$/, ''));
  const counts = need('the atom counts')
    .split(/\s+/)
    .map((t) => parseInteger(t, file, cur.line, 'atom count', 0));
  const countNo = cur.line;
  if (counts.length !== species.length)
    throw new ParseError(file, countNo, `${counts.length} counts for ${species.length} species`);
  const atoms = counts.reduce((a, b) => a + b, 0);
  if (atoms > MAX_FRAME_ATOMS)
    throw new ParseError(file, countNo, `${atoms} atoms declared, more than the ${MAX_FRAME_ATOMS} a frame may hold`);
  const raw = cellProblem(lattice);
  if (raw) throw new ParseError(file, scaleLine + 1, raw);
  let factor = scale;
  if (scale < 0) factor = Math.cbrt(-scale / volume(makeCell(lattice)));
  const L = scales.length === 3 ? lattice.map((v, k) => v * scales[k % 3]) : lattice.map((v) => v * factor);
  return { title, lattice: L, factor, species, counts, atoms };
}

/** The atom lines of a frame: `atoms` lines of three coordinates (more columns, e.g. selective flags, ignored). */
function readAtoms(cur: LineCursor, file: string, h: PoscarHeader, cartesian: boolean): Float64Array {
  const positions = new Float64Array(3 * h.atoms);
  const L = h.lattice;
  for (let a = 0; a < h.atoms; a++) {
    const l = cur.next();
    if (l === undefined || l.trim() === '')
      throw new ParseError(file, Math.max(1, cur.line), `expected ${h.atoms} atom lines, found ${a}`);
    const toks = l.trim().split(/\s+/);
    if (toks.length < 3) throw new ParseError(file, cur.line, 'an atom line needs 3 coordinates');
    const x = [0, 1, 2].map((d) => parseFiniteNumber(toks[d], file, cur.line, 'coordinate'));
    if (cartesian) for (let d = 0; d < 3; d++) positions[3 * a + d] = x[d] * h.factor;
    else for (let d = 0; d < 3; d++) positions[3 * a + d] = x[0] * L[d] + x[1] * L[3 + d] + x[2] * L[6 + d];
  }
  return positions;
}

const typesOf = (h: PoscarHeader) => Int32Array.from(h.counts.flatMap((c, t) => new Array<number>(c).fill(t)));

export function parsePoscar(text: string, file = 'POSCAR'): Structure {
  const cur = new LineCursor(text.split('\n'));
  const h = readHeader(cur, file, true);
  const need = (what: string) => {
    const l = cur.next();
    if (l === undefined || l.trim() === '')
      throw new ParseError(file, Math.max(1, cur.line), `file ends early: expected ${what}`);
    return l.trim();
  };
  let mode = need("'Direct' or 'Cartesian'");
  if (/^s/i.test(mode)) mode = need("'Direct' or 'Cartesian'");
  const cartesian = /^[ck]/i.test(mode);
  if (!cartesian && !/^d/i.test(mode))
    throw new ParseError(file, cur.line, `expected 'Direct' or 'Cartesian', found '${mode}'`);
  const positions = readAtoms(cur, file, h, cartesian);
  return { cell: makeCell(h.lattice), species: h.species, types: typesOf(h), positions, title: h.title };
}

/**
 * The frames of a VASP XDATCAR (VASP 5): a header, then blocks headed "Direct configuration= N" (or Cartesian); a
 * run with a changing cell repeats the header before each block. Positions are wrapped into the cell, as VASP
 * writes them (the reader of a trajectory unwraps them).
 */
export function* xdatcarFrames(
  lines: Iterable<string>,
  file = 'XDATCAR',
): Generator<{ structure: Structure; line: number }> {
  const cur = new LineCursor(lines);
  let h = readHeader(cur, file, true);
  while (cur.skipBlank()) {
    const head = cur.peek()!.trim();
    if (!/^(direct|cartesian)/i.test(head)) h = readHeader(cur, file, false);
    const start = cur.line + 1;
    const mode = cur.next()?.trim() ?? '';
    if (!/^(direct|cartesian)/i.test(mode))
      throw new ParseError(file, cur.line, `expected 'Direct configuration= N', found '${mode}'`);
    const positions = readAtoms(cur, file, h, /^c/i.test(mode));
    yield {
      structure: { cell: makeCell(h.lattice), species: h.species, types: typesOf(h), positions, title: h.title },
      line: start,
    };
  }
}

export function writePoscar(s: Structure): string {
  const order = s.species.map((_, t) => t).filter((t) => s.types.includes(t));
  const L = s.cell.lattice;
  const inv = inverse3(L);
  const f = (v: number) => v.toFixed(12).padStart(18);
  const lines = [
    (s.title ?? 'written by LiLab').replace(/\n/g, ' '),
    '1.0',
    ...[0, 1, 2].map((r) => `${f(L[3 * r])}${f(L[3 * r + 1])}${f(L[3 * r + 2])}`),
    order.map((t) => s.species[t]).join(' '),
    order.map((t) => s.types.filter((x) => x === t).length).join(' '),
    'Direct',
  ];
  for (const t of order) {
    for (let i = 0; i < s.types.length; i++) {
      if (s.types[i] !== t) continue;
      const p = [s.positions[3 * i], s.positions[3 * i + 1], s.positions[3 * i + 2]];
      const g = [0, 1, 2].map((k) => p[0] * inv[k] + p[1] * inv[3 + k] + p[2] * inv[6 + k]);
      lines.push(`${f(g[0])}${f(g[1])}${f(g[2])} ${s.species[t]}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
