import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MsdAccumulator } from '../src/analysis/msd-accumulator.ts';
import { fileLines } from '../src/cli/files.ts';
import { main } from '../src/cli/main.ts';
import { formatLammpsDump, writeLammpsData } from '../src/io/lammps.ts';
import { lammpsDumpFrames, parseLammpsData } from '../src/io/lammps-read.ts';
import { parsePoscar, writePoscar, xdatcarFrames } from '../src/io/poscar.ts';
import { readStructureText } from '../src/io/structure-files.ts';
import { makeCell, toFractional } from '../src/model/cell.ts';
import { seededNormal } from '../src/model/random.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { repeatStructure } from '../src/structure/supercell.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'lilab-traj-'));

/** Same atoms (species in order) and positions within `tol` A, up to whole lattice vectors. */
function expectSameAtoms(a: ReturnType<typeof betaLi3PS4>, b: ReturnType<typeof betaLi3PS4>, tol = 1e-6) {
  expect(b.types.length).toBe(a.types.length);
  for (let i = 0; i < a.types.length; i++) expect(b.species[b.types[i]]).toBe(a.species[a.types[i]]);
  const fa = toFractional(a.cell, a.positions);
  const fb = toFractional(b.cell, b.positions);
  for (let k = 0; k < fa.length; k++) {
    const d = fa[k] - fb[k];
    expect(Math.abs(d - Math.round(d))).toBeLessThan(tol);
  }
}

/** Random walkers in a box (Li) and fixed S: unwrapped positions per frame. */
function walk(frames: number, n = 12, seed = 4, step = 0.4) {
  const normal = seededNormal(seed);
  const pos = Float64Array.from({ length: 3 * (n + 4) }, (_, k) => (k * 1.91) % 10);
  const out: Float64Array[] = [];
  for (let t = 0; t < frames; t++) {
    if (t > 0) for (let k = 0; k < 3 * n; k++) pos[k] += step * normal();
    out.push(Float64Array.from(pos));
  }
  return { out, types: Int32Array.from({ length: n + 4 }, (_, i) => (i < n ? 0 : 2)) };
}

describe('trajectory and LAMMPS/VASP readers', () => {
  it('reads back a LAMMPS data file the lab wrote (types from Masses), orthorhombic and triclinic', () => {
    const s = repeatStructure(betaLi3PS4(), 1, 1, 2);
    expectSameAtoms(s, parseLammpsData(writeLammpsData(s), 'x.data'));
    const tilted = { ...s, cell: makeCell([12.8, 0, 0, 1.5, 6.1, 0, -0.7, 0.9, 16.4]) };
    const back = parseLammpsData(writeLammpsData(tilted), 'x.data');
    expectSameAtoms(tilted, back);
    expect(readStructureText(writeLammpsData(s), 'in.data').types.length).toBe(s.types.length);
  });

  it('refuses broken data files by line: an unknown mass, a duplicated id, a short Atoms section', () => {
    const text = writeLammpsData(betaLi3PS4());
    expect(() => parseLammpsData(text.replace(/^1 6\.94 # Li$/m, '1 99.5 # Li'), 'x.data')).toThrow(
      /x\.data:\d+: mass 99\.5 is not the mass of an element/,
    );
    expect(() => parseLammpsData(text.replace(/^2 (\d) /m, '1 $1 '), 'x.data')).toThrow(/atom id 1 appears twice/);
    expect(() => parseLammpsData(text.split('\n').slice(0, -5).join('\n'), 'x.data')).toThrow(
      /section Atoms has 28 lines, expected 32/,
    );
  });

  it('reads LAMMPS dumps frame by frame with image flags: the unwrapped positions come back', () => {
    const cell = makeCell([10, 0, 0, 0, 11, 0, 0, 0, 12]);
    const { out, types } = walk(20, 6, 3, 1.5);
    const text = out.map((p, t) => formatLammpsDump(10 * t, cell, types, p)).join('');
    const frames = [...lammpsDumpFrames(text.split('\n'), 'run.dump', ['Li', 'P', 'S'])];
    expect(frames.length).toBe(20);
    expect(frames[3].step).toBe(30);
    expect(frames[3].unwrapped).toBe(true);
    for (let k = 0; k < out[19].length; k++) expect(frames[19].structure.positions[k]).toBeCloseTo(out[19][k], 8);
    expect(frames[0].structure.species[frames[0].structure.types[8]]).toBe('S');
    // a type the order does not name, and a box that is not periodic, are refused by line
    expect(() => [...lammpsDumpFrames(text.split('\n'), 'run.dump', ['Li'])]).toThrow(/run\.dump:\d+: atom type 3/);
    expect(() => [
      ...lammpsDumpFrames(text.replace('pp pp pp', 'pp pp ff').split('\n'), 'r.dump', ['Li', 'P', 'S']),
    ]).toThrow(/periodic/);
  });

  it('reads an XDATCAR (fixed and changing cell) as POSCAR frames', () => {
    const s = repeatStructure(betaLi3PS4(), 1, 1, 1);
    const poscar = writePoscar(s).split('\n');
    const head = poscar.slice(0, 7).join('\n');
    const coords = (shift: number) => {
      const f = toFractional(s.cell, s.positions);
      const rows: string[] = [];
      for (let a = 0; a < f.length / 3; a++)
        rows.push(`${(((f[3 * a] + shift) % 1) + 1) % 1} ${f[3 * a + 1]} ${f[3 * a + 2]}`);
      return rows;
    };
    const fixed = [
      head,
      'Direct configuration=     1',
      ...coords(0),
      'Direct configuration=     2',
      ...coords(0.01),
    ].join('\n');
    const frames = [...xdatcarFrames(fixed.split('\n'), 'XDATCAR')];
    expect(frames.length).toBe(2);
    expectSameAtoms(parsePoscar(writePoscar(s)), frames[0].structure);
    const x0 = frames[0].structure.positions[0];
    expect(frames[1].structure.positions[0] - x0).toBeCloseTo(0.01 * s.cell.lattice[0], 8);
    const changing = [
      head,
      'Direct configuration=     1',
      ...coords(0),
      head,
      'Direct configuration=     2',
      ...coords(0),
    ].join('\n');
    expect([...xdatcarFrames(changing.split('\n'), 'XDATCAR')].length).toBe(2);
    expect(() => [
      ...xdatcarFrames([...head.split('\n'), 'Direct configuration= 1', ...coords(0).slice(0, 5)], 'XDATCAR'),
    ]).toThrow(/XDATCAR:\d+: expected 32 atom lines, found 5/);
  });

  it('convert reads LAMMPS data and the last frame of an XDATCAR or dump', async () => {
    const dir = tmp();
    const s = repeatStructure(betaLi3PS4(), 1, 1, 2);
    writeFileSync(join(dir, 'in.data'), writeLammpsData(s));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['convert', join(dir, 'in.data'), join(dir, 'out.extxyz')])).toBe(0);
      const cell = s.cell;
      writeFileSync(
        join(dir, 'run.lammpstrj'),
        [s.positions, s.positions.map((v) => v + 0.1)].map((p, t) => formatLammpsDump(t, cell, s.types, p)).join(''),
      );
      expect(await main(['convert', join(dir, 'run.lammpstrj'), join(dir, 'last.extxyz')])).toBe(0);
    } finally {
      log.mockRestore();
    }
    expectSameAtoms(s, readStructureText(readFileSync(join(dir, 'out.extxyz'), 'utf8'), 'out.extxyz'));
    expect(s.species).toEqual(['Li', 'P', 'S']);
    const last = readStructureText(readFileSync(join(dir, 'last.extxyz'), 'utf8'), 'last.extxyz');
    expectSameAtoms({ ...s, positions: s.positions.map((v) => v + 0.1) }, last, 1e-5);
  });

  it('reads a file in chunks across line and UTF-8 boundaries', () => {
    const dir = tmp();
    const path = join(dir, 'lines.txt');
    const lines = Array.from({ length: 500 }, (_, k) => `line ${k} αβγ ${'x'.repeat(k % 37)}`);
    writeFileSync(path, `\uFEFF${lines.join('\r\n')}\r\n`);
    const back = [...fileLines(path, 7)].map((l) => l.replace(/\r$/, ''));
    expect(back.slice(0, 500)).toEqual(lines);
  });

  it('msd reads a LAMMPS dump and an XDATCAR of the same run and gives the same D from both', async () => {
    const dir = tmp();
    const cell = makeCell([10, 0, 0, 0, 10, 0, 0, 0, 10]);
    const { out, types } = walk(400, 12, 9, 0.3);
    writeFileSync(join(dir, 'run.dump'), out.map((p, t) => formatLammpsDump(t, cell, types, p)).join(''));
    const species = ['Li', 'P', 'S'];
    const xdat = [
      'walk',
      '1.0',
      '10 0 0',
      '0 10 0',
      '0 0 10',
      'Li S',
      '12 4',
      ...out.flatMap((p, t) => [
        `Direct configuration= ${t + 1}`,
        ...Array.from({ length: 16 }, (_, i) => [0, 1, 2].map((d) => (((p[3 * i + d] / 10) % 1) + 1) % 1).join(' ')),
      ]),
    ].join('\n');
    writeFileSync(join(dir, 'XDATCAR'), xdat);
    const d: number[] = [];
    for (const f of ['run.dump', 'XDATCAR']) {
      const printed: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((x: string) => printed.push(x));
      const code = await main(['msd', join(dir, f), '--frame-interval', '10', '--json', '--types', species.join(',')]);
      spy.mockRestore();
      expect(code).toBe(0);
      d.push(JSON.parse(printed.join('\n')).D_cm2_s.total);
    }
    expect(d[1]).toBeCloseTo(d[0], 10);
    expect(d[0]).toBeGreaterThan(0);
  });

  it('keeps the MSD within its memory budget however long the run: past it, frames stream through the correlator', () => {
    const { out } = walk(3000, 12, 5, 0.2);
    const masses = new Float64Array(16).fill(1);
    const atoms = [...Array(12).keys()];
    const exact = new MsdAccumulator(atoms, masses, 1 << 30);
    const small = new MsdAccumulator(atoms, masses, 64 * 1024); // about 200 frames of 12 atoms
    let peak = 0;
    for (const f of out) {
      exact.push(f);
      small.push(f);
      peak = Math.max(peak, small.bytes);
    }
    expect(peak).toBeLessThanOrEqual(64 * 1024);
    const a = exact.result(10, 3000, 15000);
    const b = small.result(10, 3000, 15000);
    expect(a.streamed).toBe(false);
    expect(b.streamed).toBe(true);
    for (const k of ['x', 'y', 'z', 'total'] as const)
      expect(Math.abs(a.d[k].value - b.d[k].value)).toBeLessThan(2 * Math.hypot(a.d[k].error, b.d[k].error));
  });

  it('the msd command streams a trajectory whose frames exceed its memory budget, and says so', async () => {
    const dir = tmp();
    const cell = makeCell([10, 0, 0, 0, 10, 0, 0, 0, 10]);
    const { out, types } = walk(600, 12, 2, 0.3);
    writeFileSync(join(dir, 'run.dump'), out.map((p, t) => formatLammpsDump(t, cell, types, p)).join(''));
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const code = await main(['msd', join(dir, 'run.dump'), '--frame-interval', '10', '--memory-mb', '0.05']);
    const notes = err.mock.calls.flat().join(' ');
    err.mockRestore();
    log.mockRestore();
    expect(code).toBe(0);
    expect(notes).toMatch(/streams through a multiple-tau correlator/);
    expect(readFileSync(join(dir, 'run.dump'), 'utf8').length).toBeGreaterThan(0.05 * 2 ** 20);
  });
});
