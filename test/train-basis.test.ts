import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMtp, writeMtp } from '../src/io/mtp.ts';
import { buildNeighborList } from '../src/model/neighbors.ts';
import { compileMtp } from '../src/potential/mtp/model.ts';
import { basisMatrix } from '../src/potential/mtp/reference.ts';
import { basisTemplate, generateBasis } from '../src/train/basis.ts';
import { FIXTURES, randomTriclinicConfig, VECTORS } from './support.ts';

/** The table of MLIP's standard templates in fixtures/mtp/SPEC.md: level -> radial funcs, basic moments, scalar functions. */
function specTable(): Map<number, [number, number, number]> {
  const text = readFileSync(`${FIXTURES}mtp/SPEC.md`, 'utf8');
  const rows = new Map<number, [number, number, number]>();
  for (const line of text.split('\n')) {
    const m = /^\|\s*(\d\d)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|/.exec(line);
    if (m) rows.set(Number(m[1]), [Number(m[2]), Number(m[3]), Number(m[4])]);
  }
  return rows;
}

describe('MTP basis generator', () => {
  const table = specTable();
  it('reads the 14 standard levels from the specification', () => {
    expect([...table.keys()]).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28]);
  });

  for (const [level, [radial, basic, scalars]] of table) {
    it(`level ${level}: ${radial} radial functions, ${basic} basic moments, ${scalars} scalar basis functions, as MLIP`, () => {
      const b = generateBasis(level);
      expect(b.radialFuncsCount).toBe(radial);
      expect(b.alphaIndexBasic.length).toBe(basic);
      expect(b.alphaMomentMapping.length).toBe(scalars);
      // every contraction step reads moments computed before it
      const ready = new Uint8Array(b.alphaMomentsCount);
      for (let k = 0; k < b.alphaIndexBasic.length; k++) ready[k] = 1;
      let lastTarget = -1;
      for (const [i0, i1, , k] of b.alphaIndexTimes) {
        if (k !== lastTarget) {
          if (lastTarget >= 0) ready[lastTarget] = 1;
          lastTarget = k;
        }
        expect(ready[i0] && ready[i1]).toBeTruthy();
      }
    });
  }

  const mlipFiles: [string, number][] = [
    ['l06-1sp-scaled', 6],
    ['l08', 8],
    ['l16', 16],
    ['l24', 24],
  ];
  for (const [name, level] of mlipFiles) {
    it(`level ${level}: the same scalar basis functions as MLIP's ${name}.mtp (values on random neighbourhoods)`, () => {
      const mlip = parseMtp(readFileSync(`${VECTORS}${name}.mtp`, 'utf8'), `${name}.mtp`);
      const b = generateBasis(level);
      const mine = compileMtp({
        ...mlip,
        alphaMomentsCount: b.alphaMomentsCount,
        alphaIndexBasic: b.alphaIndexBasic,
        alphaIndexTimes: b.alphaIndexTimes,
        alphaMomentMapping: b.alphaMomentMapping,
        momentCoeffs: new Array(b.alphaMomentMapping.length).fill(0),
      });
      const theirs = compileMtp(mlip);
      const K = b.alphaMomentMapping.length;
      expect(theirs.mapping.length).toBe(K);
      const config = randomTriclinicConfig(77, 6, mlip.speciesCount, 1.9, 0.05);
      const nl = buildNeighborList(config.positions, config.cell, mlip.maxDist);
      const A = basisMatrix(mine, config.types, nl);
      const B = basisMatrix(theirs, config.types, nl);
      const n = config.types.length;
      const column = (M: Float64Array, k: number) => Array.from({ length: n }, (_, i) => M[i * K + k]);
      const used = new Set<number>();
      for (let k = 0; k < K; k++) {
        const target = column(B, k);
        const scale = Math.max(...target.map(Math.abs), 1e-300);
        let match = -1;
        for (let j = 0; j < K && match < 0; j++) {
          if (used.has(j)) continue;
          const c = column(A, j);
          if (c.every((v, i) => Math.abs(v - target[i]) <= 1e-9 * scale)) match = j;
        }
        expect(
          match,
          `MLIP basis function ${k} (moment ${theirs.mapping[k]}) has no equal among the generated ones`,
        ).toBeGreaterThanOrEqual(0);
        used.add(match);
      }
    });
  }

  it('writes an untrained template that reads back', () => {
    const t = basisTemplate(10, 3);
    const back = parseMtp(writeMtp(t), 'template.mtp');
    expect(back.alphaMomentMapping.length).toBe(16);
    expect(back.radialCoeffs).toBeNull();
  });
});
