import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../src/cli/command.ts';
import { formatExtxyzFrame } from '../src/io/extxyz.ts';
import { LI_P_S } from '../src/model/species.ts';
import { parseDispersionTail } from '../src/potential/dispersion-tail.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { repeatStructure } from '../src/structure/supercell.ts';
import { CP2K_D3_RANGE_A, cp2kInput, dispersionEnergyOf, HARTREE_EV } from '../tools/dft/cp2k.ts';
import { fitTailC6, pairSums, parseDispersionTable } from '../tools/dft/dispersion.ts';
import { DFT_TOOLS } from '../tools/dft/main.ts';
import { randomTriclinicConfig } from './support.ts';

const fixture = readFileSync(new URL('./fixtures/cp2k-li3ps4-1x1x2.out', import.meta.url), 'utf8');

describe('the D3 probe and the dispersion tail fit', () => {
  it("a probe keeps the labels' D3 and basis, takes one SCF step, no forces, and halves its range for R_CUTOFF", () => {
    const s = repeatStructure(betaLi3PS4(), 1, 1, 2);
    const label = cp2kInput(s, 'x').split('\n');
    const full = cp2kInput(s, 'x', undefined, {}).split('\n');
    const near = cp2kInput(s, 'x', undefined, { range: 5 }).split('\n');
    for (const key of [
      'TYPE DFTD3(BJ)',
      'REFERENCE_FUNCTIONAL PBE',
      'PARAMETER_FILE_NAME dftd3.dat',
      '&XC_FUNCTIONAL PBE',
    ])
      for (const inp of [label, full, near]) expect(inp.map((l) => l.trim())).toContain(key);
    for (const inp of [full, near]) {
      const t = inp.map((l) => l.trim());
      expect(t).toEqual(expect.arrayContaining(['RUN_TYPE ENERGY', 'STRESS_TENSOR NONE', 'MAX_SCF 1', 'MAX_SCF 0']));
      expect(t.some((l) => l.startsWith('&FORCES'))).toBe(false);
    }
    expect(full.some((l) => l.includes('R_CUTOFF'))).toBe(false);
    expect(near.map((l) => l.trim())).toContain('R_CUTOFF [angstrom] 2.5');
    expect(label.some((l) => l.includes('R_CUTOFF'))).toBe(false);
    // and the D3 energy is read from what CP2K prints (the fixture: a 64-atom cell)
    expect(dispersionEnergyOf(fixture)).toBeCloseTo(-0.55865934628825 * HARTREE_EV, 9);
    expect(dispersionEnergyOf('no such line')).toBeNaN();
  });

  it('the fit recovers the C6 of a tail that follows the geometric-mean rule', () => {
    const c = [2.1, 7.3, 9.8];
    const rows = [0, 1, 2, 3, 4, 5].map((seed) => {
      const config = randomTriclinicConfig(seed + 40, 30, 3, 1.8, 0.03 + 0.005 * seed);
      const S = pairSums(config, 3, 5, 12);
      const pairs = [
        [0, 0],
        [0, 1],
        [0, 2],
        [1, 1],
        [1, 2],
        [2, 2],
      ];
      return { atoms: 30, S, tail: -pairs.reduce((s, [a, b], q) => s + c[a] * c[b] * S[q], 0) };
    });
    const fitted = fitTailC6(rows, 3);
    fitted.forEach((x, k) => {
      expect(x).toBeCloseTo(c[k], 6);
    });
  });

  it('dispersion-tail writes a tail file the potential reads, and refuses a table that is not one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-tail-'));
    const data = join(dir, 'd.extxyz');
    const table = join(dir, 'd3.tsv');
    const lines = ['config_id\tatoms\td3_eV\td3_near_eV\tnear_A'];
    let text = '';
    for (let k = 0; k < 12; k++) {
      const config = randomTriclinicConfig(k + 60, 24, 3, 1.8, 0.04);
      const species = [...LI_P_S];
      const structure = { species, types: config.types, positions: config.positions, cell: config.cell! };
      const frame = formatExtxyzFrame(
        structure,
        { config_id: `c${k}`, energy: '-1' },
        { forces: new Float64Array(72) },
      );
      text += frame;
      const S = pairSums(config, 3, 5, CP2K_D3_RANGE_A);
      const tail = -(4 * S[0] + 8 * S[1] + 10 * S[2] + 16 * S[3] + 20 * S[4] + 25 * S[5]);
      lines.push(`c${k}\t24\t${-5 + tail}\t-5\t5`);
    }
    writeFileSync(data, text);
    writeFileSync(table, `${lines.join('\n')}\n`);
    const out = join(dir, 'tail.json');
    const rc = await dispatch('dft', DFT_TOOLS, ['dispersion-tail', data, '--d3', table, '--out', out], () => '');
    expect(rc).toBe(0);
    const tail = parseDispersionTail(readFileSync(out, 'utf8'), out);
    expect(tail.c6[2][2]).toBeCloseTo(25, 3);
    expect(tail.c6[0][1]).toBeCloseTo(8, 3);
    expect(tail.switchOn).toEqual([4, 5]);
    expect(tail.taper).toEqual([12, 14]);
    expect(() => parseDispersionTable('id\tatoms\n', 't.tsv')).toThrow(/t\.tsv: line 1/);
    expect(() => parseDispersionTable(`${lines[0]}\nc0\t24\tx\t-5\t5\n`, 't.tsv')).toThrow(/t\.tsv:2/);
  });
});
