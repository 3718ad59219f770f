/**
 * MLIP `.cfg` configuration files: many `BEGIN_CFG ... END_CFG` blocks, each with Size, optional Supercell (absent =
 * non-periodic), AtomData columns (id, type, cartes_* or direct_*, optional fx fy fz and other per-atom columns),
 * optional Energy, PlusStress (xx yy zz yz xz xy, eV) and Feature lines.
 */
import { makeCell } from '../model/cell.ts';
import type { Configuration } from '../model/configuration.ts';
import { ParseError, parseFiniteNumber, parseInteger } from './errors.ts';

export interface CfgConfiguration extends Configuration {
  /** Per-atom columns other than id, type, positions and forces (e.g. charge), kept for writing back. */
  extraColumns: { name: string; values: Float64Array }[];
}

const POSITION_COLUMNS = {
  cartes: ['cartes_x', 'cartes_y', 'cartes_z'],
  direct: ['direct_x', 'direct_y', 'direct_z'],
};
const FORCE_COLUMNS = ['fx', 'fy', 'fz'];

export function parseCfg(text: string, file = 'input.cfg'): CfgConfiguration[] {
  const lines = text.split(/\r?\n/);
  const out: CfgConfiguration[] = [];
  let i = 0;
  const at = () => i + 1;
  const skipBlank = () => {
    while (i < lines.length && lines[i].trim() === '') i++;
  };
  /** 1-based number of the next non-blank line. */
  const nextLineNo = () => {
    skipBlank();
    return at();
  };
  const nextNonBlank = (what: string): string => {
    skipBlank();
    if (i >= lines.length) throw new ParseError(file, lines.length, `file ends early: expected ${what}`);
    return lines[i++].trim();
  };

  for (;;) {
    skipBlank();
    if (i >= lines.length) break;
    if (lines[i].trim() !== 'BEGIN_CFG')
      throw new ParseError(file, at(), `expected BEGIN_CFG, found '${lines[i].trim().slice(0, 60)}'`);
    const beginLine = at();
    i++;
    let size = -1;
    let lattice: number[] | null = null;
    let types: Int32Array | null = null;
    let positions: Float64Array | null = null;
    let forces: Float64Array | undefined;
    let energy: number | undefined;
    let plusStress: Float64Array | undefined;
    const features: [string, string][] = [];
    const extraColumns: { name: string; values: Float64Array }[] = [];
    let ended = false;
    while (!ended) {
      const lineNo = nextLineNo();
      const line = nextNonBlank(`END_CFG for the configuration that begins on line ${beginLine}`);
      const key = line.split(/\s+/)[0];
      switch (key) {
        case 'END_CFG':
          ended = true;
          break;
        case 'Size': {
          const l = at();
          size = parseInteger(nextNonBlank('the atom count after Size'), file, l, 'Size', 0);
          break;
        }
        case 'Supercell': {
          // Up to three rows follow; a row is a line of exactly three numbers.
          lattice = [];
          while (
            i < lines.length &&
            /^\s*[-+.\deE]+\s+[-+.\deE]+\s+[-+.\deE]+\s*$/.test(lines[i]) &&
            lattice.length < 9
          ) {
            for (const tok of lines[i].trim().split(/\s+/))
              lattice.push(parseFiniteNumber(tok, file, at(), 'Supercell'));
            i++;
          }
          if (lattice.length !== 9) {
            throw new ParseError(
              file,
              at(),
              `Supercell: this reader needs three lattice vectors (3D periodic) and found ${lattice.length / 3}`,
            );
          }
          break;
        }
        case 'AtomData:': {
          if (size < 0) throw new ParseError(file, lineNo, 'AtomData before Size');
          const cols = line.split(/\s+/).slice(1);
          const col = (name: string) => cols.indexOf(name);
          const idCol = col('id');
          const typeCol = col('type');
          if (typeCol < 0) throw new ParseError(file, lineNo, 'AtomData has no type column');
          const kind = col('cartes_x') >= 0 ? 'cartes' : col('direct_x') >= 0 ? 'direct' : null;
          if (!kind) throw new ParseError(file, lineNo, 'AtomData needs cartes_x/y/z or direct_x/y/z columns');
          const posCols = POSITION_COLUMNS[kind].map(col);
          if (posCols.some((c) => c < 0))
            throw new ParseError(file, lineNo, `AtomData: incomplete ${kind}_x/y/z columns`);
          if (kind === 'direct' && !lattice) throw new ParseError(file, lineNo, 'direct coordinates need a Supercell');
          const forceCols = FORCE_COLUMNS.map(col);
          const hasForces = forceCols.every((c) => c >= 0);
          if (!hasForces && forceCols.some((c) => c >= 0))
            throw new ParseError(file, lineNo, 'AtomData: incomplete fx/fy/fz columns');
          const known = new Set([idCol, typeCol, ...posCols, ...(hasForces ? forceCols : [])]);
          const extras = cols.map((name, c) => ({ name, c })).filter(({ c }) => !known.has(c));
          for (const e of extras) extraColumns.push({ name: e.name, values: new Float64Array(size) });
          types = new Int32Array(size);
          positions = new Float64Array(3 * size);
          if (hasForces) forces = new Float64Array(3 * size);
          for (let a = 0; a < size; a++) {
            const l = at();
            if (i >= lines.length || lines[i].trim() === '' || /^[A-Za-z]/.test(lines[i].trim())) {
              throw new ParseError(file, l, `AtomData: expected ${size} atom lines (Size), found ${a}`);
            }
            const toks = lines[i++].trim().split(/\s+/);
            if (toks.length !== cols.length) {
              throw new ParseError(
                file,
                l,
                `AtomData: expected ${cols.length} columns (${cols.join(' ')}), found ${toks.length}`,
              );
            }
            if (idCol >= 0) {
              const id = parseInteger(toks[idCol], file, l, 'atom id', 1);
              if (id !== a + 1) throw new ParseError(file, l, `atom id ${id} out of order (expected ${a + 1})`);
            }
            types[a] = parseInteger(toks[typeCol], file, l, 'atom type', 0);
            for (let d = 0; d < 3; d++) {
              positions[3 * a + d] = parseFiniteNumber(toks[posCols[d]], file, l, POSITION_COLUMNS[kind][d]);
              if (forces) forces[3 * a + d] = parseFiniteNumber(toks[forceCols[d]], file, l, FORCE_COLUMNS[d]);
            }
            extras.forEach((e, k) => {
              extraColumns[k].values[a] = parseFiniteNumber(toks[e.c], file, l, e.name);
            });
          }
          if (kind === 'direct' && lattice) {
            const L = lattice;
            for (let a = 0; a < size; a++) {
              const [f0, f1, f2] = [positions[3 * a], positions[3 * a + 1], positions[3 * a + 2]];
              for (let d = 0; d < 3; d++) positions[3 * a + d] = f0 * L[d] + f1 * L[3 + d] + f2 * L[6 + d];
            }
          }
          break;
        }
        case 'Energy': {
          const l = nextLineNo();
          energy = parseFiniteNumber(nextNonBlank('the energy value'), file, l, 'Energy');
          break;
        }
        case 'PlusStress:': {
          const l = nextLineNo();
          const toks = nextNonBlank('six PlusStress values').split(/\s+/);
          if (toks.length !== 6)
            throw new ParseError(file, l, `PlusStress: expected 6 values (xx yy zz yz xz xy), found ${toks.length}`);
          plusStress = Float64Array.from(toks.map((t) => parseFiniteNumber(t, file, l, 'PlusStress')));
          break;
        }
        case 'Feature': {
          const m = /^Feature\s+(\S+)\s*(.*)$/.exec(line);
          if (!m) throw new ParseError(file, lineNo, 'Feature needs a name and a value');
          features.push([m[1], m[2]]);
          break;
        }
        case 'BEGIN_CFG':
          throw new ParseError(
            file,
            lineNo,
            `BEGIN_CFG inside the configuration that begins on line ${beginLine} (missing END_CFG)`,
          );
        default:
          throw new ParseError(
            file,
            lineNo,
            `unknown entry '${key}' (expected Size, Supercell, AtomData:, Energy, PlusStress:, Feature or END_CFG)`,
          );
      }
    }
    if (size < 0) throw new ParseError(file, beginLine, 'configuration without Size');
    if (!types || !positions) {
      if (size > 0) throw new ParseError(file, beginLine, 'configuration without AtomData');
      types = new Int32Array(0);
      positions = new Float64Array(0);
    }
    out.push({
      types,
      positions,
      cell: lattice ? makeCell(lattice) : null,
      energy,
      forces,
      plusStress,
      features,
      extraColumns,
    });
  }
  return out;
}

/** 17 significant digits in C's %.16e layout (two-digit exponent): every double survives the round trip. */
export function fmt17(v: number): string {
  const s = (v === 0 ? 0 : v).toExponential(16); // -0 prints as 0, as MLIP's files do
  const e = s.indexOf('e');
  const exp = s.slice(e + 2);
  return `${s.slice(0, e + 2)}${exp.length < 2 ? `0${exp}` : exp}`;
}

export function writeCfg(
  configs: (Configuration & { extraColumns?: { name: string; values: Float64Array }[] })[],
): string {
  const parts: string[] = [];
  for (const c of configs) {
    const n = c.types.length;
    const out: string[] = ['BEGIN_CFG', ' Size', `    ${n}`];
    if (c.cell) {
      out.push(' Supercell');
      const L = c.cell.lattice;
      for (let r = 0; r < 3; r++) out.push(`    ${fmt17(L[3 * r])} ${fmt17(L[3 * r + 1])} ${fmt17(L[3 * r + 2])}`);
    }
    const extras = c.extraColumns ?? [];
    const header = ['id', 'type', 'cartes_x', 'cartes_y', 'cartes_z'];
    if (c.forces) header.push('fx', 'fy', 'fz');
    for (const e of extras) header.push(e.name);
    out.push(` AtomData:  ${header.join(' ')}`);
    for (let a = 0; a < n; a++) {
      const p = c.positions;
      let row = `    ${a + 1} ${c.types[a]} ${fmt17(p[3 * a])} ${fmt17(p[3 * a + 1])} ${fmt17(p[3 * a + 2])}`;
      if (c.forces) row += `  ${fmt17(c.forces[3 * a])} ${fmt17(c.forces[3 * a + 1])} ${fmt17(c.forces[3 * a + 2])}`;
      for (const e of extras) row += ` ${fmt17(e.values[a])}`;
      out.push(row);
    }
    if (c.energy !== undefined) out.push(' Energy', `    ${fmt17(c.energy)}`);
    if (c.plusStress) {
      out.push(' PlusStress:  xx yy zz yz xz xy');
      out.push(`    ${Array.from(c.plusStress, fmt17).join(' ')}`);
    }
    for (const [name, value] of c.features) out.push(` Feature   ${name}\t${value}`);
    out.push('END_CFG', '');
    parts.push(out.join('\n'));
  }
  return parts.join('\n');
}
