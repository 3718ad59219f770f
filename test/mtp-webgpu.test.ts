import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBuffer, storageBuffer } from '../src/gpu/compute.ts';
import type { GpuContext } from '../src/gpu/device.ts';
import { nodeGpuContext } from '../src/gpu/node-gpu.ts';
import type { Configuration } from '../src/model/configuration.ts';
import { buildNeighborList } from '../src/model/neighbors.ts';
import { compileMtp } from '../src/potential/mtp/model.ts';
import { ReferenceMtp } from '../src/potential/mtp/reference.ts';
import { type MtpKernel, WebGpuMtp } from '../src/potential/mtp/webgpu.ts';
import { GpuNeighborList, packPositions, unpackShift } from '../src/potential/neighbors-gpu.ts';
import type { EfsResult } from '../src/potential/types.ts';
import { betaLi3PS4 } from '../src/structure/li3ps4.ts';
import { repeatStructure } from '../src/structure/supercell.ts';
import {
  compareEfs as compare,
  expectPhysical,
  loadVectorConfigs,
  loadVectorModel,
  randomTriclinicConfig,
  rng,
  softSphereMtp,
  VECTOR_POTENTIALS,
} from './support.ts';

/**
 * Configurations far outside physical ranges (a pair below min_dist; a cell so small that an atom sees many images
 * of itself, with forces up to 1e8 eV/A for some potentials): float32 cannot keep the physical tolerances' digits,
 * so the shared vectors' README allows 100 times looser relative tolerances there.
 */
const EXTREME_LABELS = new Set(['close_contact_below_min_dist', 'tiny_cell_images']);
function expectExtreme(gpu: EfsResult, ref: EfsResult, n: number) {
  const c = compare(gpu, ref, n);
  expect(c.energyRel).toBeLessThan(100 * 2e-6);
  expect(c.forceRelRms).toBeLessThan(100 * 1e-4);
  expect(c.virialRel).toBeLessThan(100 * 1e-4);
}

describe('WebGPU MTP against the float64 reference (SwiftShader in CI)', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await nodeGpuContext();
  });
  afterAll(() => ctx?.device.destroy());

  // the default kernel of each (specialised where the model allows, level 24 the fitted generic one), and the
  // generic kernel beside it
  const variants: [string, MtpKernel | undefined][] = [
    ...VECTOR_POTENTIALS.map((name): [string, undefined] => [name, undefined]),
    ['l08', 'block'],
    ['l16', 'block'],
    ['l08', 'fitted'],
    ['l16', 'fitted'],
    ['l08', 'generic'],
    ['l24', 'generic'],
  ];
  for (const [name, kernel] of variants) {
    it(`${name} (${kernel ?? 'default'} kernel): every shared configuration`, async () => {
      const model = loadVectorModel(name);
      const gpu = await WebGpuMtp.create(ctx.device, model, kernel);
      expect(gpu.kernel).toBe(kernel ?? (name === 'l24' ? 'fitted' : 'specialised'));
      const ref = new ReferenceMtp(model);
      for (const config of loadVectorConfigs(name, 'in')) {
        const label = config.features.find(([k]) => k === 'label')?.[1] ?? '';
        const g = await gpu.compute(config);
        const r = ref.compute(config);
        if (EXTREME_LABELS.has(label)) expectExtreme(g, r, config.types.length);
        else expectPhysical(g, r, config.types.length);
      }
      gpu.destroy();
    });
  }

  it('random triclinic Li-P-S cells from 2 to 5,000 atoms (level 8 and 16)', async () => {
    const l08 = loadVectorModel('l08');
    const l16 = loadVectorModel('l16');
    const g08 = await WebGpuMtp.create(ctx.device, l08);
    const g16 = await WebGpuMtp.create(ctx.device, l16);
    const cases: [number, number, 'l08' | 'l16'][] = [
      [2, 1, 'l08'],
      [7, 2, 'l16'],
      [40, 3, 'l16'],
      [300, 4, 'l08'],
      [5000, 5, 'l08'],
    ];
    for (const [n, seed, pot] of cases) {
      const config = randomTriclinicConfig(seed, n, 3, 1.9, 0.045);
      const [gpu, ref] = pot === 'l08' ? [g08, new ReferenceMtp(l08)] : [g16, new ReferenceMtp(l16)];
      expectPhysical(await gpu.compute(config), ref.compute(config), n);
    }
    g08.destroy();
    g16.destroy();
  });

  it('the block kernel past one grid dimension of workgroups (67,584 atoms, a workgroup each) matches the reference', async () => {
    const model = compileMtp(softSphereMtp());
    const s = repeatStructure(betaLi3PS4(), 12, 16, 11);
    const config: Configuration = { types: s.types, positions: s.positions, cell: s.cell, features: [] };
    expect(config.types.length).toBeGreaterThan(ctx.device.limits.maxComputeWorkgroupsPerDimension);
    const gpu = await WebGpuMtp.create(ctx.device, model, 'block');
    expectPhysical(await gpu.compute(config), new ReferenceMtp(model).compute(config), config.types.length);
    gpu.destroy();
  });

  for (const kernel of ['specialised', 'block', 'fitted'] as const)
    it(`two runs give identical bits (${kernel} kernel)`, async () => {
      const model = loadVectorModel('l16');
      const gpu = await WebGpuMtp.create(ctx.device, model, kernel);
      const s = repeatStructure(betaLi3PS4(), 2, 2, 2);
      const r = rng(3);
      const config: Configuration = {
        types: s.types,
        positions: s.positions.map((x) => x + 0.2 * (r() - 0.5)),
        cell: s.cell,
        features: [],
      };
      const a = await gpu.compute(config);
      const b = await gpu.compute(config);
      expect(Array.from(b.forces)).toEqual(Array.from(a.forces));
      expect(Array.from(b.atomEnergies)).toEqual(Array.from(a.atomEnergies));
      expect(Array.from(b.virial)).toEqual(Array.from(a.virial));
      gpu.destroy();
    });

  it('the neighbour list grows instead of dropping neighbours (a dense cluster) and matches the CPU list', async () => {
    // 150 atoms packed in a ball of radius 4 A: every atom has ~100 neighbours within 5 A, far above the first guess.
    const r = rng(9);
    const n = 150;
    const positions = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      let p: number[];
      do p = [0, 0, 0].map(() => 8 * (r() - 0.5));
      while (Math.hypot(...p) > 4);
      positions.set(p, 3 * i);
    }
    const types = Int32Array.from({ length: n }, (_, i) => i % 3);
    const nl = await GpuNeighborList.create(ctx.device);
    nl.configure(null, positions, 5.0, 8);
    const buf = storageBuffer(ctx.device, 'positions', packPositions(positions, types));
    await nl.build(buf);
    expect(nl.regrowths).toBeGreaterThan(0);
    const { count, entries } = await nl.read();
    const cpu = buildNeighborList(positions, null, 5.0);
    for (let i = 0; i < n; i++) {
      expect(count[i]).toBe(cpu.offsets[i + 1] - cpu.offsets[i]);
      const gpuSet = new Set<number>();
      for (let s = 0; s < count[i]; s++) gpuSet.add(entries[2 * (i * nl.capacity + s)]);
      const cpuSet = new Set(Array.from(cpu.index.subarray(cpu.offsets[i], cpu.offsets[i + 1])));
      expect(gpuSet).toEqual(cpuSet);
    }
    buf.destroy();
    nl.destroy();
    // and the evaluator on that cluster still agrees with the reference
    const model = loadVectorModel('l08');
    const gpu = await WebGpuMtp.create(ctx.device, model);
    const config: Configuration = { types, positions, cell: null, features: [] };
    const c = compare(await gpu.compute(config), new ReferenceMtp(model).compute(config), n);
    expect(c.forceRelRms).toBeLessThan(1e-3);
    gpu.destroy();
  });

  it('lists images of images in a cell thinner than the cutoff, with the same vectors as the CPU list', async () => {
    const config = randomTriclinicConfig(21, 3, 3, 1.5, 0.05); // edges ~4 A, cutoff 5 A
    const nl = await GpuNeighborList.create(ctx.device);
    nl.configure(config.cell, config.positions, 5.0);
    const buf = storageBuffer(ctx.device, 'positions', packPositions(config.positions, config.types));
    await nl.build(buf);
    const { count, entries } = await nl.read();
    const frac = new Float32Array(await readBuffer(ctx.device, nl.frac, 16 * 3));
    const cpu = buildNeighborList(config.positions, config.cell, 5.0);
    const L = config.cell!.lattice;
    for (let i = 0; i < 3; i++) {
      expect(count[i]).toBe(cpu.offsets[i + 1] - cpu.offsets[i]);
      expect(count[i]).toBeGreaterThan(20); // many images of the 3 atoms
      const gpuDist: number[] = [];
      for (let s = 0; s < count[i]; s++) {
        const j = entries[2 * (i * nl.capacity + s)];
        const sh = unpackShift(entries[2 * (i * nl.capacity + s) + 1]);
        const df = [0, 1, 2].map((k) => frac[4 * j + k] - frac[4 * i + k] + sh[k]);
        const d = [0, 1, 2].map((c) => df[0] * L[c] + df[1] * L[3 + c] + df[2] * L[6 + c]);
        gpuDist.push(Math.hypot(...d));
      }
      const cpuDist = Array.from({ length: count[i] }, (_, s) => {
        const e = cpu.offsets[i] + s;
        return Math.hypot(cpu.vectors[3 * e], cpu.vectors[3 * e + 1], cpu.vectors[3 * e + 2]);
      });
      gpuDist.sort((a, b) => a - b);
      cpuDist.sort((a, b) => a - b);
      expect(Math.max(...gpuDist.map((v, k) => Math.abs(v - cpuDist[k])))).toBeLessThan(1e-5);
    }
    buf.destroy();
    nl.destroy();
  });
});
