/**
 * An MTP with the dispersion tail beyond its cutoff (potential/dispersion-tail.ts, ADR 0018) on the GPU: the inner
 * field's forces, energies and virials, then the tail's pair sum added in the same pass (shaders/dispersion-tail.wgsl).
 *
 * The tail reaches 14 A, so it has a list of its own: the inner list's follower (neighbors-gpu.ts), configured with
 * it at the tail's cutoff plus the same skin and rebuilt at the same steps. The MD engine schedules, checks and grows
 * both through the inner list, so a field with a tail steps like any other.
 */
import tailWgsl from '../../shaders/dispersion-tail.wgsl?raw';
import {
  bindGroup,
  checked,
  compileModule,
  computePipeline,
  storageBuffer,
  uniformBuffer,
  workgroups,
} from '../gpu/compute.ts';
import { withCellCommon } from '../gpu/shader-source.ts';
import type { Configuration } from '../model/configuration.ts';
import type { DispersionTail } from './dispersion-tail.ts';
import { readEfs } from './mtp/webgpu.ts';
import { GpuNeighborList } from './neighbors-gpu.ts';
import { addEfs, type EfsResult, type GpuPotential } from './types.ts';

type Outputs = ReturnType<GpuPotential['allocateOutputs']>;

export class TailedGpuField implements GpuPotential {
  readonly name: string;
  readonly cutoff: number;
  readonly minDist: number;
  readonly speciesCount: number;
  readonly kernel: string;
  readonly neighbors: GpuNeighborList;
  private readonly params: GPUBuffer;
  private readonly c6: GPUBuffer;
  private cache: { key: string; out: Outputs; group: GPUBindGroup } | null = null;

  private constructor(
    private readonly device: GPUDevice,
    private readonly inner: GpuPotential,
    private readonly pipeline: GPUComputePipeline,
    private readonly list: GpuNeighborList,
    tail: DispersionTail,
    speciesIndex: readonly number[],
  ) {
    if (!inner.neighbors) throw new Error('a dispersion tail needs a field with a neighbour list');
    if (speciesIndex.length !== inner.speciesCount)
      throw new Error(`the tail's species map has ${speciesIndex.length} entries, the potential ${inner.speciesCount}`);
    if (tail.taper[1] <= inner.cutoff)
      throw new Error(`the tail ends at ${tail.taper[1]} A, inside the potential's cutoff ${inner.cutoff} A`);
    this.neighbors = inner.neighbors;
    this.name = `${inner.name} + dispersion tail to ${tail.taper[1]} A`;
    this.cutoff = inner.cutoff;
    this.minDist = inner.minDist;
    this.speciesCount = inner.speciesCount;
    this.kernel = `${inner.kernel} + tail`;
    this.neighbors.setFollower(list, tail.taper[1] - inner.cutoff);
    const S = inner.speciesCount;
    const table = new Float32Array(S * S);
    for (let a = 0; a < S; a++)
      for (let b = 0; b < S; b++) table[a * S + b] = tail.c6[speciesIndex[a]][speciesIndex[b]];
    this.c6 = storageBuffer(device, 'tail c6', table);
    const p = new ArrayBuffer(32);
    new Uint32Array(p, 0, 2).set([0, S]);
    new Float32Array(p, 8, 4).set([...tail.switchOn, ...tail.taper]);
    this.params = uniformBuffer(device, 'tail params', p);
  }

  /** Wraps `inner` (which it then owns and destroys) with `tail`; `speciesIndex`: the tail's index of each species. */
  static async create(
    device: GPUDevice,
    inner: GpuPotential,
    tail: DispersionTail,
    speciesIndex: readonly number[],
  ): Promise<TailedGpuField> {
    const module = await compileModule(device, 'dispersion tail', withCellCommon(['dispersion-tail.wgsl', tailWgsl]));
    const pipeline = await computePipeline(device, module, 'dispersion_tail');
    const list = await GpuNeighborList.create(device);
    try {
      return new TailedGpuField(device, inner, pipeline, list, tail, speciesIndex);
    } catch (e) {
      list.destroy();
      throw e;
    }
  }

  allocateOutputs(natoms: number): Outputs {
    return this.inner.allocateOutputs(natoms);
  }

  encodeInPass(pass: GPUComputePassEncoder, out: Outputs, natoms: number): void {
    this.inner.encodeInPass(pass, out, natoms);
    this.encodeTail(pass, out, natoms);
  }

  private encodeTail(pass: GPUComputePassEncoder, out: Outputs, natoms: number): void {
    const key = `${this.neighbors.generation}/${this.list.generation}/${natoms}`;
    if (!this.cache || this.cache.key !== key || this.cache.out !== out) {
      this.device.queue.writeBuffer(this.params, 0, new Uint32Array([natoms]));
      const group = bindGroup(this.device, this.pipeline, {
        0: this.list.cellUniform,
        1: this.params,
        2: this.c6,
        3: this.neighbors.frac,
        4: this.list.nbr,
        5: this.list.nbrCount,
        6: out.forces,
        7: out.atomEnergy,
        8: out.atomVirial,
      });
      this.cache = { key, out, group };
    }
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.cache.group);
    pass.dispatchWorkgroups(workgroups(natoms, 64));
  }

  /** One configuration: the inner field's evaluation (which builds both lists), then the tail, added. */
  async compute(config: Configuration): Promise<EfsResult> {
    const inner = await this.inner.compute(config);
    const n = config.types.length;
    const out = this.allocateOutputs(n);
    try {
      await checked(this.device, 'dispersion tail', () => {
        const encoder = this.device.createCommandEncoder({ label: 'dispersion tail' });
        const pass = encoder.beginComputePass();
        this.encodeTail(pass, out, n);
        pass.end();
        this.device.queue.submit([encoder.finish()]);
      });
      return addEfs(inner, await readEfs(this.device, out, n));
    } finally {
      for (const b of Object.values(out)) b.destroy();
      this.cache = null;
    }
  }

  destroy(): void {
    this.neighbors.setFollower(null);
    this.list.destroy();
    this.params.destroy();
    this.c6.destroy();
    this.inner.destroy();
  }
}
