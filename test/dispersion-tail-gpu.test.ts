import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { GpuContext } from '../src/gpu/device.ts';
import { nodeGpuContext } from '../src/gpu/node-gpu.ts';
import { parseCfg, writeCfg } from '../src/io/cfg.ts';
import { writeMtp } from '../src/io/mtp.ts';
import { type Frame, MdEngine, type ThermoRecord } from '../src/md/engine.ts';
import type { Configuration } from '../src/model/configuration.ts';
import { buildNeighborList } from '../src/model/neighbors.ts';
import { LI_P_S } from '../src/model/species.ts';
import { toConfiguration } from '../src/model/structure.ts';
import {
  DISPERSION_TAIL_FORMAT,
  type DispersionTail,
  dispersionTailEfs,
  parseDispersionTail,
} from '../src/potential/dispersion-tail.ts';
import { TailedGpuField } from '../src/potential/dispersion-tail-gpu.ts';
import { mtpPotential, parseMtpPotential } from '../src/potential/mtp/potential.ts';
import { unpackShift } from '../src/potential/neighbors-gpu.ts';
import { buildBicrystal } from '../src/structure/gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS, presetSpec } from '../src/structure/gb/presets.ts';
import { compareEfs, expectPhysical, softSphereMtp, softSphereTestSystem as testSystem } from './support.ts';

const DEFAULT = new URL('../public/potentials/li3ps4-default.mtp', import.meta.url);
const FITTED_TAIL = new URL('../data/potentials/d3-tail.json', import.meta.url);

/** A tail reaching past half the test cell's shortest side, so that atoms meet images of each other in it. */
const TEST_TAIL: DispersionTail = {
  species: ['Li', 'P', 'S'],
  c6: [
    [40, 60, 60],
    [60, 100, 100],
    [60, 100, 90],
  ],
  switchOn: [2.5, 3.5],
  taper: [7, 9],
};

/** A soft-sphere potential and TEST_TAIL as files in a fresh folder, for the CLI. */
function cliFiles(): { dir: string; pot: string; tailFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lilab-tail-'));
  const pot = join(dir, 'soft.mtp');
  writeFileSync(pot, writeMtp(softSphereMtp()));
  const tailFile = join(dir, 'tail.json');
  writeFileSync(tailFile, JSON.stringify({ format: DISPERSION_TAIL_FORMAT, ...TEST_TAIL }));
  return { dir, pot, tailFile };
}

describe('dispersion tail on the GPU against the float64 sum', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await nodeGpuContext();
  });
  afterAll(() => ctx?.device.destroy());

  it('the default potential plus the fitted tail on the S3 (111) boundary: energy, forces and virial', async () => {
    const tail = parseDispersionTail(readFileSync(FITTED_TAIL, 'utf8'), 'd3-tail.json');
    const file = parseMtpPotential(readFileSync(DEFAULT, 'utf8'), 'li3ps4-default.mtp').file;
    const preset = GB_PRESETS.find((p) => p.id === 'sigma3-110-111');
    if (!preset) throw new Error('no S3 (111) preset');
    const config = toConfiguration(buildBicrystal(betaLi3PS4Standard(), presetSpec(preset)).structure, LI_P_S);
    const n = config.types.length;
    const withTail = mtpPotential(file, tail);
    const alone = mtpPotential(file);
    const ref = withTail.cpu().compute(config);
    const gpu = await withTail.withGpu(ctx.device, (f) => f.compute(config));
    expectPhysical(gpu, ref, n);
    // the tail's own part, the difference of the two GPU evaluations, against the float64 tail alone: about 60
    // meV/atom in the crystal, to float32's digits
    const mtpOnly = await alone.withGpu(ctx.device, (f) => f.compute(config));
    const t = dispersionTailEfs(tail, [0, 1, 2], config);
    expect(t.energy / n).toBeLessThan(-0.04);
    const part = {
      energy: gpu.energy - mtpOnly.energy,
      atomEnergies: gpu.atomEnergies.map((e, i) => e - mtpOnly.atomEnergies[i]),
      forces: gpu.forces.map((f, k) => f - mtpOnly.forces[k]),
      virial: gpu.virial.map((w, k) => w - mtpOnly.virial[k]),
    };
    const c = compareEfs(part, t, n);
    expect(c.energyPerAtom).toBeLessThan(1e-6);
    expect(c.forceMaxAbs).toBeLessThan(1e-4);
    expect(c.virialRel).toBeLessThan(1e-4);
  });

  it('a cell whose sides are shorter than the tail: every image summed, as the float64 sum does', async () => {
    const s = testSystem();
    const config: Configuration = { types: s.types, positions: s.positions, cell: s.cell, features: [] };
    const pot = mtpPotential(softSphereMtp(), TEST_TAIL);
    const gpu = await pot.withGpu(ctx.device, (f) => f.compute(config));
    expectPhysical(gpu, pot.cpu().compute(config), config.types.length);
  });

  it('refuses a tail that ends inside the potential, and a potential of other species', async () => {
    const pot = mtpPotential(softSphereMtp());
    const inner = await pot.gpu(ctx.device);
    await expect(
      TailedGpuField.create(ctx.device, inner, { ...TEST_TAIL, taper: [2, 2.5] }, [0, 1, 2]),
    ).rejects.toThrow(/inside the potential's cutoff/);
    inner.destroy();
    expect(() => mtpPotential(softSphereMtp(), TEST_TAIL, ['Li', 'P', 'O'])).toThrow(/no coefficients for O/);
  });

  it('MD: energy is conserved, the long list is rebuilt with the short one, and it grows when a rebuild overflows it', async () => {
    const pot = mtpPotential(softSphereMtp(), TEST_TAIL);
    const field = await pot.gpu(ctx.device);
    const system = testSystem();
    const n = system.types.length;
    const md = await MdEngine.create(ctx.device, field, system, {
      dt: 1,
      temperature: 900,
      thermostat: 'nve',
      seed: 3,
    });
    const long = field.neighbors?.follower?.list;
    if (!long) throw new Error('the tail has no list of its own');
    const records: ThermoRecord[] = [];
    const frames: Frame[] = [];
    const keep = (t: ThermoRecord, f: Frame) => {
      records.push(t);
      frames.push(f);
    };
    await md.run(20, 10, keep);
    // leave the long list no slot to spare: the first rebuild at which any atom has one more neighbour overflows it
    const counts = (await long.read()).count;
    long.growTo(counts.reduce((m, c) => Math.max(m, c), 0));
    await md.restore(frames.at(-1)!);
    const grownFrom = long.regrowths;
    await md.run(600, 10, keep);
    expect(long.regrowths).toBeGreaterThan(grownFrom);
    expect(records.at(-1)!.rebuilds).toBeGreaterThan(5);
    const drift = Math.abs(records.at(-1)!.conserved - records[0].conserved) / n;
    expect(drift).toBeLessThan(2e-5); // eV/atom over 620 fs
    // the engine's energy at the end is the float64 one at the same positions (a stale long list would miss pairs)
    const last = frames.at(-1)!;
    const config: Configuration = { types: system.types, positions: last.positions, cell: system.cell, features: [] };
    expect(Math.abs(records.at(-1)!.potential - pot.cpu().compute(config).energy) / n).toBeLessThan(2e-5);
    // and every pair within the tail's reach at the end is in the long list
    const { count, entries } = await long.read();
    const L = system.cell.lattice;
    const wrapped = last.positions.map((x, k) => {
      const i = Math.floor(k / 3);
      const d = k % 3;
      return x - (last.images[3 * i] * L[d] + last.images[3 * i + 1] * L[3 + d] + last.images[3 * i + 2] * L[6 + d]);
    });
    const cpu = buildNeighborList(last.positions, system.cell, TEST_TAIL.taper[1]);
    for (let i = 0; i < n; i++) {
      let within = 0;
      for (let s = 0; s < Math.min(count[i], long.capacity); s++) {
        const e = 2 * (i * long.capacity + s);
        const j = entries[e];
        const m = unpackShift(entries[e + 1]);
        const d = [0, 1, 2].map(
          (a) => wrapped[3 * j + a] - wrapped[3 * i + a] + m[0] * L[a] + m[1] * L[3 + a] + m[2] * L[6 + a],
        );
        if (Math.hypot(d[0], d[1], d[2]) < TEST_TAIL.taper[1]) within++;
      }
      expect(within).toBe(cpu.offsets[i + 1] - cpu.offsets[i]);
    }
    md.destroy();
    field.destroy();
  });

  it('`lilab calc-efs --dispersion-tail` on both backends adds the tail; a tail without S is refused, nothing written', async () => {
    const { dir, pot, tailFile } = cliFiles();
    const s = testSystem();
    const config: Configuration = { types: s.types, positions: s.positions, cell: s.cell, features: [] };
    const input = join(dir, 'in.cfg');
    writeFileSync(input, writeCfg([config]));
    const expected = mtpPotential(softSphereMtp(), TEST_TAIL).cpu().compute(config).energy;
    const alone = mtpPotential(softSphereMtp()).cpu().compute(config).energy;
    for (const backend of ['cpu', 'webgpu']) {
      const out = join(dir, `${backend}.cfg`);
      expect(await main(['calc-efs', pot, input, out, '--backend', backend, '--dispersion-tail', tailFile])).toBe(0);
      const [c] = parseCfg(readFileSync(out, 'utf8'), out);
      expect(Math.abs((c.energy ?? Number.NaN) - expected) / 64).toBeLessThan(backend === 'cpu' ? 1e-12 : 2e-5);
    }
    expect(Math.abs(expected - alone) / 64).toBeGreaterThan(1e-3);
    const noS = join(dir, 'no-s.json');
    writeFileSync(noS, JSON.stringify({ format: DISPERSION_TAIL_FORMAT, ...TEST_TAIL, species: ['Li', 'P', 'Cl'] }));
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const out = join(dir, 'refused.cfg');
    expect(await main(['calc-efs', pot, input, out, '--dispersion-tail', noS])).not.toBe(0);
    expect(err.mock.calls.flat().join(' ')).toMatch(/no-s\.json: the dispersion tail has no coefficients for S/);
    err.mockRestore();
    expect(existsSync(out)).toBe(false);
  });

  it('`lilab md --dispersion-tail` steps with it and its thermo file names the tail and its hash', async () => {
    const { dir, pot, tailFile } = cliFiles();
    const thermo = join(dir, 't.csv');
    const common = ['md', '--structure', 'beta-li3ps4', '--supercell', '1x1x2', '--potential', pot, '--steps', '20'];
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await main([...common, '--every', '10', '--thermo', thermo, '--dispersion-tail', tailFile])).toBe(0);
    const printed = log.mock.calls.flat().join('\n');
    log.mockRestore();
    expect(printed).toMatch(/kernel: +specialised \+ tail/);
    const text = readFileSync(thermo, 'utf8');
    expect(text).toContain(`# dispersion_tail=${tailFile}`);
    expect(text).toMatch(/# dispersion_tail_sha256=[0-9a-f]{64}\n/);
  });
});
