/**
 * CIF (crystallographic information file) for one data block: cell parameters, symmetry operations
 * (_symmetry_equiv_pos_as_xyz or _space_group_symop_operation_xyz) expanded over the asymmetric unit, occupancies.
 * Unknown tags are ignored. Partially occupied sites are refused with a clear message unless an ordering seed is
 * given: then each partially occupied orbit keeps round(occupancy x multiplicity) of its positions, chosen by a
 * seeded shuffle (documented and reproducible). The writer emits P1 with every atom.
 */

import { cellProblem, inverse3, makeCell } from '../model/cell.ts';
import { buildNeighborList } from '../model/neighbors.ts';
import { seededUniform } from '../model/random.ts';
import { elementOfLabel } from '../model/species.ts';
import type { Structure } from '../model/structure.ts';
import { expandSites, parseSymOp, type Site } from '../model/symmetry.ts';
import { ParseError, parseFiniteNumber } from './errors.ts';

/** Atoms closer than this after symmetry are refused, A (the shortest bond in a solid is about 0.7 A, H-H). */
const OVERLAP = 0.5;

interface Token {
  text: string;
  line: number;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith(';')) {
      // multi-line text field: one token, up to the closing ';'
      let j = i + 1;
      while (j < lines.length && !lines[j].startsWith(';')) j++;
      out.push({ text: lines.slice(i, j).join('\n').slice(1), line: i + 1 });
      i = j;
      continue;
    }
    const re = /'([^']*)'(?=\s|$)|"([^"]*)"(?=\s|$)|(#.*$)|(\S+)/g;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      if (m[3]) break;
      out.push({ text: m[1] ?? m[2] ?? m[4], line: i + 1 });
    }
  }
  return out;
}

/** '12.819(3)' -> 12.819 */
function cifNumber(t: Token, file: string, what: string): number {
  return parseFiniteNumber(t.text.replace(/\(\d+\)$/, ''), file, t.line, what);
}

export interface CifOptions {
  /** Order partially occupied sites reproducibly with this seed (otherwise they are refused). */
  orderSeed?: number;
}

export function parseCif(text: string, file = 'structure.cif', options: CifOptions = {}): Structure {
  const tokens = tokenize(text);
  const items = new Map<string, Token>();
  const loops: { tags: string[]; rows: Token[][]; line: number }[] = [];
  let title = '';
  for (let k = 0; k < tokens.length; ) {
    const t = tokens[k];
    const low = t.text.toLowerCase();
    if (low.startsWith('data_')) {
      if (title) break; // only the first data block
      title = t.text.slice(5);
      k++;
    } else if (low === 'loop_') {
      const tags: string[] = [];
      k++;
      while (k < tokens.length && tokens[k].text.startsWith('_')) tags.push(tokens[k++].text.toLowerCase());
      const values: Token[] = [];
      while (k < tokens.length && !tokens[k].text.startsWith('_') && !/^(loop_|data_)/i.test(tokens[k].text))
        values.push(tokens[k++]);
      if (tags.length === 0) throw new ParseError(file, t.line, 'loop_ without tags');
      if (values.length % tags.length !== 0) {
        throw new ParseError(
          file,
          t.line,
          `loop of ${tags.length} tags has ${values.length} values (not a multiple): a value is missing or unquoted`,
        );
      }
      const rows: Token[][] = [];
      for (let r = 0; r < values.length; r += tags.length) rows.push(values.slice(r, r + tags.length));
      loops.push({ tags, rows, line: t.line });
    } else if (t.text.startsWith('_')) {
      const v = tokens[k + 1];
      if (!v || v.text.startsWith('_') || /^loop_$/i.test(v.text))
        throw new ParseError(file, t.line, `${t.text} has no value`);
      items.set(low, v);
      k += 2;
    } else {
      k++;
    }
  }
  const cellTag = (tag: string) => {
    const v = items.get(tag);
    if (!v) throw new ParseError(file, 0, `missing ${tag}`);
    return cifNumber(v, file, tag);
  };
  const a = cellTag('_cell_length_a');
  const b = cellTag('_cell_length_b');
  const c = cellTag('_cell_length_c');
  const deg = Math.PI / 180;
  const al = cellTag('_cell_angle_alpha') * deg;
  const be = cellTag('_cell_angle_beta') * deg;
  const ga = cellTag('_cell_angle_gamma') * deg;
  // a along x, b in the xy plane
  const cx = c * Math.cos(be);
  const cy = (c * (Math.cos(al) - Math.cos(be) * Math.cos(ga))) / Math.sin(ga);
  const cz = Math.sqrt(Math.max(0, c * c - cx * cx - cy * cy));
  const clean = (v: number) => (Math.abs(v) < 1e-12 ? 0 : v);
  const lattice = [a, 0, 0, clean(b * Math.cos(ga)), b * Math.sin(ga), 0, clean(cx), clean(cy), cz];
  for (const [tag, v] of [
    ['_cell_length_a', a],
    ['_cell_length_b', b],
    ['_cell_length_c', c],
  ] as const)
    if (!(v > 0)) throw new ParseError(file, items.get(tag)?.line ?? 0, `${tag} = ${v}: a length must be positive`);
  const problem = cellProblem(lattice);
  if (problem) throw new ParseError(file, items.get('_cell_angle_alpha')?.line ?? 0, `the cell angles: ${problem}`);

  const symLoop = loops.find(
    (l) => l.tags.includes('_symmetry_equiv_pos_as_xyz') || l.tags.includes('_space_group_symop_operation_xyz'),
  );
  let ops = [parseSymOp('x,y,z')];
  if (!symLoop) {
    // a space group given by name or number alone would silently be read as P1 (a quarter of the atoms, say)
    const group = [
      '_symmetry_space_group_name_h-m',
      '_space_group_name_h-m_alt',
      '_symmetry_int_tables_number',
      '_space_group_it_number',
    ]
      .map((tag) => items.get(tag))
      .find((v) => v !== undefined);
    const text = group?.text.replace(/\s+/g, '');
    if (group && text !== 'P1' && text !== '1')
      throw new ParseError(
        file,
        group.line,
        `space group '${group.text}' is given without its symmetry operations; add the ` +
          '_space_group_symop_operation_xyz loop (or write the structure out in P1)',
      );
  }
  if (symLoop) {
    const col = symLoop.tags.findIndex(
      (t) => t === '_symmetry_equiv_pos_as_xyz' || t === '_space_group_symop_operation_xyz',
    );
    ops = symLoop.rows.map((r) => {
      try {
        return parseSymOp(r[col].text);
      } catch (err) {
        throw new ParseError(file, r[col].line, (err as Error).message);
      }
    });
  }
  const siteLoop = loops.find((l) => l.tags.includes('_atom_site_fract_x'));
  if (!siteLoop)
    throw new ParseError(file, 0, 'no _atom_site_fract_x/y/z loop (Cartesian-only CIFs are not supported)');
  const col = (tag: string) => siteLoop.tags.indexOf(tag);
  const [cxI, cyI, czI] = ['_atom_site_fract_x', '_atom_site_fract_y', '_atom_site_fract_z'].map(col);
  if (cyI < 0 || czI < 0)
    throw new ParseError(file, siteLoop.line, 'the atom-site loop lacks _atom_site_fract_y or _z');
  const symI = col('_atom_site_type_symbol');
  const labelI = col('_atom_site_label');
  const occI = col('_atom_site_occupancy');
  const species: string[] = [];
  const sites: (Site & { occupancy: number })[] = [];
  for (const r of siteLoop.rows) {
    const raw = (symI >= 0 ? r[symI] : r[labelI]).text;
    const sym = elementOfLabel(raw);
    if (!sym) throw new ParseError(file, r[0].line, `site '${raw}' names no element`);
    if (!species.includes(sym)) species.push(sym);
    const occupancy =
      occI >= 0 && r[occI].text !== '?' && r[occI].text !== '.' ? cifNumber(r[occI], file, 'occupancy') : 1;
    if (occupancy <= 0 || occupancy > 1 + 1e-6)
      throw new ParseError(file, r[occI].line, `occupancy ${occupancy} outside (0, 1]`);
    sites.push({
      type: species.indexOf(sym),
      frac: [
        cifNumber(r[cxI], file, 'fract_x'),
        cifNumber(r[cyI], file, 'fract_y'),
        cifNumber(r[czI], file, 'fract_z'),
      ],
      label: labelI >= 0 ? r[labelI].text : sym,
      occupancy,
    });
  }
  const partial = sites.filter((s) => s.occupancy < 1 - 1e-3);
  if (partial.length > 0 && options.orderSeed === undefined) {
    throw new ParseError(
      file,
      siteLoop.line,
      `disordered structure: partially occupied sites ${partial.map((s) => `${s.label} (${s.occupancy})`).join(', ')}; ` +
        'give an ordering seed to pick occupied positions reproducibly, or use an ordered model',
    );
  }
  const rand = seededUniform(options.orderSeed ?? 0);
  const atoms: Site[] = [];
  for (const site of sites) {
    let orbit = expandSites(ops, [site]);
    if (site.occupancy < 1 - 1e-3) {
      const keep = Math.round(site.occupancy * orbit.length);
      orbit = orbit
        .map((o) => ({ o, r: rand() }))
        .sort((x, y) => x.r - y.r)
        .slice(0, keep)
        .map((x) => x.o);
    }
    atoms.push(...orbit);
  }
  const positions = new Float64Array(3 * atoms.length);
  atoms.forEach((s, i) => {
    for (let d = 0; d < 3; d++)
      positions[3 * i + d] = s.frac[0] * lattice[d] + s.frac[1] * lattice[3 + d] + s.frac[2] * lattice[6 + d];
  });
  // two atoms this close after symmetry are one site written twice or a site next to a special position
  const nl = buildNeighborList(positions, makeCell(lattice), OVERLAP);
  for (let i = 0; i < atoms.length; i++) {
    if (nl.offsets[i + 1] === nl.offsets[i]) continue;
    const k = nl.offsets[i];
    const j = nl.index[k];
    const r = Math.hypot(nl.vectors[3 * k], nl.vectors[3 * k + 1], nl.vectors[3 * k + 2]);
    throw new ParseError(
      file,
      siteLoop.line,
      `sites ${atoms[i].label} and ${atoms[j].label} overlap after symmetry: two atoms ${r.toFixed(3)} A apart ` +
        `(the same site given twice, or a site a little off a special position)`,
    );
  }
  return {
    cell: makeCell(lattice),
    species,
    types: Int32Array.from(atoms, (s) => s.type),
    positions,
    title: title || file,
  };
}

export function writeCif(s: Structure): string {
  const L = s.cell.lattice;
  const len = (r: number) => Math.hypot(L[3 * r], L[3 * r + 1], L[3 * r + 2]);
  const ang = (p: number, q: number) =>
    (Math.acos((L[3 * p] * L[3 * q] + L[3 * p + 1] * L[3 * q + 1] + L[3 * p + 2] * L[3 * q + 2]) / (len(p) * len(q))) *
      180) /
    Math.PI;
  const inv = inverse3(L);
  const f = (v: number) => v.toFixed(10);
  const lines = [
    `data_${(s.title ?? 'lilab').replace(/\s+/g, '_').replace(/[^\w.-]/g, '')}`,
    `_cell_length_a ${f(len(0))}`,
    `_cell_length_b ${f(len(1))}`,
    `_cell_length_c ${f(len(2))}`,
    `_cell_angle_alpha ${f(ang(1, 2))}`,
    `_cell_angle_beta ${f(ang(0, 2))}`,
    `_cell_angle_gamma ${f(ang(0, 1))}`,
    "_symmetry_space_group_name_H-M 'P 1'",
    'loop_',
    '_symmetry_equiv_pos_as_xyz',
    "'x,y,z'",
    'loop_',
    '_atom_site_label',
    '_atom_site_type_symbol',
    '_atom_site_fract_x',
    '_atom_site_fract_y',
    '_atom_site_fract_z',
    '_atom_site_occupancy',
  ];
  for (let i = 0; i < s.types.length; i++) {
    const p = [s.positions[3 * i], s.positions[3 * i + 1], s.positions[3 * i + 2]];
    const g = [0, 1, 2].map((k) => p[0] * inv[k] + p[1] * inv[3 + k] + p[2] * inv[6 + k]);
    const sym = s.species[s.types[i]];
    lines.push(`${sym}${i + 1} ${sym} ${f(g[0])} ${f(g[1])} ${f(g[2])} 1`);
  }
  return `${lines.join('\n')}\n`;
}
