import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { formatExtxyzFrame } from '../src/io/extxyz.ts';
import { makeCell } from '../src/model/cell.ts';
import { seededNormal } from '../src/model/random.ts';

const KB = 8.617333262e-5;

/** A wrapped trajectory of 30 Li random walkers (D in A^2/fs per axis) and 10 fixed S atoms, written as extended XYZ. */
function trajectory(path: string, d: [number, number, number], temperature: number, seed: number) {
  const cell = makeCell([12, 0, 0, 0, 12, 0, 0, 0, 12]);
  const normal = seededNormal(seed);
  const n = 40;
  const types = Int32Array.from({ length: n }, (_, i) => (i < 30 ? 0 : 1));
  let pos = Float64Array.from({ length: 3 * n }, (_, k) => (k * 1.37) % 12);
  const out: string[] = [];
  const dt = 10;
  for (let t = 0; t < 1500; t++) {
    const wrapped = pos.map((v) => v - 12 * Math.floor(v / 12));
    out.push(
      formatExtxyzFrame({ cell, species: ['Li', 'S'], types, positions: wrapped }, { Time: t * dt, temperature }),
    );
    const next = Float64Array.from(pos);
    for (let i = 0; i < 30; i++) for (let a = 0; a < 3; a++) next[3 * i + a] += Math.sqrt(2 * d[a] * dt) * normal();
    pos = next;
  }
  writeFileSync(path, out.join(''));
}

describe('lilab msd and arrhenius', () => {
  it('recover per-axis D from a wrapped trajectory and Ea across temperatures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-msd-'));
    const ea = 0.3;
    const d0 = 0.5;
    const files: string[] = [];
    for (const [k, T] of [600, 900, 1200].entries()) {
      const d = d0 * Math.exp(-ea / (KB * T));
      const traj = join(dir, `run${T}.extxyz`);
      trajectory(traj, [d, 2 * d, 0.5 * d], T, 10 + k);
      const csv = join(dir, `run${T}.csv`);
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      expect(await main(['msd', traj, '--species', 'Li', '--axis-normal', 'z', '--out', csv])).toBe(0);
      log.mockRestore();
      const head = Object.fromEntries(
        readFileSync(csv, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('# '))
          .map((l) => [l.slice(2, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      const [dy, ey] = head.D_y_cm2_s.split(' ').map(Number);
      expect(Math.abs(dy - 0.2 * d) / (0.2 * d)).toBeLessThan(0.15); // 2 d in A^2/fs = 0.2 d cm^2/s
      expect(ey).toBeGreaterThan(0);
      expect(Math.abs(Number(head.isotropy_normal_over_inplane) - 0.5 / 1.5)).toBeLessThan(0.1);
      files.push(csv);
      if (k === 0) {
        // --json: the same numbers as one object on stdout; no temperature-free NaN anywhere
        const printed: string[] = [];
        const spy = vi.spyOn(console, 'log').mockImplementation((x: string) => printed.push(x));
        expect(await main(['msd', traj, '--species', 'Li', '--axis-normal', 'z', '--json'])).toBe(0);
        spy.mockRestore();
        expect(printed.length).toBe(1);
        const j = JSON.parse(printed[0]);
        expect(j.D_cm2_s.y).toBeCloseTo(dy, 15);
        expect(j.D_sigma_cm2_s.y).toBeCloseTo(ey, 15);
        expect(j.temperature_K).toBe(T);
        expect(j.sigma_S_cm_nernst_einstein).toBeGreaterThan(0);
        expect(j.isotropy_normal_over_inplane).toBeCloseTo(Number(head.isotropy_normal_over_inplane), 12);
      }
    }
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((s: string) => lines.push(s));
    expect(await main(['arrhenius', ...files])).toBe(0);
    log.mockRestore();
    const eaLine = lines.find((l) => l.startsWith('Ea = '))!;
    const [fitted, err] = eaLine.match(/[\d.]+/g)!.map(Number);
    expect(Math.abs(fitted - ea)).toBeLessThan(Math.max(3 * err, 0.03));
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((x: string) => printed.push(x));
    expect(await main(['arrhenius', ...files, '--json'])).toBe(0);
    spy.mockRestore();
    const j = JSON.parse(printed.join('\n'));
    expect(j.Ea_eV).toBeCloseTo(fitted, 4);
    expect(j.Ea_sigma_eV).toBeCloseTo(err, 4);
    expect(j.runs.map((r: { temperature_K: number }) => r.temperature_K)).toEqual([600, 900, 1200]);
    expect(j.D_sigma_cm2_s).toBeCloseTo(j.D_cm2_s * (j.D_factor_1sigma - 1), 15);
  });

  it('refuses frames whose atoms change, and frames without Time= unless the interval is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-msd-bad-'));
    const traj = join(dir, 'run.extxyz');
    trajectory(traj, [1e-3, 1e-3, 1e-3], 800, 3);
    const frames = readFileSync(traj, 'utf8').split(/(?=^40\n)/m);
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      // frame 5 loses its last atom
      const short = frames[4].split('\n');
      const cut = [`39`, short[1], ...short.slice(2, 41), ''].join('\n');
      writeFileSync(traj, [...frames.slice(0, 4), cut, ...frames.slice(5)].join(''));
      expect(await main(['msd', traj])).not.toBe(0);
      expect(err.mock.calls.flat().join(' ')).toMatch(
        /frame 5 has 39 atoms or another species order than frame 1 \(40\)/,
      );
      // no Time= anywhere: refused, then read with the interval given
      writeFileSync(traj, frames.map((f) => f.replace(/ Time=\S+/, '')).join(''));
      err.mockClear();
      expect(await main(['msd', traj])).not.toBe(0);
      expect(err.mock.calls.flat().join(' ')).toMatch(/frame 1 has no Time= \(fs\); give --frame-interval FS/);
      expect(await main(['msd', traj, '--frame-interval', '10'])).toBe(0);
    } finally {
      err.mockRestore();
      log.mockRestore();
    }
  });
});
