/**
 * Extended XYZ (ASE-compatible): per frame a count line, a comment line of key=value pairs (Lattice="ax ay az bx ...",
 * Properties=species:S:1:pos:R:3[:...], pbc="T T T", energy=..., free keys), then one line per atom. Many frames
 * per file. Positions are Cartesian A. The lab writes MD trajectories with unwrapped positions (atoms may stand
 * outside the cell) so displacements stay exact; ASE reads them as they are.
 */
import { cellProblem, makeCell } from '../model/cell.ts';
import { isElementSymbol } from '../model/species.ts';
import type { Structure } from '../model/structure.ts';
import { ParseError, parseFiniteNumber, parseInteger } from './errors.ts';
import { LineCursor, MAX_FRAME_ATOMS } from './lines.ts';

export interface ExtxyzFrame {
  structure: Structure;
  /** Comment-line keys other than Lattice, Properties and pbc, as text. */
  info: Record<string, string>;
  /** Per-atom real columns other than species and pos (e.g. forces), 1 or 3 numbers per atom. */
  arrays: Record<string, Float64Array>;
}

/** Splits the comment line into key=value pairs; values may be "quoted" (with \\" and \\\\ inside) or bare. */
export function parseKeyValues(line: string, file: string, lineNo: number): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z_][\w:-]*)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)))?/y;
  let pos = 0;
  while (pos < line.length) {
    if (/^\s*$/.test(line.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(line);
    if (!m) throw new ParseError(file, lineNo, `cannot read the comment line near '${line.slice(pos, pos + 30)}'`);
    out[m[1]] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? m[4] ?? 'T');
    pos = re.lastIndex;
  }
  return out;
}

interface Column {
  name: string;
  kind: 'S' | 'R' | 'I' | 'L';
  width: number;
}

function parseProperties(spec: string, file: string, lineNo: number): Column[] {
  const parts = spec.split(':');
  if (parts.length % 3 !== 0) throw new ParseError(file, lineNo, `Properties '${spec}' is not name:type:count triples`);
  const cols: Column[] = [];
  for (let k = 0; k < parts.length; k += 3) {
    const kind = parts[k + 1] as Column['kind'];
    if (!['S', 'R', 'I', 'L'].includes(kind))
      throw new ParseError(file, lineNo, `Properties: unknown type '${parts[k + 1]}'`);
    cols.push({ name: parts[k], kind, width: parseInteger(parts[k + 2], file, lineNo, 'Properties count', 1) });
  }
  return cols;
}

export function parseExtxyz(text: string, file = 'input.extxyz', speciesOrder?: string[]): ExtxyzFrame[] {
  return [...extxyzFrames(text.split('\n'), file, speciesOrder)];
}

/** The frames of an extended XYZ text one by one, from its lines (a string's or a file's read in chunks). */
export function* extxyzFrames(
  lines: Iterable<string>,
  file = 'input.extxyz',
  speciesOrder?: string[],
): Generator<ExtxyzFrame> {
  const cur = new LineCursor(lines);
  while (cur.skipBlank()) {
    const n = parseInteger(cur.next()!.trim(), file, cur.line, 'the atom count', 0);
    if (n > MAX_FRAME_ATOMS)
      throw new ParseError(file, cur.line, `${n} atoms declared, more than the ${MAX_FRAME_ATOMS} a frame may hold`);
    const comment = cur.next();
    if (comment === undefined) throw new ParseError(file, cur.line, 'file ends before the comment line');
    const commentLine = cur.line;
    const info = parseKeyValues(comment, file, commentLine);
    const cols = parseProperties(info.Properties ?? 'species:S:1:pos:R:3', file, commentLine);
    const species = speciesOrder ? [...speciesOrder] : [];
    const types = new Int32Array(n);
    const positions = new Float64Array(3 * n);
    const arrays: Record<string, Float64Array> = {};
    for (const c of cols) if (c.kind === 'R' && c.name !== 'pos') arrays[c.name] = new Float64Array(c.width * n);
    if (!cols.some((c) => c.name === 'species') || !cols.some((c) => c.name === 'pos')) {
      throw new ParseError(file, commentLine, 'Properties must include species:S:1 and pos:R:3');
    }
    const width = cols.reduce((s, c) => s + c.width, 0);
    for (let a = 0; a < n; a++) {
      const text = cur.next();
      if (text === undefined || text.trim() === '') {
        throw new ParseError(file, cur.line, `expected ${n} atom lines, found ${a}`);
      }
      const lineNo = cur.line;
      const toks = text.trim().split(/\s+/);
      if (toks.length !== width)
        throw new ParseError(file, lineNo, `expected ${width} columns (Properties), found ${toks.length}`);
      let t = 0;
      for (const c of cols) {
        if (c.name === 'species') {
          const sym = toks[t];
          if (!isElementSymbol(sym)) throw new ParseError(file, lineNo, `'${sym}' is not an element symbol`);
          let k = species.indexOf(sym);
          if (k < 0) {
            if (speciesOrder)
              throw new ParseError(file, lineNo, `species '${sym}' is not among ${speciesOrder.join(', ')}`);
            species.push(sym);
            k = species.length - 1;
          }
          types[a] = k;
        } else if (c.name === 'pos') {
          for (let d = 0; d < 3; d++) positions[3 * a + d] = parseFiniteNumber(toks[t + d], file, lineNo, 'position');
        } else if (c.kind === 'R') {
          for (let d = 0; d < c.width; d++)
            arrays[c.name][c.width * a + d] = parseFiniteNumber(toks[t + d], file, lineNo, c.name);
        }
        t += c.width;
      }
    }
    let lattice: number[];
    let pbc: [boolean, boolean, boolean] = [true, true, true];
    if (info.Lattice) {
      lattice = info.Lattice.trim()
        .split(/\s+/)
        .map((v) => parseFiniteNumber(v, file, commentLine, 'Lattice'));
      if (lattice.length !== 9)
        throw new ParseError(file, commentLine, `Lattice needs 9 numbers, found ${lattice.length}`);
      const problem = cellProblem(lattice);
      if (problem) throw new ParseError(file, commentLine, problem);
      if (info.pbc) {
        pbc = info.pbc
          .trim()
          .split(/\s+/)
          .map((v) => /^[Tt1]/.test(v)) as [boolean, boolean, boolean];
        // the lab's cells are periodic along all three vectors; a slab or wire would silently gain its images
        if (pbc.length !== 3 || !pbc.every((p) => p))
          throw new ParseError(
            file,
            commentLine,
            `pbc="${info.pbc}": only cells periodic along all three vectors are supported (pad a slab with vacuum and say pbc="T T T")`,
          );
      }
    } else {
      throw new ParseError(
        file,
        commentLine,
        'no Lattice="..." on the comment line (non-periodic frames are not supported here)',
      );
    }
    const rest: Record<string, string> = { ...info };
    delete rest.Lattice;
    delete rest.Properties;
    delete rest.pbc;
    yield { structure: { cell: makeCell(lattice, pbc), species, types, positions }, info: rest, arrays };
  }
}

const num = (v: number) => (Number.isInteger(v) ? v.toFixed(1) : v.toPrecision(12).replace(/\.?0+(e|$)/, '$1'));

/** One frame of text. `info` values are written as given (quoted when they contain spaces). */
export function formatExtxyzFrame(
  s: Structure,
  info: Record<string, string | number> = {},
  arrays: Record<string, Float64Array> = {},
): string {
  const n = s.types.length;
  const L = s.cell.lattice;
  const props = ['species:S:1', 'pos:R:3', ...Object.entries(arrays).map(([k, v]) => `${k}:R:${v.length / n}`)].join(
    ':',
  );
  const extra = Object.entries(info)
    .map(([k, v]) => {
      if (typeof v === 'number') return `${k}=${Number.isInteger(v) ? String(v) : num(v)}`;
      // quoted when it holds a space or a quote, with quotes and backslashes escaped (as ASE reads them)
      return /[\s"'\\]/.test(v) ? `${k}="${v.replace(/["\\]/g, '\\$&')}"` : `${k}=${v}`;
    })
    .join(' ');
  const pbc = s.cell.pbc.map((p) => (p ? 'T' : 'F')).join(' ');
  const head = `Lattice="${Array.from(L, num).join(' ')}" Properties=${props}${extra ? ` ${extra}` : ''} pbc="${pbc}"`;
  const rows: string[] = [String(n), head];
  for (let a = 0; a < n; a++) {
    let row = `${s.species[s.types[a]].padEnd(2)} ${num(s.positions[3 * a])} ${num(s.positions[3 * a + 1])} ${num(s.positions[3 * a + 2])}`;
    for (const v of Object.values(arrays)) {
      const w = v.length / n;
      for (let d = 0; d < w; d++) row += ` ${num(v[w * a + d])}`;
    }
    rows.push(row);
  }
  return `${rows.join('\n')}\n`;
}
