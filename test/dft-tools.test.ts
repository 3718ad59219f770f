import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { dispatch } from '../src/cli/command.ts';
import { loadPotential } from '../src/cli/files.ts';
import { formatExtxyzFrame, parseExtxyz } from '../src/io/extxyz.ts';
import { volume } from '../src/model/cell.ts';
import { buildNeighborList } from '../src/model/neighbors.ts';
import { PS_BOND } from '../src/model/ps4.ts';
import { LI_P_S } from '../src/model/species.ts';
import { type Structure, toConfiguration } from '../src/model/structure.ts';
import { buildBicrystal } from '../src/structure/gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS } from '../src/structure/gb/presets.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { repeatStructure } from '../src/structure/supercell.ts';
import { cutSlab, slabAtoms } from '../tools/dft/boundary-slab.ts';
import {
  Cp2kOutputError,
  cp2kInput,
  HARTREE_EV,
  parseCp2kOutput,
  plusStressFromCp2k,
  RETRY_SCF,
  SMEARED_SCF,
  scfStepCount,
} from '../tools/dft/cp2k.ts';
import { lockWorkDirectory } from '../tools/dft/label.ts';
import { DFT_TOOLS } from '../tools/dft/main.ts';
import { type Candidate, evenlySpaced, highestGraded } from '../tools/dft/pick-frames.ts';
import { configurationKey } from '../tools/dft/same-configuration.ts';
import { writeSampledFrames } from '../tools/dft/tool-args.ts';

function minimumDistance(s: Structure): number {
  const nl = buildNeighborList(s.positions, s.cell, 3);
  let m = Number.POSITIVE_INFINITY;
  for (let e = 0; e < nl.index.length; e++) m = Math.min(m, Math.hypot(...nl.vectors.subarray(3 * e, 3 * e + 3)));
  return m;
}

const output = readFileSync(new URL('./fixtures/cp2k-li3ps4-1x1x2.out', import.meta.url), 'utf8');

describe('CP2K labelling tools', () => {
  it('writes an input with the project settings for every label', () => {
    const inp = cp2kInput(repeatStructure(betaLi3PS4(), 1, 1, 2), 'x');
    for (const key of [
      'CUTOFF 400',
      'REL_CUTOFF 50',
      'EPS_SCF 1.0e-6',
      'TYPE DFTD3(BJ)',
      'STRESS_TENSOR ANALYTICAL',
      'BASIS_SET DZVP-MOLOPT-SR-GTH',
      'POTENTIAL GTH-PBE-q3',
      'POTENTIAL GTH-PBE-q5',
      'POTENTIAL GTH-PBE-q6',
      '&XC_FUNCTIONAL PBE',
    ]) {
      expect(inp).toContain(key);
    }
    expect(inp).not.toMatch(/KPOINTS/); // Gamma point only
    expect(inp.match(/^\s+(Li|P|S) -?\d/gm)?.length).toBe(64);
    expect(inp).toContain('SCF_GUESS ATOMIC');
    expect(inp).not.toContain('WFN_RESTART_FILE_NAME');
  });

  it('starts from a given wavefunction without touching the physics settings', () => {
    const s = repeatStructure(betaLi3PS4(), 1, 1, 2);
    const plain = cp2kInput(s, 'x');
    const restarted = cp2kInput(s, 'x', { innerMaxScf: 20, outerMaxScf: 12, restartWfn: '/w/guess.wfn' });
    expect(restarted).toContain('WFN_RESTART_FILE_NAME /w/guess.wfn');
    expect(restarted).toContain('SCF_GUESS RESTART');
    // the only lines that differ are the guess and its file
    const a = new Set(plain.split('\n'));
    const extra = restarted.split('\n').filter((l) => !a.has(l));
    expect(extra.map((l) => l.trim())).toEqual(['WFN_RESTART_FILE_NAME /w/guess.wfn', 'SCF_GUESS RESTART']);
    // the retry after a failed SCF changes only the minimiser and the loop lengths
    const retry = cp2kInput(s, 'x', { ...RETRY_SCF, restartWfn: '/w/x-RESTART.wfn' })
      .split('\n')
      .filter((l) => !a.has(l))
      .map((l) => l.trim());
    expect(retry).toEqual([
      'WFN_RESTART_FILE_NAME /w/x-RESTART.wfn',
      'SCF_GUESS RESTART',
      'MAX_SCF 30',
      'MINIMIZER CG',
      'LINESEARCH 2PNT',
      'MAX_SCF 10',
    ]);
  });

  it('the smeared driver replaces OT by diagonalisation with Fermi-Dirac occupations and leaves the physics alone', () => {
    const s = repeatStructure(betaLi3PS4(), 1, 1, 2);
    const plain = new Set(cp2kInput(s, 'x').split('\n'));
    const smeared = cp2kInput(s, 'x', SMEARED_SCF).split('\n');
    expect(smeared.some((l) => /&OT|OUTER_SCF|MINIMIZER/.test(l))).toBe(false);
    expect(smeared.map((l) => l.trim())).toEqual(
      expect.arrayContaining(['METHOD FERMI_DIRAC', 'ELECTRONIC_TEMPERATURE [K] 300', 'METHOD BROYDEN_MIXING']),
    );
    // functional, basis, cutoffs, dispersion, EPS_SCF: every line outside the SCF driver is the same
    for (const key of [
      'CUTOFF 400',
      'REL_CUTOFF 50',
      'EPS_SCF 1.0e-6',
      'TYPE DFTD3(BJ)',
      'BASIS_SET DZVP-MOLOPT-SR-GTH',
    ])
      expect(smeared.some((l) => l.trim() === key) && [...plain].some((l) => l.trim() === key)).toBe(true);
    // its steps are counted as OT steps are
    expect(
      scfStepCount('     1 NoMix/Diag.  0.40E+00   1.2  0.1 -550.1\n     2 Broy./Diag.  0.20E+00   1.1  0.01 -551.0\n'),
    ).toBe(2);
  });

  it('reads energy, forces and stress from a real CP2K 2023.1 output (beta-Li3PS4 1x1x2)', () => {
    const r = parseCp2kOutput(output, 64);
    expect(r.energy).toBeCloseTo(-561.3583353591615 * HARTREE_EV, 6);
    expect(r.scfConverged).toBe(true);
    expect(r.scfSteps).toBe(64);
    expect(scfStepCount(output)).toBe(64); // counted line by line, as for a run that stopped unconverged
    expect(r.version).toMatch(/2023\.1/);
    expect(r.forces.length).toBe(192);
    // a crystal: forces sum to ~zero
    const sum = [0, 1, 2].map((d) => r.forces.filter((_, k) => k % 3 === d).reduce((a, b) => a + b, 0));
    expect(Math.max(...sum.map(Math.abs))).toBeLessThan(1e-3);
    expect(r.stressGPa[4]).toBeCloseTo(1.64723344306, 9);
    const cell = repeatStructure(betaLi3PS4(), 1, 1, 2).cell;
    const w = plusStressFromCp2k(r.stressGPa, volume(cell));
    expect(w[4]).toBeCloseTo((1.64723344306 / 160.21766208) * volume(cell), 9);
  });

  it('knows a configuration sampled twice under different ids, and only that', () => {
    const s = repeatStructure(betaLi3PS4(), 1, 1, 2);
    const copy: Structure = { ...s, positions: s.positions.map((x) => x + 1e-6) };
    expect(configurationKey(copy)).toBe(configurationKey(s));
    const moved: Structure = { ...s, positions: s.positions.slice() };
    moved.positions[3 * 17 + 1] += 0.01;
    expect(configurationKey(moved)).not.toBe(configurationKey(s));
    const swapped: Structure = { ...s, types: s.types.slice() };
    [swapped.types[0], swapped.types[63]] = [s.types[63], s.types[0]];
    expect(s.types[0]).not.toBe(s.types[63]);
    expect(configurationKey(swapped)).not.toBe(configurationKey(s));
    const strained: Structure = { ...s, cell: { ...s.cell, lattice: s.cell.lattice.map((x) => x * 1.01) } };
    expect(configurationKey(strained)).not.toBe(configurationKey(s));
  });

  it('refuses a truncated output', () => {
    const cut = output.slice(0, output.indexOf('ATOMIC FORCES'));
    expect(() => parseCp2kOutput(cut, 64)).toThrow(Cp2kOutputError);
  });
});

describe('boundary slabs for DFT', () => {
  const preset = GB_PRESETS.find((p) => p.id === 'sigma5-001-120');
  if (!preset) throw new Error('preset sigma5-001-120 missing');
  const { structure: bicrystal, report } = buildBicrystal(betaLi3PS4Standard(), {
    ...preset.spec,
    cut: 'atoms',
    removeCloserThan: 1.5,
  });
  const charge = (s: { species: string[]; types: Int32Array }) =>
    [...s.types].reduce((q, t) => q + ({ Li: 1, P: 5, S: -2 } as Record<string, number>)[s.species[t]], 0);

  it('cuts a neutral slab of whole PS4 units around each boundary, opened by the vacuum asked for', () => {
    for (const z0 of [0, report.thicknessA]) {
      const atoms = slabAtoms(bicrystal, bicrystal.positions, z0, 6);
      const slab = cutSlab(bicrystal, bicrystal.positions, atoms, 8);
      expect(charge(slab)).toBe(0);
      expect(slab.types.length).toBeGreaterThan(70);
      expect(slab.types.length).toBeLessThan(120);
      const z = Array.from({ length: slab.types.length }, (_, k) => slab.positions[3 * k + 2]);
      const extent = Math.max(...z) - Math.min(...z);
      expect(slab.cell.lattice[8]).toBeCloseTo(extent + 8, 9);
      expect(Math.min(...z)).toBeCloseTo(4, 9);
      // every P of the slab keeps the S it had in the bicrystal, at the same distances (no unit cut by the vacuum)
      const inBicrystal = buildNeighborList(bicrystal.positions, bicrystal.cell, 2.4);
      const inSlab = buildNeighborList(slab.positions, slab.cell, 2.4);
      atoms.atoms.forEach((i, k) => {
        if (bicrystal.species[bicrystal.types[i]] !== 'P') return;
        const sulfurOf = (nl: typeof inSlab, a: number, index: (j: number) => number) =>
          [...nl.index.subarray(nl.offsets[a], nl.offsets[a + 1])].map(index).sort((x, y) => x - y);
        expect(sulfurOf(inSlab, k, (j) => atoms.atoms[j])).toEqual(sulfurOf(inBicrystal, i, (j) => j));
      });
      // nothing meets across the vacuum: no pair closer in the slab than the closest pair of the bicrystal
      expect(minimumDistance(slab)).toBeGreaterThanOrEqual(minimumDistance(bicrystal) - 1e-9);
    }
  });

  it('keeps the same atoms in the same order for every frame of a boundary (SCF restarts need it)', () => {
    const atoms = slabAtoms(bicrystal, bicrystal.positions, 0, 6);
    const moved = Float64Array.from(bicrystal.positions, (x, k) => x + 0.05 * Math.sin(k));
    const a = cutSlab(bicrystal, bicrystal.positions, atoms, 8);
    const b = cutSlab(bicrystal, moved, atoms, 8);
    expect([...b.types]).toEqual([...a.types]);
    // displacements survive the cut atom by atom (up to an in-plane period and the re-centring along z)
    const L = a.cell.lattice;
    expect([L[1], L[3]]).toEqual([0, 0]); // this boundary's in-plane cell is rectangular
    for (let k = 0; k < a.types.length; k++) {
      const d = [0, 1, 2].map((c) => b.positions[3 * k + c] - a.positions[3 * k + c]);
      d[0] -= L[0] * Math.round(d[0] / L[0]);
      d[1] -= L[4] * Math.round(d[1] / L[4]);
      expect(Math.hypot(...d)).toBeLessThan(0.5);
    }
  });
});

describe('the work directory of the labeller', () => {
  it('admits one labeller, names the one that holds it, and takes over a lock whose process is gone', () => {
    const work = mkdtempSync(join(tmpdir(), 'lilab-lock-'));
    const lock = join(work, 'label.lock');
    const release = lockWorkDirectory(work);
    expect(readFileSync(lock, 'utf8').trim()).toBe(String(process.pid));
    expect(() => lockWorkDirectory(work)).toThrow(new RegExp(`another labeller \\(pid ${process.pid}\\)`));
    release();
    expect(existsSync(lock)).toBe(false);
    // a pid above Linux's pid_max (2^22) never runs: the lock it left is stale
    writeFileSync(lock, '99999999\n');
    const again = lockWorkDirectory(work);
    expect(readFileSync(lock, 'utf8').trim()).toBe(String(process.pid));
    again();
  });
});

describe('picking MD frames to label', () => {
  // a 3 ps run recorded every 50 fs, grades rising to a peak at 2000 fs
  const run: Candidate[] = Array.from({ length: 61 }, (_, k) => ({
    time: 50 * k,
    positions: new Float64Array(3),
    grade: 1 + 1 / (1 + Math.abs(50 * k - 2000) / 100),
  }));

  it('takes the highest grades, at least the spacing apart, in time order', () => {
    const picked = highestGraded(run, 3, 200).map((c) => c.time);
    expect(picked).toEqual([1800, 2000, 2200]);
  });

  it('takes frames evenly spaced after the equilibration, ending at the last, whatever their grades', () => {
    const picked = evenlySpaced(run, 4, 1000).map((c) => c.time);
    // 41 frames from 1000 to 3000 fs: the 10th, 20th, 30th and 41st (every 10.25th, rounded down)
    expect(picked).toEqual([1450, 1950, 2450, 3000]);
    expect(evenlySpaced(run, 100, 2900).map((c) => c.time)).toEqual([2900, 2950, 3000]);
    expect(evenlySpaced(run, 4, 4000)).toEqual([]);
  });
});

describe('the DFT tools as commands', () => {
  it('give their help, refuse a missing potential or a bad option by exit 2, and write nothing then', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-dft-tools-'));
    const overview = () => 'overview';
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      for (const tool of DFT_TOOLS) {
        expect(await dispatch('dft', DFT_TOOLS, [tool.name, '--help'], overview)).toBe(0);
        expect(await dispatch('dft', DFT_TOOLS, [tool.name, '--no-such-option'], overview)).toBe(2);
      }
      for (const name of ['bicrystals', 'snapshots', 'neighbourhoods', 'relaxed-cells', 'gb-slabs']) {
        const out = join(dir, `${name}.extxyz`);
        expect(await dispatch('dft', DFT_TOOLS, [name, out], overview)).toBe(2);
        expect(existsSync(out)).toBe(false);
      }
      expect(await dispatch('dft', DFT_TOOLS, ['sample', join(dir, 's.extxyz'), '--round', '4'], overview)).toBe(2);
      expect(await dispatch('dft', DFT_TOOLS, ['label'], overview)).toBe(2);
      expect(errors.mock.calls.map((c) => String(c[0]))).toContain('dft bicrystals: --potential POT.mtp is required');
    } finally {
      quiet.mockRestore();
      errors.mockRestore();
    }
  });

  it('keep an existing output: refused without --append, added to with it, an id it holds refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-dft-append-'));
    const out = join(dir, 'queue.extxyz');
    const s = betaLi3PS4();
    const frame = (id: string) => formatExtxyzFrame(s, { config_id: id });
    writeFileSync(out, frame('r1-a'));
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const overview = () => 'overview';
      const argv = ['neighbourhoods', out, '--potential', 'data/potentials/li3ps4-l12-r21.mtp'];
      expect(await dispatch('dft', DFT_TOOLS, argv, overview)).toBe(2);
      expect(String(errors.mock.calls.at(-1)?.[0])).toContain(`${out} exists: --append adds to it`);
      expect(readFileSync(out, 'utf8')).toBe(frame('r1-a'));
    } finally {
      errors.mockRestore();
    }
    const args = { values: { append: true }, positionals: [out] };
    writeSampledFrames(args, out, [frame('r1-b'), frame('r1-c')]);
    const ids = () => parseExtxyz(readFileSync(out, 'utf8'), out).map((f) => f.info.config_id);
    expect(ids()).toEqual(['r1-a', 'r1-b', 'r1-c']);
    expect(() => writeSampledFrames(args, out, [frame('r1-d'), frame('r1-b')])).toThrow(/already holds r1-b/);
    expect(ids()).toEqual(['r1-a', 'r1-b', 'r1-c']);
    const fresh = join(dir, 'fresh.extxyz');
    writeSampledFrames({ values: {}, positionals: [fresh] }, fresh, [frame('r2-a')]);
    expect(parseExtxyz(readFileSync(fresh, 'utf8'), fresh).map((f) => f.info.config_id)).toEqual(['r2-a']);
  });

  it('rebuild the committed pending files of the early rounds byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-dft-sample-'));
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      for (const [round, file] of [
        [6, 'data/pending-round6-cell.extxyz'],
        [7, 'data/pending-round7-contacts.extxyz'],
      ] as const) {
        const out = join(dir, `round${round}.extxyz`);
        expect(await dispatch('dft', DFT_TOOLS, ['sample', out, '--round', String(round)], () => '')).toBe(0);
        expect(readFileSync(out, 'utf8')).toBe(readFileSync(file, 'utf8'));
      }
    } finally {
      quiet.mockRestore();
    }
  });
});

describe('bond-forces', () => {
  it('projects the restoring force on a stretched P-S bond, and gives the labels back for labels of the potential', async () => {
    const path = 'public/potentials/li3ps4-default.mtp';
    const s = repeatStructure(betaLi3PS4(), 1, 1, 2);
    const p = s.types.findIndex((t) => s.species[t] === 'P');
    const nl = buildNeighborList(s.positions, s.cell, PS_BOND);
    const e = [...Array(nl.offsets[p + 1] - nl.offsets[p]).keys()]
      .map((k) => nl.offsets[p] + k)
      .find((k) => s.species[s.types[nl.index[k]]] === 'S')!;
    const j = nl.index[e];
    const v = [0, 1, 2].map((k) => nl.vectors[3 * e + k]);
    const scale = 2.32 / Math.hypot(...v) - 1;
    for (let k = 0; k < 3; k++) s.positions[3 * j + k] += scale * v[k];
    // labels from the potential itself: the "DFT" column must equal the potential's
    const efs = loadPotential(path).cpu().compute(toConfiguration(s, LI_P_S));
    const dir = mkdtempSync(join(tmpdir(), 'lilab-bond-forces-'));
    const data = join(dir, 'one.extxyz');
    writeFileSync(data, formatExtxyzFrame(s, { config_id: 'stretched', energy: efs.energy }, { forces: efs.forces }));
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
      lines.push(a.join(' '));
    });
    try {
      expect(await dispatch('dft', DFT_TOOLS, ['bond-forces', data, '--potential', path], () => '')).toBe(0);
    } finally {
      log.mockRestore();
    }
    const row = lines.find((l) => l.startsWith('2.30-2.35'));
    expect(row, lines.join('\n')).toBeDefined();
    const [, pairs, dft, mtp] = row!.trim().split(/\s+/).map(Number);
    expect(pairs).toBe(1);
    expect(mtp).toBe(dft);
    // stretched 0.3 A past its length, the bond pulls back by more than 1 eV/A
    expect(dft).toBeLessThan(-1);
    expect(lines.filter((l) => /^\d\.\d\d-/.test(l))).toHaveLength(1);
  });
});
