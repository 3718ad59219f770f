import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { volume } from '../src/model/cell.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { repeatStructure } from '../src/structure/supercell.ts';
import {
  Cp2kOutputError,
  cp2kInput,
  HARTREE_EV,
  parseCp2kOutput,
  plusStressFromCp2k,
  RETRY_SCF,
  scfStepCount,
} from '../tools/dft/cp2k.ts';

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

  it('refuses a truncated output', () => {
    const cut = output.slice(0, output.indexOf('ATOMIC FORCES'));
    expect(() => parseCp2kOutput(cut, 64)).toThrow(Cp2kOutputError);
  });
});
