/**
 * LAMMPS output: data files (atom_style atomic, with masses) and dump frames (`id type x y z ix iy iz`). LAMMPS wants a
 * restricted triclinic box (a along x, b in the xy plane); any cell is mapped there through fractional coordinates,
 * which rotates the structure rigidly without changing any distance.
 */
import { type Cell, standardFrame, toFractional, toStandardFrame } from '../model/cell.ts';
import { element, LI_P_S } from '../model/species.ts';
import { boundaryAtoms, type Structure } from '../model/structure.ts';

const g = (v: number) =>
  v
    .toPrecision(16)
    .replace(/\.?0+$/, '')
    .replace(/\.?0+e/, 'e');

/**
 * A data file whose atom types follow the potential's species order (`species`, type k+1 = species[k]), whatever
 * order the structure lists its species in: `pair_style mlip` maps type 1 to the potential's first species, so a
 * structure read as S, P, Li would otherwise be simulated with S treated as Li. Every species of the potential gets a
 * type and a mass, present or not; a species of the structure that the potential lacks is refused.
 */
export function writeLammpsData(
  s: Structure,
  species: readonly string[] = LI_P_S,
  title = s.title ?? 'LiLab structure',
): string {
  const typeOf = s.species.map((sym) => species.indexOf(sym));
  const missing = s.species.filter((_, k) => typeOf[k] < 0 && s.types.includes(k));
  if (missing.length > 0)
    throw new Error(
      `the structure has ${missing.join(', ')}, which the potential's species (${species.join(', ')}) do not include`,
    );
  const box = standardFrame(s.cell);
  const pos = toStandardFrame(s.cell, s.positions, box);
  const L = box.lattice;
  const lines = [
    `# ${title} (written by LiLab; units metal; atom_style atomic; types ${species.map((x, k) => `${k + 1}=${x}`).join(' ')})`,
    '',
    `${s.types.length} atoms`,
    `${species.length} atom types`,
    '',
    `0 ${g(L[0])} xlo xhi`,
    `0 ${g(L[4])} ylo yhi`,
    `0 ${g(L[8])} zlo zhi`,
  ];
  if (box.triclinic) lines.push(`${g(box.xy)} ${g(box.xz)} ${g(box.yz)} xy xz yz`);
  lines.push('', 'Masses', '');
  species.forEach((sym, t) => {
    lines.push(`${t + 1} ${element(sym).mass} # ${sym}`);
  });
  lines.push('', 'Atoms # atomic', '');
  for (let i = 0; i < s.types.length; i++) {
    lines.push(`${i + 1} ${typeOf[s.types[i]] + 1} ${g(pos[3 * i])} ${g(pos[3 * i + 1])} ${g(pos[3 * i + 2])}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * One dump frame. `positions` are unwrapped; the dump gets positions in the box plus image flags ix iy iz, as LAMMPS
 * itself writes them (`dump custom ... id type x y z ix iy iz`).
 */
export function formatLammpsDump(step: number, cell: Cell, types: Int32Array, positions: ArrayLike<number>): string {
  const box = standardFrame(cell);
  const f = toFractional(cell, positions);
  const L = box.lattice;
  const n = types.length;
  const bounds = box.triclinic
    ? [
        'ITEM: BOX BOUNDS xy xz yz pp pp pp',
        `${g(Math.min(0, box.xy, box.xz, box.xy + box.xz))} ${g(L[0] + Math.max(0, box.xy, box.xz, box.xy + box.xz))} ${g(box.xy)}`,
        `${g(Math.min(0, box.yz))} ${g(L[4] + Math.max(0, box.yz))} ${g(box.xz)}`,
        `0 ${g(L[8])} ${g(box.yz)}`,
      ]
    : ['ITEM: BOX BOUNDS pp pp pp', `0 ${g(L[0])}`, `0 ${g(L[4])}`, `0 ${g(L[8])}`];
  const rows = [
    `ITEM: TIMESTEP`,
    String(step),
    'ITEM: NUMBER OF ATOMS',
    String(n),
    ...bounds,
    'ITEM: ATOMS id type x y z ix iy iz',
  ];
  for (let i = 0; i < n; i++) {
    const img = [Math.floor(f[3 * i]), Math.floor(f[3 * i + 1]), Math.floor(f[3 * i + 2])];
    const w = [f[3 * i] - img[0], f[3 * i + 1] - img[1], f[3 * i + 2] - img[2]];
    const r = [0, 1, 2].map((d) => w[0] * L[d] + w[1] * L[3 + d] + w[2] * L[6 + d]);
    rows.push(`${i + 1} ${types[i] + 1} ${g(r[0])} ${g(r[1])} ${g(r[2])} ${img[0]} ${img[1]} ${img[2]}`);
  }
  return `${rows.join('\n')}\n`;
}

/**
 * An `in.lammps` that runs the lab's MD with MLIP's LAMMPS interface (`pair_style mlip`, which Debian's lammps does
 * not include): MLIP-2's interface reads the potential through `mlip.ini` (`pair_style mlip mlip.ini`), MLIP-3's
 * names it (`pair_style mlip load_from=POT.mtp`); `pair` says which. Units metal (A, eV, ps: the time step
 * is converted from fs). `integration`: the fixes that integrate and thermostat (from the thermostat's module,
 * src/md/thermostats).
 * The per-axis Li MSD (A^2: x, y, z, total, centre of mass removed) is written every `msdEvery` steps to
 * msd_li.dat, and for a bicrystal also for the Li that start within the boundary region (`boundaryLi`, 1-based ids,
 * group li_gb: msd_li_gb.dat) and the rest (li_bulk: msd_li_bulk.dat). Types follow `species` (writeLammpsData).
 */
/** How `pair_style mlip` finds the potential: MLIP-2 through an ini file, MLIP-3 by the potential's file name. */
export type MlipPair = { mlip: 2; ini: string } | { mlip: 3; potential: string };

/**
 * A pair potential tabulated for `pair_style table` (the dispersion tail beyond the MTP's cutoff, ADR 0018): the
 * file's text, its cutoff (A) and its section for each pair of types (1-based, i <= j).
 */
export interface LammpsPairTable {
  text: string;
  cutoff: number;
  /** Points per section (the `table` style's N). */
  points: number;
  sections: { i: number; j: number; keyword: string }[];
}

/** The pair commands: the MTP alone, or overlaid with a tabulated pair term in `tableFile`. */
function pairCommands(pair: MlipPair, table?: { file: string; table: LammpsPairTable }): string {
  const mlip = `mlip ${pair.mlip === 2 ? pair.ini : `load_from=${pair.potential}`}`;
  if (!table) return `pair_style ${mlip}\npair_coeff * *`;
  const t = table.table;
  return [
    `# the MTP, and overlaid on it the D3 dispersion beyond its cutoff it was fitted without (${table.file})`,
    `pair_style hybrid/overlay ${mlip} table linear ${t.points}`,
    'pair_coeff * * mlip',
    ...t.sections.map((s) => `pair_coeff ${s.i} ${s.j} table ${table.file} ${s.keyword} ${t.cutoff}`),
  ].join('\n');
}

export function writeLammpsInput(o: {
  dataFile: string;
  pair: MlipPair;
  temperature: number;
  dtFs: number;
  steps: number;
  integration: string[];
  /** For the initial velocities. */
  seed: number;
  dumpEvery?: number;
  msdEvery?: number;
  species?: readonly string[];
  boundaryLi?: number[];
  /** A tabulated pair term overlaid on the MTP, and the file it is written to. */
  pairTable?: { file: string; table: LammpsPairTable };
}): string {
  const dt = o.dtFs / 1000;
  const species = o.species ?? LI_P_S;
  const li = species.indexOf('Li') + 1;
  const every = o.msdEvery ?? 100;
  const msd = (group: string, file: string) => [
    `compute msd_${group} ${group} msd com yes`,
    `fix msd_${group} all ave/time ${every} 1 ${every} c_msd_${group}[1] c_msd_${group}[2] c_msd_${group}[3] c_msd_${group}[4] file ${file}`,
  ];
  const groups: string[] = [];
  if (li > 0) {
    groups.push(`group li type ${li}`, ...msd('li', 'msd_li.dat'));
    if (o.boundaryLi && o.boundaryLi.length > 0) {
      // ids in lines of 20: LAMMPS reads a group from repeated `group ... id` commands as their union
      for (let k = 0; k < o.boundaryLi.length; k += 20)
        groups.push(`group li_gb id ${o.boundaryLi.slice(k, k + 20).join(' ')}`);
      groups.push(
        'group li_bulk subtract li li_gb',
        ...msd('li_gb', 'msd_li_gb.dat'),
        ...msd('li_bulk', 'msd_li_bulk.dat'),
      );
    }
  }
  return `# written by LiLab: the lab's MD run for LAMMPS with MLIP's pair_style mlip
# types: ${species.map((x, k) => `${k + 1} = ${x}`).join(', ')} (the potential's species order)
units metal
atom_style atomic
boundary p p p
read_data ${o.dataFile}

${pairCommands(o.pair, o.pairTable)}

neighbor 0.5 bin
neigh_modify every 1 delay 0 check yes

velocity all create ${o.temperature} ${o.seed} mom yes rot no dist gaussian
timestep ${dt}
${o.integration.join('\n')}

# per-axis Li mean squared displacement, A^2 (columns: step, x, y, z, total)
${groups.join('\n')}
thermo_style custom step time temp pe ke etotal press pxx pyy pzz vol
thermo 100
dump traj all custom ${o.dumpEvery ?? 1000} traj.lammpstrj id type x y z ix iy iz
run ${o.steps}
`;
}

export function writeMlipIni(mtpFile: string): string {
  return `mtp-filename ${mtpFile}\nselect FALSE\n`;
}

/**
 * The files of a LAMMPS run of `structure` with an MTP, by name: structure.data (types in `species` order),
 * in.lammps (MSD groups of all, boundary and bulk Li), potential.mtp (the text given) and, for MLIP-2, mlip.ini. The
 * CLI's export-lammps and the page's export both make theirs here.
 */
export function lammpsRunFiles(o: {
  structure: Structure;
  species: readonly string[];
  potentialText: string;
  mlip: 2 | 3;
  temperature: number;
  dtFs: number;
  steps: number;
  integration: string[];
  seed: number;
  msdEvery?: number;
  /** The dispersion tail as a table (written as dispersion-tail.table and overlaid on the MTP). */
  pairTable?: LammpsPairTable;
}): [string, string][] {
  const pairTable = o.pairTable ? { file: 'dispersion-tail.table', table: o.pairTable } : undefined;
  const pair: MlipPair = o.mlip === 2 ? { mlip: 2, ini: 'mlip.ini' } : { mlip: 3, potential: 'potential.mtp' };
  const files: [string, string][] = [
    ['structure.data', writeLammpsData(o.structure, o.species)],
    [
      'in.lammps',
      writeLammpsInput({
        dataFile: 'structure.data',
        pair,
        temperature: o.temperature,
        dtFs: o.dtFs,
        steps: o.steps,
        integration: o.integration,
        seed: o.seed,
        msdEvery: o.msdEvery,
        species: o.species,
        boundaryLi: boundaryAtoms(o.structure, 'Li').map((i) => i + 1),
        pairTable,
      }),
    ],
    ['potential.mtp', o.potentialText],
  ];
  if (pairTable) files.push([pairTable.file, pairTable.table.text]);
  if (o.mlip === 2) files.push(['mlip.ini', writeMlipIni('potential.mtp')]);
  return files;
}
