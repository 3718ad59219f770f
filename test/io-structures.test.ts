import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { parseCif } from '../src/io/cif.ts';
import { ParseError } from '../src/io/errors.ts';
import { formatExtxyzFrame, parseExtxyz } from '../src/io/extxyz.ts';
import { writeLammpsData, writeLammpsInput } from '../src/io/lammps.ts';
import { parsePoscar } from '../src/io/poscar.ts';
import {
  formatHelp,
  formatOf,
  readStructureText,
  STRUCTURE_FILE_ACCEPT,
  STRUCTURE_FORMATS,
  writeStructureText,
} from '../src/io/structure-files.ts';
import { THERMOSTAT_DEFAULTS, thermostat } from '../src/md/thermostats/index.ts';
import { toFractional, volume } from '../src/model/cell.ts';
import { boundaryAtoms, countBySpecies, type Structure } from '../src/model/structure.ts';
import { buildBicrystal } from '../src/structure/gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS, presetSpec } from '../src/structure/gb/presets.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { FIXTURES } from './support.ts';

/** Same atoms (as a set, matched by species and fractional position), same cell lengths and angles. */
function expectSameStructure(a: Structure, b: Structure, tolA = 1e-6) {
  expect(b.types.length).toBe(a.types.length);
  const lens = (s: Structure) =>
    [0, 1, 2].map((k) => Math.hypot(s.cell.lattice[3 * k], s.cell.lattice[3 * k + 1], s.cell.lattice[3 * k + 2]));
  expect(Math.max(...lens(a).map((v, k) => Math.abs(v - lens(b)[k])))).toBeLessThan(1e-6);
  expect(Math.abs(volume(a.cell) - volume(b.cell))).toBeLessThan(1e-5);
  const fa = toFractional(a.cell, a.positions);
  const fb = toFractional(b.cell, b.positions);
  const scale = Math.max(...lens(a));
  const used = new Set<number>();
  for (let i = 0; i < a.types.length; i++) {
    let found = -1;
    for (let j = 0; j < b.types.length && found < 0; j++) {
      if (used.has(j) || b.species[b.types[j]] !== a.species[a.types[i]]) continue;
      const d = [0, 1, 2].map((k) => {
        const x = fa[3 * i + k] - fb[3 * j + k];
        return x - Math.round(x);
      });
      if (Math.max(...d.map(Math.abs)) * scale < tolA) found = j;
    }
    expect(found, `atom ${i} (${a.species[a.types[i]]}) not found after the round trip`).toBeGreaterThanOrEqual(0);
    used.add(found);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'lilab-io-'));

describe('structure files', () => {
  it('the shared CIF (symmetry expanded) and POSCAR give the built-in beta-Li3PS4', () => {
    const builtIn = betaLi3PS4();
    const cif = parseCif(readFileSync(`${FIXTURES}structures/beta-Li3PS4.cif`, 'utf8'), 'beta-Li3PS4.cif');
    expect(cif.types.length).toBe(32);
    expectSameStructure(builtIn, cif);
    const poscar = parsePoscar(readFileSync(`${FIXTURES}structures/beta-Li3PS4.POSCAR`, 'utf8'), 'beta-Li3PS4.POSCAR');
    expectSameStructure(builtIn, poscar);
  });

  const gb = buildBicrystal(betaLi3PS4Standard(), presetSpec(GB_PRESETS[5])).structure; // triclinic-ish Sigma 3
  for (const [name, structure] of [
    ['bulk', betaLi3PS4()],
    ['Sigma 3 bicrystal (oblique cell)', gb],
  ] as const) {
    for (const file of ['x.cif', 'POSCAR', 'x.extxyz', 'x.cfg']) {
      it(`${name}: round trip through ${file} keeps species, positions (1e-6 A) and cell`, () => {
        const text = writeStructureText(structure, file);
        const back = readStructureText(text, file);
        expectSameStructure(structure, back);
      });
    }
  }

  it('extended XYZ keeps the grain labels of a bicrystal', () => {
    const back = readStructureText(writeStructureText(gb, 'g.extxyz'), 'g.extxyz');
    expect(Array.from(back.labels!.grain!)).toEqual(Array.from(gb.labels!.grain!));
    expect(
      Math.max(...back.labels!.boundaryDistance!.map((v, i) => Math.abs(v - gb.labels!.boundaryDistance![i]))),
    ).toBeLessThan(1e-9);
  });

  it('refuses malformed CIF, POSCAR and extended XYZ with file and line', () => {
    const cif = readFileSync(`${FIXTURES}structures/beta-Li3PS4.cif`, 'utf8');
    expect(() => parseCif(cif.replace('0.0322', 'abc'), 'bad.cif')).toThrow(
      /bad\.cif:\d+: expected a number for fract_y/,
    );
    expect(() => parseCif(cif.replace("'x,y,z'", "'x,y'"), 'bad.cif')).toThrow(/bad\.cif:\d+: .*three components/);
    expect(() => parseCif(cif.replace(/_cell_length_b.*\n/, ''), 'bad.cif')).toThrow(/missing _cell_length_b/);
    expect(() =>
      parseCif(cif.replace('Li2 Li 4b 0.0000 0.0000 0.5000 1.0', 'Li2 Li 4b 0.0000 0.0000 0.5000'), 'bad.cif'),
    ).toThrow(/not a multiple/);
    const poscar = readFileSync(`${FIXTURES}structures/beta-Li3PS4.POSCAR`, 'utf8').split('\n');
    const cut = poscar.slice(0, 20).join('\n');
    expect(() => parsePoscar(cut, 'POSCAR')).toThrow(/POSCAR:\d+: expected 32 atom lines/);
    const nan = [...poscar];
    nan[9] = '0.3422 nan 0.3812 Li';
    try {
      parsePoscar(nan.join('\n'), 'POSCAR');
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect((e as ParseError).line).toBe(10);
    }
    const vasp4 = [...poscar];
    vasp4.splice(5, 1);
    expect(() => parsePoscar(vasp4.join('\n'), 'POSCAR')).toThrow(/species names are missing/);
    expect(() =>
      parseExtxyz('2\nLattice="1 0 0 0 1 0 0 0 1" Properties=species:S:1:pos:R:3\nLi 0 0 0\n', 'a.xyz'),
    ).toThrow(/a\.xyz:\d+: expected 2 atom lines/);
  });

  it('CIF: element from labels in any case, unknown elements and a space group without operations refused', () => {
    const cif = readFileSync(`${FIXTURES}structures/beta-Li3PS4.cif`, 'utf8');
    const lines = cif.split('\n');
    // labels only (no _atom_site_type_symbol column), upper case: LI1 is Li, not "L"
    const typeCol = lines.findIndex((l) => l.trim() === '_atom_site_type_symbol');
    const rows = lines.map((l, k) => {
      if (k === typeCol) return '';
      const f = l.trim().split(/\s+/);
      return k > typeCol && /^(Li|P|S)\d/.test(f[0] ?? '') ? [f[0].toUpperCase(), ...f.slice(2)].join(' ') : l;
    });
    const upper = parseCif(rows.join('\n'), 'upper.cif');
    expect(upper.types.length).toBe(32);
    expect([...countBySpecies(upper)].sort()).toEqual([
      ['Li', 12],
      ['P', 4],
      ['S', 16],
    ]);
    expect(() => parseCif(cif.replace('S1 S 4c', 'Q1 Q 4c'), 'q.cif')).toThrow(/q\.cif:\d+: site 'Q' names no element/);
    // the operations loop removed: Pnma by name alone is refused, naming the line of the name
    const from = lines.findIndex((l) => l.trim() === '_symmetry_equiv_pos_as_xyz') - 1; // its loop_
    const bare = [...lines.slice(0, from), ...lines.slice(from + 2 + 8)].join('\n'); // and the 8 operations
    expect(() => parseCif(bare, 'bare.cif')).toThrow(
      /bare\.cif:10: space group 'P n m a' is given without its symmetry operations/,
    );
  });

  it('extended XYZ values with quotes and backslashes survive a round trip', () => {
    const s = betaLi3PS4();
    const title = 'S5 [010]/(201) "twist", relaxed \\ done';
    const text = formatExtxyzFrame(s, { title, note: "it's" });
    const [f] = parseExtxyz(text, 'q.xyz');
    expect(f.info.title).toBe(title);
    expect(f.info.note).toBe("it's");
  });

  it('unphysical cells are refused with file and line; three POSCAR scale factors scale the three axes', () => {
    const poscar = readFileSync(`${FIXTURES}structures/beta-Li3PS4.POSCAR`, 'utf8').split('\n');
    const withScale = (line: string) => [poscar[0], line, ...poscar.slice(2)].join('\n');
    expect(() => parsePoscar(withScale('0.0'), 'z.vasp')).toThrow(/z\.vasp:2: a scale factor of 0 makes no cell/);
    expect(() => parsePoscar(withScale('1 2'), 'two.vasp')).toThrow(/two\.vasp:2: give one scale factor or three/);
    const three = parsePoscar(withScale('1.0 2.0 0.5'), 'three.vasp');
    const one = parsePoscar(withScale('1.0'), 'one.vasp');
    expect(three.cell.lattice[0]).toBeCloseTo(one.cell.lattice[0], 12);
    expect(three.cell.lattice[4]).toBeCloseTo(2 * one.cell.lattice[4], 12);
    expect(three.cell.lattice[8]).toBeCloseTo(0.5 * one.cell.lattice[8], 12);
    const flat = [...poscar.slice(0, 4), '0 0 0', ...poscar.slice(5)].join('\n');
    expect(() => parsePoscar(flat, 'flat.vasp')).toThrow(/flat\.vasp:3: lattice vector 3 has zero length/);
    const cif = readFileSync(`${FIXTURES}structures/beta-Li3PS4.cif`, 'utf8');
    expect(() => parseCif(cif.replace(/_cell_angle_gamma\s+\S+/, '_cell_angle_gamma 180'), 'g.cif')).toThrow(
      /g\.cif:\d+: the cell angles: the lattice vectors span no volume/,
    );
    expect(() => parseCif(cif.replace(/_cell_length_b\s+\S+/, '_cell_length_b -8.2'), 'n.cif')).toThrow(
      /n\.cif:\d+: _cell_length_b = -8\.2: a length must be positive/,
    );
    const frame = (lattice: string, pbc: string) =>
      `1\nLattice="${lattice}" Properties=species:S:1:pos:R:3 pbc="${pbc}"\nLi 0 0 0\n`;
    expect(() => parseExtxyz(frame('5 0 0 0 5 0 0 0 5', 'T T F'), 'slab.xyz')).toThrow(
      /slab\.xyz:2: pbc="T T F": only cells periodic along all three vectors/,
    );
    expect(() => parseExtxyz(frame('5 0 0 10 0 0 0 0 5', 'T T T'), 'flat.xyz')).toThrow(
      /flat\.xyz:2: the lattice vectors span no volume/,
    );
  });

  it('refuses a disordered CIF unless an ordering seed is given, then orders it reproducibly', () => {
    const cif = readFileSync(`${FIXTURES}structures/beta-Li3PS4.cif`, 'utf8').replace(
      'Li2 Li 4b 0.0000 0.0000 0.5000 1.0',
      'Li2 Li 4b 0.0000 0.0000 0.5000 0.5',
    );
    expect(() => parseCif(cif, 'dis.cif')).toThrow(/disordered structure: partially occupied sites Li2 \(0\.5\)/);
    const a = parseCif(cif, 'dis.cif', { orderSeed: 3 });
    const b = parseCif(cif, 'dis.cif', { orderSeed: 3 });
    expect(a.types.length).toBe(30); // 4b holds 4 Li: half of them kept
    expect(Array.from(a.positions)).toEqual(Array.from(b.positions));
  });

  it('LAMMPS types follow the potential species order, whatever order the structure lists its species in', () => {
    const built = buildBicrystal(betaLi3PS4Standard(), presetSpec(GB_PRESETS[0])).structure;
    // the same atoms with the species listed S, P, Li (as a POSCAR or CIF may list them)
    const reordered = { ...built, species: ['S', 'P', 'Li'], types: Int32Array.from(built.types, (t) => 2 - t) };
    const text = writeLammpsData(reordered);
    expect(text).toMatch(/^1 6\.94 # Li$/m);
    expect(text).toMatch(/^3 32\.06 # S$/m);
    const atoms = text.split('Atoms # atomic')[1].trim().split('\n');
    atoms.forEach((row, i) => {
      expect(Number(row.split(' ')[1])).toBe(built.types[i] + 1);
    });
    expect(() => writeLammpsData({ ...built, species: ['Na', 'P', 'S'] })).toThrow(
      /the structure has Na, which the potential's species \(Li, P, S\) do not include/,
    );
  });

  it('a LAMMPS data file of a grain-boundary preset loads in LAMMPS (Debian lammps)', () => {
    const built = buildBicrystal(betaLi3PS4Standard(), presetSpec(GB_PRESETS[0])).structure;
    // listed S, P, Li: the groups by type below must still find Li as type 1
    const structure = { ...built, species: ['S', 'P', 'Li'], types: Int32Array.from(built.types, (t) => 2 - t) };
    const data = join(dir, 'gb.data');
    writeFileSync(data, writeLammpsData(structure));
    writeFileSync(
      join(dir, 'in.check'),
      [
        'units metal',
        'atom_style atomic',
        'boundary p p p',
        `read_data ${data}`,
        'group li type 1',
        'group p type 2',
        'group s type 3',
        'pair_style zero 5.0',
        'pair_coeff * *',
        'run 0',
      ].join('\n'),
    );
    const out = execFileSync(
      'lmp',
      ['-in', join(dir, 'in.check'), '-log', 'none', '-screen', 'none', '-echo', 'none'],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toBe('');
    const log = execFileSync('lmp', ['-in', join(dir, 'in.check'), '-log', 'none'], { encoding: 'utf8' });
    expect(log).toMatch(new RegExp(`${structure.types.length} atoms`));
    const count = (sym: string) => structure.types.filter((t) => structure.species[t] === sym).length;
    expect(log).toMatch(new RegExp(`${count('Li')} atoms in group li`));
    expect(log).toMatch(new RegExp(`${count('P')} atoms in group p`));
    expect(log).toMatch(new RegExp(`${count('S')} atoms in group s`));
  });

  it('the exported in.lammps runs in LAMMPS and writes the per-axis Li MSD of all, boundary and bulk Li', () => {
    const structure = buildBicrystal(betaLi3PS4Standard(), presetSpec(GB_PRESETS[0])).structure;
    const run = join(dir, 'lmp-run');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'gb.data'), writeLammpsData(structure));
    const boundaryLi = boundaryAtoms(structure, 'Li').map((i) => i + 1);
    expect(boundaryLi.length).toBeGreaterThan(0);
    const input = writeLammpsInput({
      dataFile: 'gb.data',
      pair: { mlip: 2, ini: 'mlip.ini' },
      temperature: 300,
      dtFs: 1,
      steps: 200,
      // fix temp/csvr is in LAMMPS's EXTRA-FIX package, which Debian's build lacks
      integration: thermostat('langevin').lammps({ temperature: 300, seed: 4, ...THERMOSTAT_DEFAULTS }),
      seed: 4,
      msdEvery: 100,
      boundaryLi,
    });
    // Debian's lammps has no pair_style mlip: the same input with no forces checks everything else
    writeFileSync(
      join(run, 'in.lammps'),
      input.replace(/pair_style mlip .*\n/, 'pair_style zero 5.0\n').replace('dump traj', '# dump traj'),
    );
    const log = execFileSync('lmp', ['-in', 'in.lammps', '-log', 'none'], { cwd: run, encoding: 'utf8' });
    const li = structure.types.filter((t) => structure.species[t] === 'Li').length;
    expect(log).toMatch(new RegExp(`${li} atoms in group li\\b`));
    expect(log).toMatch(new RegExp(`${boundaryLi.length} atoms in group li_gb`));
    expect(log).toMatch(new RegExp(`${li - boundaryLi.length} atoms in group li_bulk`));
    for (const file of ['msd_li.dat', 'msd_li_gb.dat', 'msd_li_bulk.dat']) {
      const rows = readFileSync(join(run, file), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.trim().split(/\s+/).map(Number));
      expect(rows.map((r) => r[0])).toEqual([0, 100, 200]);
      for (const r of rows) {
        expect(r.length).toBe(5);
        expect(r.every(Number.isFinite)).toBe(true);
        // the total is the sum of the three axes
        expect(r[4]).toBeCloseTo(r[1] + r[2] + r[3], 4); // LAMMPS prints 6 significant digits
      }
      expect(rows[2][4]).toBeGreaterThan(0);
    }
  });

  it('lilab build and convert write files the readers accept', async () => {
    const out = join(dir, 'sigma5.extxyz');
    expect(await main(['build', '--preset', 'sigma5-001-120', '--out', out])).toBe(0);
    const s = readStructureText(readFileSync(out, 'utf8'), out);
    expect(s.labels?.grain?.length).toBe(s.types.length);
    const cif = join(dir, 'sigma5.cif');
    expect(await main(['convert', out, cif])).toBe(0);
    expectSameStructure(s, readStructureText(readFileSync(cif, 'utf8'), cif), 1e-5);
    expect(await main(['build', '--list'])).toBe(0);
    expect(await main(['build', '--axis', '0,0,1', '--plane', '1,1,1'])).toBe(1);
  });
});

describe('the format table', () => {
  it('reads back what every writing format writes, named by each of its extensions', () => {
    const s = betaLi3PS4();
    const writers = STRUCTURE_FORMATS.filter((f) => f.write);
    expect(writers.map((f) => f.name).sort()).toEqual(['cfg', 'cif', 'extxyz', 'lammps-data', 'poscar']);
    for (const f of writers)
      for (const ext of f.extensions) {
        const name = `structure${ext}`;
        expect(formatOf(name)).toBe(f.name);
        expectSameStructure(s, readStructureText(writeStructureText(s, name), name), 1e-5);
      }
  });

  it('names every format in the help, and refuses to write a trajectory format', () => {
    const help = formatHelp();
    for (const f of STRUCTURE_FORMATS) expect(help).toContain(f.title);
    expect(() => writeStructureText(betaLi3PS4(), 'out.dump')).toThrow(
      /LAMMPS text dump files are written by lilab md/,
    );
    expect(() => formatOf('notes.txt')).toThrow(/cannot tell the structure format of 'notes.txt' \(use CIF \.cif/);
  });
});

describe("the page's file picker", () => {
  it('accepts exactly names formatOf reads, one per format at least', () => {
    const accepted = STRUCTURE_FILE_ACCEPT.split(',');
    const formats = new Set(accepted.map((a) => formatOf(a.startsWith('.') ? `structure${a}` : a)));
    expect([...formats].sort()).toEqual(['cfg', 'cif', 'extxyz', 'lammps-data', 'lammps-dump', 'poscar', 'xdatcar']);
  });
});
