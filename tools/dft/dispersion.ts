/**
 * The D3 dispersion energy of labelled configurations, and the long-range tail fitted to it
 * (potential/dispersion-tail.ts; docs/training.md, "The dispersion beyond the cutoff").
 *
 * `dispersion` asks CP2K for each configuration's D3(BJ) energy twice, over its full range and within `--near` A (the
 * MTP's cutoff), one SCF step each (D3 depends on the positions only), and appends a line per configuration to a
 * table, so a stopped run goes on where it was. `dispersion-tail` fits the tail's C6 to what lies beyond `--near`.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, numberOption, stringOption, UsageError } from '../../src/cli/command.ts';
import { fileSha256 } from '../../src/cli/files.ts';
import { parseExtxyz } from '../../src/io/extxyz.ts';
import type { Configuration } from '../../src/model/configuration.ts';
import { choleskySolve } from '../../src/model/linalg.ts';
import { buildNeighborList } from '../../src/model/neighbors.ts';
import { LI_P_S } from '../../src/model/species.ts';
import { DISPERSION_TAIL_FORMAT, type DispersionTail } from '../../src/potential/dispersion-tail.ts';
import { configId, readLabelled } from '../../src/train/dataset.ts';
import { CP2K_D3_RANGE_A, cp2kInput, DEFAULT_SCF, dispersionEnergyOf } from './cp2k.ts';
import { cp2kVersion } from './label.ts';

const TABLE_HEADER = 'config_id\tatoms\td3_eV\td3_near_eV\tnear_A';

export interface DispersionRow {
  id: string;
  atoms: number;
  /** D3 energy over CP2K's full range, eV. */
  full: number;
  /** Within `near` A, eV. */
  within: number;
  near: number;
}

export function parseDispersionTable(text: string, file: string): DispersionRow[] {
  const lines = text.split('\n').filter((l) => l.trim());
  if (lines[0] !== TABLE_HEADER) throw new UsageError(`${file}: line 1 must be the header "${TABLE_HEADER}"`);
  return lines.slice(1).map((l, k) => {
    const p = l.split('\t');
    const row = { id: p[0], atoms: Number(p[1]), full: Number(p[2]), within: Number(p[3]), near: Number(p[4]) };
    if (p.length !== 5 || !row.id || ![row.atoms, row.full, row.within, row.near].every(Number.isFinite))
      throw new UsageError(`${file}:${k + 2}: expected ${TABLE_HEADER.split('\t').length} columns with numbers`);
    return row;
  });
}

export const dispersionCommand: Command = {
  name: 'dispersion',
  summary: 'the D3(BJ) energy of labelled configurations from CP2K, over its full range and within --near A',
  usage: 'DATA.extxyz --out TABLE.tsv [--only REGEX] [--near 5] [--np 2] [--work DIR]',
  help: 'Resumable: configurations the table holds are skipped; a CP2K run that prints no dispersion energy stops it.',
  options: {
    out: { type: 'string' },
    only: { type: 'string' },
    near: { type: 'string', default: '5' },
    np: { type: 'string', default: '2' },
    work: { type: 'string', default: '/tmp/lilab-d3' },
  },
  async run(args) {
    const data = args.positionals[0];
    const out = stringOption(args, 'out');
    if (!data || !out) throw new UsageError('give DATA.extxyz and --out TABLE.tsv');
    const near = numberOption(args, 'near', 5);
    if (!(near > 0)) throw new UsageError(`--near ${near}: a range in A above 0`);
    const only = stringOption(args, 'only');
    const work = stringOption(args, 'work')!;
    const np = stringOption(args, 'np')!;
    const done = new Set(existsSync(out) ? parseDispersionTable(readFileSync(out, 'utf8'), out).map((r) => r.id) : []);
    const frames = parseExtxyz(readFileSync(data, 'utf8'), data).filter(
      (f) => !done.has(f.info.config_id) && (!only || new RegExp(only).test(f.info.config_id)),
    );
    console.log(`${done.size} in ${out}; ${frames.length} to run with CP2K ${cp2kVersion()} on ${np} ranks`);
    mkdirSync(work, { recursive: true });
    if (!existsSync(out)) writeFileSync(out, `${TABLE_HEADER}\n`);
    for (const f of frames) {
      const id = f.info.config_id;
      const energy = (range: number | undefined, tag: string) => {
        const inp = join(work, `${id}-${tag}.inp`);
        const log = join(work, `${id}-${tag}.out`);
        writeFileSync(inp, cp2kInput(f.structure, `${id}-${tag}`, DEFAULT_SCF, { range }));
        rmSync(log, { force: true }); // CP2K appends to an output that exists: the value read must be this run's
        spawnSync('mpirun', ['--allow-run-as-root', '-np', np, 'cp2k.psmp', '-i', inp, '-o', log], {
          cwd: work,
          env: { ...process.env, OMP_NUM_THREADS: '1' },
        });
        const e = existsSync(log) ? dispersionEnergyOf(readFileSync(log, 'utf8')) : Number.NaN;
        if (!Number.isFinite(e)) throw new Error(`${id}: CP2K printed no dispersion energy (${log})`);
        return e;
      };
      const full = energy(undefined, 'full');
      const within = energy(near, 'near');
      const n = f.structure.types.length;
      appendFileSync(out, `${id}\t${n}\t${full}\t${within}\t${near}\n`);
      console.log(
        `${id}: ${((1000 * full) / n).toFixed(1)} meV/atom, beyond ${near} A ${((1000 * (full - within)) / n).toFixed(1)}`,
      );
    }
    return 0;
  },
};

/** Unordered species pairs in the order of a symmetric matrix's upper triangle. */
function speciesPairs(k: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let a = 0; a < k; a++) for (let b = a; b < k; b++) pairs.push([a, b]);
  return pairs;
}

/** Per species pair, the sum of r^-6 over the pairs between `near` and `far` (each pair once). */
export function pairSums(c: Configuration, species: number, near: number, far: number): number[] {
  const pairs = speciesPairs(species);
  // each ordered pair of types to its unordered pair's place
  const at = Array.from({ length: species }, (_, a) =>
    Array.from({ length: species }, (_, b) =>
      pairs.findIndex(([x, y]) => x === Math.min(a, b) && y === Math.max(a, b)),
    ),
  );
  const S = pairs.map(() => 0);
  const nl = buildNeighborList(c.positions, c.cell, far);
  for (let i = 0; i < c.types.length; i++)
    for (let e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
      const r = Math.hypot(nl.vectors[3 * e], nl.vectors[3 * e + 1], nl.vectors[3 * e + 2]);
      if (r > near) S[at[c.types[i]][c.types[nl.index[e]]]] += 0.5 / r ** 6;
    }
  return S;
}

/**
 * Effective C6 with the geometric-mean rule, C6_ab = c_a c_b, fitted by Gauss-Newton to the energies beyond `near`
 * per atom: tail = -sum_ab c_a c_b S_ab. The rule keeps the fit determined where the composition barely varies (every
 * cell is near Li3PS4, so six free pair coefficients are nearly collinear).
 */
export function fitTailC6(rows: { tail: number; atoms: number; S: number[] }[], species: number): number[] {
  const pairs = speciesPairs(species);
  let c = Array.from({ length: species }, () => 5);
  const predict = (S: number[], x: number[]) => -pairs.reduce((s, [a, b], q) => s + x[a] * x[b] * S[q], 0);
  for (let it = 0; it < 100; it++) {
    const JTJ = c.map(() => c.map(() => 0));
    const JTr = c.map(() => 0);
    for (const row of rows) {
      const res = (row.tail - predict(row.S, c)) / row.atoms;
      const J = c.map(
        (_, p) =>
          -pairs.reduce((s, [a, b], q) => s + ((a === p ? c[b] : 0) + (b === p ? c[a] : 0)) * row.S[q], 0) / row.atoms,
      );
      for (let i = 0; i < species; i++) {
        JTr[i] += J[i] * res;
        for (let j = 0; j < species; j++) JTJ[i][j] += J[i] * J[j];
      }
    }
    // the normal equations of Gauss-Newton: J^T J is symmetric positive definite
    const step = choleskySolve(Float64Array.from(JTJ.flat()), Float64Array.from(JTr), species);
    c = c.map((x, i) => x + step[i]);
    if (Math.max(...Array.from(step, Math.abs)) < 1e-10) break;
  }
  return c;
}

export const dispersionTailCommand: Command = {
  name: 'dispersion-tail',
  summary: "fits the long-range dispersion tail's C6 to the D3 energies beyond the MTP's cutoff (the dispersion table)",
  usage: 'DATA.extxyz --d3 TABLE.tsv --out TAIL.json [--switch 4,5] [--taper 12,14]',
  help: [
    'The tail is -C6_ab S(r) / r^6 (potential/dispersion-tail.ts) with C6_ab = c_a c_b fitted to the D3 energy',
    "beyond the table's near range, per atom; the fit's residual and the spread it explains are printed and kept in",
    "the file's source line.",
  ].join('\n'),
  options: {
    d3: { type: 'string' },
    out: { type: 'string' },
    switch: { type: 'string', default: '4,5' },
    taper: { type: 'string', default: '12,14' },
  },
  async run(args) {
    const data = args.positionals[0];
    const table = stringOption(args, 'd3');
    const out = stringOption(args, 'out');
    if (!data || !table || !out) throw new UsageError('give DATA.extxyz, --d3 TABLE.tsv and --out TAIL.json');
    const radii = (name: string) => {
      const v = stringOption(args, name)!.split(',').map(Number);
      if (v.length !== 2 || !v.every(Number.isFinite) || !(v[0] < v[1]))
        throw new UsageError(`--${name}: two increasing radii in A, e.g. 4,5`);
      return v as [number, number];
    };
    const [switchOn, taper] = [radii('switch'), radii('taper')];
    const d3 = new Map(parseDispersionTable(readFileSync(table, 'utf8'), table).map((r) => [r.id, r]));
    const nears = new Set([...d3.values()].map((r) => r.near));
    if (nears.size !== 1) throw new UsageError(`${table}: one near range expected, found ${[...nears].join(', ')}`);
    const near = [...nears][0];
    const species = [...LI_P_S];
    const rows = readLabelled(readFileSync(data, 'utf8'), data, species)
      .filter((c) => d3.has(configId(c)))
      .map((c) => {
        const r = d3.get(configId(c))!;
        if (r.atoms !== c.types.length)
          throw new UsageError(`${table}: ${r.id} has ${r.atoms} atoms, ${data} ${c.types.length}`);
        return {
          id: r.id,
          atoms: r.atoms,
          tail: r.full - r.within,
          S: pairSums(c, species.length, near, CP2K_D3_RANGE_A),
        };
      });
    if (rows.length < 10)
      throw new UsageError(`${table}: ${rows.length} configurations of ${data}; the fit needs 10 or more`);
    const c = fitTailC6(rows, species.length);
    const pairs = speciesPairs(species.length);
    const perAtom = rows.map((r) => r.tail / r.atoms);
    const mean = perAtom.reduce((s, x) => s + x, 0) / rows.length;
    const rms = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
    const residual = rms(
      rows.map((r, k) => perAtom[k] + pairs.reduce((s, [a, b], q) => s + c[a] * c[b] * r.S[q], 0) / r.atoms),
    );
    const spread = rms(perAtom.map((x) => x - mean));
    const meV = (x: number) => (1000 * x).toFixed(2);
    console.log(
      `${rows.length} configurations: D3 beyond ${near} A ${meV(mean)} meV/atom on average, spread ${meV(spread)}; fit residual ${meV(residual)} (rms, meV/atom)`,
    );
    const tail: DispersionTail & { format: string } = {
      format: DISPERSION_TAIL_FORMAT,
      species,
      c6: species.map((_, a) => species.map((_, b) => Number((c[a] * c[b]).toPrecision(6)))),
      switchOn,
      taper,
      source: `C6 = c_a c_b fitted to CP2K's D3(BJ) energy beyond ${near} A of ${rows.length} configurations of ${data} (${table}, sha256 ${fileSha256(table).slice(0, 12)}): rms residual ${meV(residual)} meV/atom against a spread of ${meV(spread)}`,
    };
    writeFileSync(out, `${JSON.stringify(tail, null, 2)}\n`);
    for (const [a, b] of pairs) console.log(`C6 ${species[a]}-${species[b]}: ${(c[a] * c[b]).toFixed(2)} eV A^6`);
    console.log(`-> ${out}`);
    return 0;
  },
};
