import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLammpsData, writeLammpsInput } from '../src/io/lammps.ts';
import { CpuMdEngine } from '../src/md/cpu-engine.ts';
import { THERMOSTAT_DEFAULTS, THERMOSTAT_IDS, THERMOSTATS, thermostat } from '../src/md/thermostats/index.ts';
import { element } from '../src/model/species.ts';
import { compileMtp } from '../src/potential/mtp/model.ts';
import { ReferenceMtp } from '../src/potential/mtp/reference.ts';
import { softSphereMtpFile } from '../src/potential/mtp/soft-sphere.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';

const integrateWgsl = readFileSync(new URL('../shaders/integrate.wgsl', import.meta.url), 'utf8');

describe('the thermostat registry (src/md/thermostats)', () => {
  it('lists each thermostat once, with kernels that exist in shaders/integrate.wgsl', () => {
    expect(new Set(THERMOSTAT_IDS).size).toBe(THERMOSTATS.length);
    expect(new Set(THERMOSTATS.map((t) => t.label)).size).toBe(THERMOSTATS.length);
    for (const t of THERMOSTATS) {
      const { start, advance, end } = t.gpu;
      expect(advance.length).toBeGreaterThan(0);
      for (const [kernel] of [...start, ...advance, ...end])
        expect(integrateWgsl).toMatch(new RegExp(`fn ${kernel}\\(`));
      expect(t.help.startsWith(`${t.id}:`)).toBe(true);
    }
  });

  it('gives each ensemble its per-step constant and its degrees of freedom', () => {
    const p = { dt: 2, tau: 100, friction: 0.01 };
    expect(thermostat('nve').decay(p)).toBe(1);
    expect(thermostat('csvr').decay(p)).toBeCloseTo(Math.exp(-0.02), 15);
    expect(thermostat('nhc').decay(p)).toBeCloseTo(Math.exp(-0.02), 15);
    expect(thermostat('langevin').decay(p)).toBeCloseTo(Math.exp(-0.02), 15); // exp(-gamma dt), gamma = 0.01 /fs
    // Langevin exchanges momentum with the bath; the others keep it (3N - 3)
    expect(THERMOSTATS.filter((t) => !t.conservesMomentum).map((t) => t.id)).toEqual(['langevin']);
  });

  it('writes LAMMPS fixes that LAMMPS runs (damping in ps), temp/csvr by its syntax', () => {
    const o = { temperature: 500, seed: 7, ...THERMOSTAT_DEFAULTS };
    expect(thermostat('csvr').lammps(o)).toEqual([
      'fix integrate all nve',
      'fix thermostat all temp/csvr 500 500 0.1 7',
    ]);
    expect(thermostat('langevin').lammps(o)[1]).toBe('fix thermostat all langevin 500 500 0.1 7 zero yes');
    const dir = mkdtempSync(join(tmpdir(), 'lilab-thermostats-'));
    writeFileSync(join(dir, 'bulk.data'), writeLammpsData(betaLi3PS4()));
    // Debian's lammps has neither pair_style mlip nor fix temp/csvr (EXTRA-FIX): the other fixes run on zero forces
    for (const t of THERMOSTATS.filter((m) => m.id !== 'csvr')) {
      const input = writeLammpsInput({
        dataFile: 'bulk.data',
        pair: { mlip: 2, ini: 'mlip.ini' },
        temperature: 500,
        dtFs: 1,
        steps: 20,
        integration: t.lammps(o),
        seed: 7,
        msdEvery: 10,
      });
      writeFileSync(join(dir, 'in.lammps'), input.replace(/pair_style mlip .*\n/, 'pair_style zero 5.0\n'));
      const log = execFileSync('lmp', ['-in', 'in.lammps', '-log', 'none'], { cwd: dir, encoding: 'utf8' });
      expect(log).toMatch(/Loop time of/);
    }
  });

  it('the CPU engine runs what its module allows and refuses the rest by name', async () => {
    const s = betaLi3PS4();
    const system = {
      types: s.types,
      positions: s.positions.map((x) => x * 1.25),
      cell: { lattice: s.cell.lattice.map((x) => x * 1.25), pbc: s.cell.pbc },
      masses: Float64Array.from(s.types, (t) => element(s.species[t]).mass),
    };
    const potential = new ReferenceMtp(compileMtp(softSphereMtpFile(3, 0.5, 3.0, 'soft')));
    for (const t of THERMOSTATS) {
      const start = CpuMdEngine.create(potential, system, { dt: 1, temperature: 300, thermostat: t.id, seed: 1 });
      if (t.cpu) await expect(start).resolves.toBeInstanceOf(CpuMdEngine);
      else await expect(start).rejects.toThrow(`the CPU engine runs csvr and nve, not ${t.id}`);
    }
  });
});
