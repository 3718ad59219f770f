/**
 * The MTP evaluated by WebGPU compute shaders, checked against the float64 reference. Kernels specialised to the model
 * (its basis compiled in by specialise.ts; the default where the model is small enough), a thread per atom
 * (shaders/mtp-specialised.wgsl) or a workgroup per atom (shaders/mtp-block.wgsl), and one generic path for every
 * level and species count, with the basis uploaded as a table (shaders/mtp.wgsl). Float32
 * arithmetic on the GPU; per-atom energies and virials are summed in float64 on the host.
 */

import mtpWgsl from '../../../shaders/mtp.wgsl?raw';
import mtpCommonWgsl from '../../../shaders/mtp-common.wgsl?raw';
import {
  bindGroup,
  checked,
  compileModule,
  computePipeline,
  readBuffer,
  storageBuffer,
  uniformBuffer,
  workgroups,
} from '../../gpu/compute.ts';
import { withCellCommon } from '../../gpu/shader-source.ts';
import type { Configuration } from '../../model/configuration.ts';
import { GpuNeighborList, packPositions } from '../neighbors-gpu.ts';
import type { EfsResult, GpuForceField, Potential } from '../types.ts';
import type { MtpModel } from './model.ts';
import { canSpecialise, linearCoefficients, specialisedMtpSource } from './specialise.ts';

/** Private-array sizes compiled into mtp.wgsl (MAXQ, MAXR, MAXP): the largest model the generic kernel takes. */
export const GPU_LIMITS = { radialBasisSize: 32, radialFuncs: 16, maxPower: 31 };

/**
 * The kernel source with its private-array sizes fitted to a model ('fitted') or left at the generic maxima
 * ('generic'). Only the four size constants change: the basis stays data either way. WGSL zero-initialises every
 * private array, so arrays sized for level 28 cost a low-level potential most of its time; fitted sizes avoid that.
 * Both variants are tested.
 */
export function mtpShaderSource(model: MtpModel, sizing: 'fitted' | 'generic'): string {
  if (sizing === 'generic') return mtpWgsl;
  const sizes: Record<string, number> = {
    MAXQ: model.radialBasisSize,
    MAXR: model.radialFuncsCount,
    MAXP: model.maxPower + 1,
    MAXB_PRIVATE: model.basicCount <= 256 ? model.basicCount : 1,
  };
  let src = mtpWgsl;
  for (const [name, value] of Object.entries(sizes)) {
    const re = new RegExp(`const ${name}: u32 = \\d+u;`);
    if (!re.test(src)) throw new Error(`mtp.wgsl lost its constant ${name}`);
    src = src.replace(re, `const ${name}: u32 = ${Math.max(1, value)}u;`);
  }
  return src;
}

const PARAMS_BYTES = 80;

/** The model as one u32 table (floats by their bits) and the offsets the shader reads it with. */
export function mtpTable(model: MtpModel): {
  table: Uint32Array;
  offsets: Record<'rad' | 'basic' | 'times' | 'lin' | 'spec', number>;
} {
  const S = model.speciesCount;
  const nRad = model.radialCoeffs.length;
  const nBasic = model.basicCount;
  const T = model.timesMult.length;
  const nm = model.momentsCount;
  const rad = 0;
  const basic = rad + nRad;
  const times = basic + nBasic;
  const lin = times + 4 * T;
  const spec = lin + nm;
  const table = new Uint32Array(spec + S);
  const f = new Float32Array(table.buffer);
  f.set(model.radialCoeffs, rad);
  for (let b = 0; b < model.basicCount; b++) {
    const [mu, p, q, t] = model.basic.subarray(4 * b, 4 * b + 4);
    table[basic + b] = mu | (p << 8) | (q << 16) | (t << 24);
  }
  for (let t = 0; t < T; t++) {
    table[times + 4 * t] = model.times[3 * t];
    table[times + 4 * t + 1] = model.times[3 * t + 1];
    table[times + 4 * t + 2] = model.times[3 * t + 2];
    f[times + 4 * t + 3] = model.timesMult[t];
  }
  // Energy is linear in the moments: one coefficient per moment (zero for moments that are not basis functions).
  f.set(linearCoefficients(model), lin);
  f.set(model.speciesCoeffs, spec);
  return { table, offsets: { rad, basic, times, lin, spec } };
}

/** Per-atom results on the GPU: energies (f32), forces (vec4f), virials (9 x f32), distance to the nearest neighbour. */
export interface MtpOutputs {
  atomEnergy: GPUBuffer;
  forces: GPUBuffer;
  atomVirial: GPUBuffer;
  atomMinDist: GPUBuffer;
}

export class GpuLimitError extends Error {
  override name = 'GpuLimitError';
}

/**
 * Which kernel evaluates the model: 'specialised' (the basis compiled in, a thread per atom; the default when
 * `canSpecialise`), 'block' (the basis compiled in, a workgroup per atom over its neighbours), or the generic kernel
 * with its private arrays sized to the model ('fitted') or at their maxima ('generic', for tests).
 */
export type MtpKernel = 'specialised' | 'block' | 'fitted' | 'generic';

export const MTP_KERNELS: readonly MtpKernel[] = ['specialised', 'block', 'fitted', 'generic'];

/** Each kernel's shader file and its entry points before the force gather. */
const KERNEL_SHADERS: Record<MtpKernel, { file: string; entries: string[] }> = {
  specialised: { file: 'mtp-specialised', entries: ['mtp_fused'] },
  block: { file: 'mtp-block', entries: ['mtp_block'] },
  fitted: { file: 'mtp', entries: ['mtp_moments', 'mtp_pair_gradients'] },
  generic: { file: 'mtp', entries: ['mtp_moments', 'mtp_pair_gradients'] },
};

/** Kernels with the model's basis compiled in (one fused pass, no dE/dB buffer). */
const compiled = (k: MtpKernel) => k === 'specialised' || k === 'block';

interface Pipelines {
  /** specialised: mtp_fused; block: mtp_block; generic: mtp_moments then mtp_pair_gradients */
  passes: GPUComputePipeline[];
  gather: GPUComputePipeline;
}

/** A field's outputs read back: per-atom energies and virials summed in float64. */
export async function readEfs(
  device: GPUDevice,
  out: ReturnType<GpuForceField['allocateOutputs']>,
  n: number,
): Promise<EfsResult> {
  const [e, f, w] = await Promise.all([
    readBuffer(device, out.atomEnergy, 4 * n),
    readBuffer(device, out.forces, 16 * n),
    readBuffer(device, out.atomVirial, 36 * n),
  ]);
  const atomEnergies = Float64Array.from(new Float32Array(e));
  const f4 = new Float32Array(f);
  const forces = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    forces[3 * i] = f4[4 * i];
    forces[3 * i + 1] = f4[4 * i + 1];
    forces[3 * i + 2] = f4[4 * i + 2];
  }
  const w9 = new Float32Array(w);
  const virial = new Float64Array(9);
  for (let i = 0; i < n; i++) for (let k = 0; k < 9; k++) virial[k] += w9[9 * i + k];
  let energy = 0;
  for (const v of atomEnergies) energy += v;
  return { energy, atomEnergies, forces, virial };
}

export class WebGpuMtp implements Potential, GpuForceField {
  readonly name: string;
  readonly cutoff: number;
  readonly speciesCount: number;
  readonly neighbors: GpuNeighborList;
  private readonly table: GPUBuffer;
  private readonly offsets: ReturnType<typeof mtpTable>['offsets'];

  /** Contacts closer than this lie outside the fitted range of the potential (MTP min_dist). */
  get minDist(): number {
    return this.model.minDist;
  }

  private constructor(
    readonly device: GPUDevice,
    readonly model: MtpModel,
    readonly kernel: MtpKernel,
    private readonly pipelines: Pipelines,
    neighbors: GpuNeighborList,
  ) {
    this.name = `MTP ${model.name} (WebGPU)`;
    this.cutoff = model.maxDist;
    this.speciesCount = model.speciesCount;
    this.neighbors = neighbors;
    const { table, offsets } = mtpTable(model);
    this.table = storageBuffer(device, 'mtp table', table);
    this.offsets = offsets;
  }

  /** The kernel `create` uses for `model` when none is asked for. */
  static defaultKernel(model: MtpModel): MtpKernel {
    return canSpecialise(model) ? 'specialised' : 'fitted';
  }

  static async create(device: GPUDevice, model: MtpModel, kernel?: MtpKernel): Promise<WebGpuMtp> {
    const chosen = kernel ?? WebGpuMtp.defaultKernel(model);
    if (model.radialBasisSize > GPU_LIMITS.radialBasisSize || model.radialFuncsCount > GPU_LIMITS.radialFuncs) {
      throw new GpuLimitError(
        `radial_basis_size ${model.radialBasisSize} / radial_funcs_count ${model.radialFuncsCount} exceed the GPU kernel's ` +
          `${GPU_LIMITS.radialBasisSize} / ${GPU_LIMITS.radialFuncs}`,
      );
    }
    if (model.maxPower > GPU_LIMITS.maxPower) {
      throw new GpuLimitError(
        `a basic moment has power ${model.maxPower}, above the GPU kernel's ${GPU_LIMITS.maxPower}`,
      );
    }
    if (compiled(chosen) && !canSpecialise(model))
      throw new GpuLimitError(`the ${chosen} kernel cannot compile this model's basis in (too many contractions)`);
    const { file, entries } = KERNEL_SHADERS[chosen];
    const source =
      chosen === 'specialised' || chosen === 'block'
        ? specialisedMtpSource(model, chosen === 'block' ? 'block' : 'thread')
        : mtpShaderSource(model, chosen);
    const module = await compileModule(
      device,
      file,
      withCellCommon(
        ['mtp-common.wgsl', mtpCommonWgsl],
        [compiled(chosen) ? `${file}.wgsl (filled for this model)` : 'mtp.wgsl', source],
      ),
    );
    const [gather, ...passes] = await Promise.all(
      ['mtp_gather_forces', ...entries].map((e) => computePipeline(device, module, e)),
    );
    return new WebGpuMtp(device, model, chosen, { passes, gather }, await GpuNeighborList.create(device));
  }

  private params(natoms: number, batchStart: number, batchCount: number): ArrayBuffer {
    const m = this.model;
    const buf = new ArrayBuffer(PARAMS_BYTES);
    const u = new Uint32Array(buf);
    const f = new Float32Array(buf);
    const o = this.offsets;
    u.set([
      natoms,
      m.speciesCount,
      m.radialFuncsCount,
      m.radialBasisSize,
      m.basicCount,
      m.momentsCount,
      m.timesMult.length,
    ]);
    u[7] = this.neighbors.capacity;
    u.set([o.rad, o.basic, o.times, o.lin, o.spec, m.maxPower, batchStart, batchCount], 8);
    f.set([m.minDist, m.maxDist, m.scaling, m.maxDist * m.maxDist], 16);
    return buf;
  }

  /** Atoms per moments dispatch of the generic kernel, so its per-atom scratch (2 x moments) fits one binding. */
  private batchSize(natoms: number): number {
    const perAtom = 8 * this.model.momentsCount;
    const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, 256 * 1024 * 1024);
    return Math.max(1, Math.min(natoms, Math.floor(limit / perAtom)));
  }

  /**
   * Work buffers sized for the current system and neighbour-list capacity (reallocated when those change); the
   * specialised kernel keeps dE/dB and the moments in registers and needs only the pair gradients.
   */
  private work: {
    natoms: number;
    capacity: number;
    dedb: GPUBuffer | null;
    scratch: GPUBuffer | null;
    pairGrad: GPUBuffer;
  } | null = null;

  private workBuffers(natoms: number) {
    const capacity = this.neighbors.capacity;
    if (this.work && this.work.natoms === natoms && this.work.capacity === capacity) return this.work;
    this.destroyWork();
    const d = this.device;
    const generic = !compiled(this.kernel);
    this.work = {
      natoms,
      capacity,
      dedb: generic ? storageBuffer(d, 'dE/dB', 4 * natoms * this.model.basicCount) : null,
      scratch: generic
        ? storageBuffer(d, 'moment scratch', 8 * this.model.momentsCount * this.batchSize(natoms))
        : null,
      pairGrad: storageBuffer(d, 'pair gradients', 16 * natoms * capacity),
    };
    return this.work;
  }

  private destroyWork(): void {
    if (!this.work) return;
    this.work.dedb?.destroy();
    this.work.scratch?.destroy();
    this.work.pairGrad.destroy();
    this.work = null;
  }

  /**
   * Records energy, force and virial evaluation for positions already on the GPU (and a neighbour list built from
   * them) into `encoder`. Outputs: per-atom energies (f32), forces (vec4f), per-atom virials (9 x f32).
   */
  encodeEvaluation(encoder: GPUCommandEncoder, out: MtpOutputs, natoms: number): void {
    const pass = encoder.beginComputePass({ label: 'mtp' });
    this.encodeInPass(pass, out, natoms);
    pass.end();
  }

  /** Bind groups and parameter blocks for one (system, list, outputs) combination, rebuilt when any of them changes. */
  private cache: {
    key: string;
    out: MtpOutputs;
    /** one (pipeline, bind group, atoms) per dispatch before the gather */
    dispatches: { pipeline: GPUComputePipeline; group: GPUBindGroup; atoms: number }[];
    gather: GPUBindGroup;
    uniforms: GPUBuffer[];
  } | null = null;

  private bindings(out: MtpOutputs, natoms: number) {
    const nl = this.neighbors;
    const key = `${natoms}|${nl.generation}|${nl.capacity}`;
    if (this.cache && this.cache.key === key && this.cache.out === out) return this.cache;
    for (const u of this.cache?.uniforms ?? []) u.destroy();
    const d = this.device;
    const work = this.workBuffers(natoms);
    const uniforms: GPUBuffer[] = [];
    const dispatches: { pipeline: GPUComputePipeline; group: GPUBindGroup; atoms: number }[] = [];
    const ub = uniformBuffer(d, 'mtp params', this.params(natoms, 0, natoms));
    uniforms.push(ub);
    const [first, second] = this.pipelines.passes;
    // what every kernel walking the list reads: cell, parameters, positions, the list, the model's table
    const list = (params: GPUBuffer) => ({
      0: nl.cellUniform,
      1: params,
      2: nl.frac,
      3: nl.nbr,
      4: nl.nbrCount,
      5: this.table,
    });
    const gradientOutputs = { 10: out.atomVirial, 11: work.pairGrad, 13: out.atomMinDist };
    if (compiled(this.kernel)) {
      const group = bindGroup(d, first, { ...list(ub), 8: out.atomEnergy, ...gradientOutputs });
      dispatches.push({ pipeline: first, group, atoms: natoms });
    } else {
      const batch = this.batchSize(natoms);
      for (let start = 0; start < natoms; start += batch) {
        const count = Math.min(batch, natoms - start);
        const batchUniform = uniformBuffer(d, 'mtp params', this.params(natoms, start, count));
        uniforms.push(batchUniform);
        const group = bindGroup(d, first, {
          ...list(batchUniform),
          6: work.scratch!,
          7: work.dedb!,
          8: out.atomEnergy,
        });
        dispatches.push({ pipeline: first, group, atoms: count });
      }
      const group = bindGroup(d, second, { ...list(ub), 7: work.dedb!, ...gradientOutputs });
      dispatches.push({ pipeline: second, group, atoms: natoms });
    }
    const gather = bindGroup(d, this.pipelines.gather, {
      1: ub,
      4: nl.nbrCount,
      9: out.forces,
      11: work.pairGrad,
      12: nl.reverseSlot,
    });
    this.cache = { key, out, dispatches, gather, uniforms };
    return this.cache;
  }

  /** Records the evaluation into an open compute pass (the MD engine keeps one pass for a whole step). */
  encodeInPass(pass: GPUComputePassEncoder, out: MtpOutputs, natoms: number): void {
    const b = this.bindings(out, natoms);
    for (const { pipeline, group, atoms } of b.dispatches) {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      if (this.kernel === 'block') {
        // a workgroup per atom, in a second grid dimension past the first's limit
        const x = Math.min(atoms, this.device.limits.maxComputeWorkgroupsPerDimension);
        pass.dispatchWorkgroups(x, Math.ceil(atoms / x));
      } else pass.dispatchWorkgroups(workgroups(atoms, 64));
    }
    pass.setPipeline(this.pipelines.gather);
    pass.setBindGroup(0, b.gather);
    pass.dispatchWorkgroups(workgroups(natoms, 64));
  }

  allocateOutputs(natoms: number): MtpOutputs {
    const d = this.device;
    return {
      atomEnergy: storageBuffer(d, 'atom energy', 4 * natoms),
      forces: storageBuffer(d, 'forces', 16 * natoms),
      atomVirial: storageBuffer(d, 'atom virial', 36 * natoms),
      atomMinDist: storageBuffer(d, 'atom nearest-neighbour distance', 4 * natoms),
    };
  }

  /** One configuration, start to finish: upload, neighbour list, evaluation, readback. */
  async compute(config: Configuration): Promise<EfsResult> {
    const n = config.types.length;
    for (let i = 0; i < n; i++) {
      if (config.types[i] < 0 || config.types[i] >= this.speciesCount) {
        throw new Error(
          `atom ${i + 1} has species type ${config.types[i]}, but the potential has ${this.speciesCount} species`,
        );
      }
    }
    const d = this.device;
    const positions = storageBuffer(d, 'positions', packPositions(config.positions, config.types));
    // one evaluation needs the cutoff exactly; MD's list with its skin is the engine's (md/engine.ts)
    this.neighbors.configure(config.cell, config.positions, this.cutoff);
    await this.neighbors.build(positions);
    const out = this.allocateOutputs(n);
    await checked(d, 'MTP evaluation', () => {
      const encoder = d.createCommandEncoder({ label: 'mtp evaluation' });
      this.encodeEvaluation(encoder, out, n);
      d.queue.submit([encoder.finish()]);
    });
    const result = await readEfs(d, out, n);
    for (const b of [positions, ...Object.values(out)]) b.destroy();
    return result;
  }

  destroy(): void {
    for (const u of this.cache?.uniforms ?? []) u.destroy();
    this.cache = null;
    this.destroyWork();
    this.table.destroy();
    this.neighbors.destroy();
  }
}
