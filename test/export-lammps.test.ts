import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POTENTIAL } from '../src/cli/default-potential.ts';
import { main } from '../src/cli/main.ts';
import { parseLammpsData } from '../src/io/lammps-read.ts';
import { writeStructureText } from '../src/io/structure-files.ts';
import { volume } from '../src/model/cell.ts';
import { element, LI_P_S } from '../src/model/species.ts';
import type { Structure } from '../src/model/structure.ts';
import { toConfiguration } from '../src/model/structure.ts';
import { EV_A3_TO_GPA } from '../src/model/units.ts';
import { dispersionTailEfs, parseDispersionTail } from '../src/potential/dispersion-tail.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { FIXTURES } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'lilab-export-'));

/** Masses of the data file's types, in type order. */
function masses(data: string): number[] {
  const block = data.split('Masses')[1].split('Atoms')[0];
  return block
    .trim()
    .split('\n')
    .map((l) => Number(l.trim().split(/\s+/)[1]));
}

describe('lilab export-lammps', () => {
  it("types in the potential's order whatever the file's (a POSCAR listing S, P, Li), and LAMMPS runs the input", async () => {
    const bulk = betaLi3PS4();
    const order = ['S', 'P', 'Li'];
    const s: Structure = {
      ...bulk,
      species: order,
      types: Int32Array.from(bulk.types, (t) => order.indexOf(bulk.species[t])),
    };
    const poscar = join(dir, 'POSCAR');
    writeFileSync(poscar, writeStructureText(s, poscar));
    const out = join(dir, 'run2');
    expect(await main(['export-lammps', poscar, '--out', out, '--steps', '20', '--msd-every', '10'])).toBe(0);
    const data = readFileSync(join(out, 'structure.data'), 'utf8');
    expect(masses(data)).toEqual(['Li', 'P', 'S'].map((x) => element(x).mass));
    expect(readFileSync(join(out, 'potential.mtp'), 'utf8')).toBe(readFileSync(DEFAULT_POTENTIAL, 'utf8'));
    expect(readFileSync(join(out, 'mlip.ini'), 'utf8')).toContain('mtp-filename potential.mtp');
    const input = readFileSync(join(out, 'in.lammps'), 'utf8');
    expect(input).toContain('pair_style mlip mlip.ini');
    // Debian's lammps has neither pair_style mlip nor temp/csvr: zero forces and Langevin check the rest
    writeFileSync(
      join(out, 'in.test'),
      input
        .replace(/pair_style mlip .*\n/, 'pair_style zero 5.0\n')
        .replace(/fix thermostat all temp\/csvr .*\n/, 'fix thermostat all langevin 800 800 0.1 1\n'),
    );
    const log = execFileSync('lmp', ['-in', 'in.test', '-log', 'none'], { cwd: out, encoding: 'utf8' });
    expect(log).toMatch(/12 atoms in group li\b/);
    expect(existsSync(join(out, 'msd_li.dat'))).toBe(true);
  });

  it('MLIP-3 syntax names the potential; a boundary preset gets its boundary and bulk Li groups', async () => {
    const out = join(dir, 'run3');
    expect(await main(['export-lammps', 'sigma5-001-120', '--out', out, '--mlip', '3'])).toBe(0);
    const input = readFileSync(join(out, 'in.lammps'), 'utf8');
    expect(input).toContain('pair_style mlip load_from=potential.mtp');
    expect(input).toContain('group li_gb id');
    expect(existsSync(join(out, 'mlip.ini'))).toBe(false);
  });

  it('refuses a wrong request before writing anything', async () => {
    const out = join(dir, 'refused');
    expect(await main(['export-lammps', 'sigma5-001-120', '--out', out, '--mlip', '4'])).toBe(2);
    // a one-species potential for three species
    const one = join(FIXTURES, 'mtp-vectors', 'l06-1sp-scaled.mtp');
    expect(await main(['export-lammps', 'beta-li3ps4', '--out', out, '--potential', one])).not.toBe(0);
    expect(existsSync(out)).toBe(false);
  });

  it('with --dispersion-tail the tail is a table overlaid on the MTP, and LAMMPS sums it as the lab does', async () => {
    const out = join(dir, 'tail');
    const tailPath = 'data/potentials/d3-tail.json';
    expect(await main(['export-lammps', 'sigma3-110-111', '--out', out, '--dispersion-tail', tailPath])).toBe(0);
    const input = readFileSync(join(out, 'in.lammps'), 'utf8');
    expect(input).toMatch(/pair_style hybrid\/overlay mlip mlip\.ini table linear \d+\n/);
    expect(input).toContain('pair_coeff * * mlip');
    for (const pair of ['1 1 table dispersion-tail.table LI_LI 14', '1 3 table dispersion-tail.table LI_S 14'])
      expect(input).toContain(`pair_coeff ${pair}`);
    // the MTP is not in Debian's lammps: zero stands in for it, and one step of nothing gives the tail's energy and
    // pressure at the structure's positions (no velocities: the pressure is the virial's alone)
    writeFileSync(
      join(out, 'in.test'),
      input
        .replace(/hybrid\/overlay mlip mlip\.ini/, 'hybrid/overlay zero 5.0')
        .replace('pair_coeff * * mlip', 'pair_coeff * * zero')
        .replace(/velocity all create .*\n/, '')
        .replace(/fix thermostat all temp\/csvr .*\n/, 'fix thermostat all langevin 800 800 0.1 1\n')
        .replace(
          /thermo_style custom .*\n/,
          'thermo_style custom step pe pxx pyy pzz pyz pxz pxy\nthermo_modify format float %.10g\n',
        )
        .replace(/run \d+/, 'run 0'),
    );
    const log = execFileSync('lmp', ['-in', 'in.test', '-log', 'none'], { cwd: out, encoding: 'utf8' });
    const row = log
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .find((f) => f.length === 8 && f[0] === '0' && f.slice(1).every((x) => Number.isFinite(Number(x))));
    if (!row) throw new Error(`no thermo line in the LAMMPS log:\n${log}`);
    const [pe, ...p] = row.slice(1).map(Number);
    const structure = parseLammpsData(readFileSync(join(out, 'structure.data'), 'utf8'), 'structure.data');
    const config = toConfiguration(structure, LI_P_S);
    const tail = parseDispersionTail(readFileSync(tailPath, 'utf8'), tailPath);
    const t = dispersionTailEfs(tail, [0, 1, 2], config);
    const n = config.types.length;
    expect(Math.abs(pe - t.energy) / n).toBeLessThan(1e-6);
    // pressure (bar) = W / V: xx yy zz yz xz xy
    const barPerGPa = 1e4;
    const w = [t.virial[0], t.virial[4], t.virial[8], t.virial[5], t.virial[2], t.virial[1]];
    const v = volume(structure.cell);
    const scale = Math.max(...w.map(Math.abs));
    w.forEach((wk, k) => {
      expect(Math.abs(p[k] / barPerGPa - (wk / v) * EV_A3_TO_GPA) / ((scale / v) * EV_A3_TO_GPA)).toBeLessThan(1e-3);
    });
  });
});
