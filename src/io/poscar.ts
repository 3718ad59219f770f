/**
 * VASP POSCAR/CONTCAR (VASP 5: species names line required), direct or Cartesian coordinates, optional selective
 * dynamics (flags read and dropped), scale factor (negative = target volume). The writer groups atoms by species, as
 * the format requires, in order of first appearance.
 */
import { cellProblem, inverse3, makeCell, volume } from '../model/cell.ts';
import type { Structure } from '../model/structure.ts';
import { ParseError, parseFiniteNumber, parseInteger } from './errors.ts';

export function parsePoscar(text: string, file = 'POSCAR'): Structure {
  const lines = text.split(/\r?\n/);
  let k = 0;
  const need = (what: string) => {
    if (k >= lines.length || (lines[k].trim() === '' && k > 0))
      throw new ParseError(file, Math.min(k + 1, lines.length), `file ends early: expected ${what}`);
    return lines[k++].trim();
  };
  const title = need('the comment line');
  const scaleLine = k + 1;
  // one factor (negative: the volume wanted, A^3), or VASP's three, one per Cartesian axis
  const scales = need('the scale factor')
    .split(/\s+/)
    .filter((t) => !t.startsWith('!') && !t.startsWith('#'))
    .slice(0, 3)
    .map((t) => parseFiniteNumber(t, file, scaleLine, 'scale factor'));
  if (scales.length === 2) throw new ParseError(file, scaleLine, 'give one scale factor or three, not two');
  if (scales.some((x) => x === 0)) throw new ParseError(file, scaleLine, 'a scale factor of 0 makes no cell');
  if (scales.length === 3 && scales.some((x) => x < 0))
    throw new ParseError(file, scaleLine, 'three scale factors must all be positive (a negative one means a volume)');
  const scale = scales[0];
  const lattice: number[] = [];
  for (let r = 0; r < 3; r++) {
    const no = k + 1;
    const toks = need(`lattice vector ${r + 1}`).split(/\s+/);
    if (toks.length < 3) throw new ParseError(file, no, `lattice vector ${r + 1} needs 3 numbers`);
    for (let d = 0; d < 3; d++) lattice.push(parseFiniteNumber(toks[d], file, no, 'lattice vector'));
  }
  const speciesNo = k + 1;
  const speciesToks = need('the species names (VASP 5)').split(/\s+/);
  if (speciesToks.every((t) => /^\d+$/.test(t))) {
    throw new ParseError(
      file,
      speciesNo,
      'species names are missing (VASP 4 format): add a line of element symbols before the counts',
    );
  }
  for (const t of speciesToks)
    if (!/^[A-Z][a-z]?$/.test(t.replace(/[_/].*$/, '')))
      throw new ParseError(file, speciesNo, `'${t}' is not an element symbol`);
  const species = speciesToks.map((t) => t.replace(/[_/].*$/, ''));
  const countNo = k + 1;
  const counts = need('the atom counts')
    .split(/\s+/)
    .map((t) => parseInteger(t, file, countNo, 'atom count', 0));
  if (counts.length !== species.length)
    throw new ParseError(file, countNo, `${counts.length} counts for ${species.length} species`);
  let mode = need("'Direct' or 'Cartesian'");
  if (/^s/i.test(mode)) mode = need("'Direct' or 'Cartesian'");
  const cartesian = /^[ck]/i.test(mode);
  if (!cartesian && !/^d/i.test(mode))
    throw new ParseError(file, k, `expected 'Direct' or 'Cartesian', found '${mode}'`);
  const raw = cellProblem(lattice);
  if (raw) throw new ParseError(file, scaleLine + 1, raw);
  let factor = scale;
  if (scale < 0) factor = Math.cbrt(-scale / volume(makeCell(lattice)));
  const L = scales.length === 3 ? lattice.map((v, k) => v * scales[k % 3]) : lattice.map((v) => v * factor);
  const n = counts.reduce((a, b) => a + b, 0);
  const types = new Int32Array(n);
  const positions = new Float64Array(3 * n);
  let a = 0;
  counts.forEach((c, t) => {
    for (let q = 0; q < c; q++, a++) {
      const no = k + 1;
      if (k >= lines.length || lines[k].trim() === '')
        throw new ParseError(file, Math.min(no, lines.length), `expected ${n} atom lines, found ${a}`);
      const toks = lines[k++].trim().split(/\s+/);
      if (toks.length < 3) throw new ParseError(file, no, 'an atom line needs 3 coordinates');
      const x = [0, 1, 2].map((d) => parseFiniteNumber(toks[d], file, no, 'coordinate'));
      types[a] = t;
      if (cartesian) for (let d = 0; d < 3; d++) positions[3 * a + d] = x[d] * factor;
      else for (let d = 0; d < 3; d++) positions[3 * a + d] = x[0] * L[d] + x[1] * L[3 + d] + x[2] * L[6 + d];
    }
  });
  return { cell: makeCell(L), species, types, positions, title };
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
