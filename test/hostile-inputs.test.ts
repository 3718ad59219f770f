import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Unwrapper } from '../src/analysis/unwrap.ts';
import { readText } from '../src/cli/files.ts';
import { main } from '../src/cli/main.ts';
import { parseCif } from '../src/io/cif.ts';
import { parseExtxyz } from '../src/io/extxyz.ts';
import { parsePoscar } from '../src/io/poscar.ts';
import { makeCell } from '../src/model/cell.ts';

const DEFAULT_MTP = 'public/potentials/li3ps4-default.mtp';

/** Runs the CLI, returning its exit code and what it printed on stderr. */
async function run(argv: string[]): Promise<{ code: number; err: string }> {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const code = await main(argv);
    return { code, err: err.mock.calls.flat().join(' ') };
  } finally {
    err.mockRestore();
    log.mockRestore();
  }
}

describe('hostile inputs are refused with file, line or cause, and nothing is written', () => {
  it('calc-efs refuses a configuration with two atoms on one spot through a periodic image (MLIP writes NaN)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lilab-hostile-'));
    const cfg = join(dir, 'in.cfg');
    writeFileSync(
      cfg,
      [
        'BEGIN_CFG',
        ' Size',
        '    2',
        ' Supercell',
        '    10 0 0',
        '    0 10 0',
        '    0 0 10',
        ' AtomData:  id type cartes_x cartes_y cartes_z',
        '    1 0 0 0 0',
        '    2 0 10 0 0',
        'END_CFG',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'out.cfg');
    const r = await run(['calc-efs', DEFAULT_MTP, cfg, out]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(
      /configuration 1 gives a non-finite energy.*atom 1 is 0\.000 A from atom 2, counting periodic images/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an unknown element symbol (Xx) in extended XYZ and POSCAR, by line', () => {
    const xyz = '1\nLattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R:3 pbc="T T T"\nXx 0 0 0\n';
    expect(() => parseExtxyz(xyz, 'a.extxyz')).toThrow(/a\.extxyz:3: 'Xx' is not an element symbol/);
    expect(() => parsePoscar('x\n1.0\n10 0 0\n0 10 0\n0 0 10\nXx\n1\nDirect\n0 0 0\n', 'POSCAR')).toThrow(
      /POSCAR:6: 'Xx' is not an element symbol/,
    );
  });

  it('refuses a --supercell that would exhaust memory before making it, naming the atoms it would make', async () => {
    const r = await run(['md', '--structure', 'beta-li3ps4', '--supercell', '100000x100000x10', '--steps', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--supercell 100000x100000x10 of 32 atoms makes 3\.20e\+12 atoms, more than the 10000000/);
    expect((await run(['md', '--structure', 'beta-li3ps4', '--supercell', '0x1x1', '--steps', '1'])).err).toMatch(
      /each repeat must be at least 1/,
    );
  });

  it('unwraps a run whose cell changes (a barostat) with each frame’s own cell', () => {
    // an atom moving +0.3 of the cell per frame along x while the cell grows: wrapped, then unwrapped
    const cells = [10, 10.5, 11, 11.5, 12].map((a) => makeCell([a, 0, 0, 0, 10, 0, 0, 0, 10]));
    const frac = [0.1, 0.4, 0.7, 1.0, 1.3];
    const u = new Unwrapper(cells[0]);
    const got = cells.map((c, k) => u.next([(frac[k] % 1) * c.lattice[0], 0, 0], c)[0]);
    for (const [k, f] of frac.entries()) expect(got[k]).toBeCloseTo(f * cells[k].lattice[0], 10);
  });
});

describe('CIF sites that overlap after symmetry', () => {
  const cif = readFileSync('test/fixtures/structures/beta-Li3PS4.cif', 'utf8');
  it('refuses a site given twice, naming both', () => {
    const twice = cif.replace(
      '  P1 P 4c 0.0894 0.2500 0.1692 1.0',
      '  P1 P 4c 0.0894 0.2500 0.1692 1.0\n  P9 P 4c 0.0894 0.2500 0.1692 1.0',
    );
    expect(() => parseCif(twice, 'twice.cif')).toThrow(
      /twice\.cif:\d+: sites P1 and P9 overlap after symmetry: two atoms 0\.000 A apart/,
    );
  });
  it('refuses a site a little off its mirror plane (y = 1/4), whose two images then nearly coincide', () => {
    const off = cif.replace('  P1 P 4c 0.0894 0.2500 0.1692 1.0', '  P1 P 4c 0.0894 0.2600 0.1692 1.0');
    expect(() => parseCif(off, 'off.cif')).toThrow(/sites P1 and P1 overlap after symmetry: two atoms 0\.164 A apart/);
  });
});

describe('valid but unusual inputs are read with the right numbers', () => {
  const cif = readFileSync('test/fixtures/structures/beta-Li3PS4.cif', 'utf8');
  const poscar = readFileSync('test/fixtures/structures/beta-Li3PS4.POSCAR', 'utf8');
  it('CIF numbers with uncertainty brackets are the numbers without them', () => {
    const bracketed = cif
      .replace('0.3422 0.0322 0.3812', '0.3422(3) 0.0322(12) 0.3812(4)')
      .replace(/_cell_length_a (\S+)/, '_cell_length_a $1(2)');
    expect(Array.from(parseCif(bracketed, 'u.cif').positions)).toEqual(Array.from(parseCif(cif, 'c.cif').positions));
  });
  it('CRLF line ends and a byte-order mark change nothing (extended XYZ, POSCAR)', () => {
    const xyz = '1\nLattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R:3 pbc="T T T"\nLi 1.5 2 3\n';
    const crlf = `\uFEFF${xyz.replace(/\n/g, '\r\n')}`;
    expect(Array.from(parseExtxyz(throughFile(crlf), 'a.extxyz')[0].structure.positions)).toEqual([1.5, 2, 3]);
    const p = parsePoscar(throughFile(`\uFEFF${poscar.replace(/\n/g, '\r\n')}`), 'POSCAR');
    expect(Array.from(p.positions)).toEqual(Array.from(parsePoscar(poscar, 'POSCAR').positions));
  });
  it('POSCAR: selective dynamics flags are read past; a negative scale is the volume wanted', () => {
    const lines = poscar.split('\n');
    const k = lines.findIndex((l) => /^\s*direct/i.test(l));
    const selective = [
      ...lines.slice(0, k),
      'Selective dynamics',
      lines[k],
      ...lines.slice(k + 1).map((l) => (l.trim() ? `${l} T T F` : l)),
    ];
    expect(Array.from(parsePoscar(selective.join('\n'), 'POSCAR').positions)).toEqual(
      Array.from(parsePoscar(poscar, 'POSCAR').positions),
    );
    const byVolume = [lines[0], '-1000', ...lines.slice(2)].join('\n');
    const v = parsePoscar(byVolume, 'POSCAR').cell.lattice;
    expect(v[0] * v[4] * v[8]).toBeCloseTo(1000, 8);
  });
});

/** The text written to a file and read back as the commands read it. */
function throughFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lilab-bom-'));
  writeFileSync(join(dir, 'f'), text);
  return readText(join(dir, 'f'));
}
