/**
 * A force field with flat-bottomed bond restraints on top (shaders/restraints.wgsl): the inner field's forces and
 * energies, then each listed pair further apart than r0 pulled back harmonically. The MD engine sees one field; the
 * virial is the inner field's alone (a restrained run is for making structures, not for measuring pressure).
 */
import restraintsWgsl from '../../shaders/restraints.wgsl?raw';
import { bindGroup, compileModule, computePipeline, storageBuffer, uniformBuffer, workgroups } from '../gpu/compute.ts';
import { withCellCommon } from '../gpu/shader-source.ts';
import type { GpuNeighborList } from './neighbors-gpu.ts';
import type { GpuForceField } from './types.ts';

const NO_PARTNER = 0xffffffff;

export interface BondRestraints {
  /** Pairs of atom indices (0-based). */
  pairs: [number, number][];
  /** Distance below which a pair feels nothing, A. */
  r0: number;
  /** Force constant, eV/A^2. */
  k: number;
}

type Outputs = ReturnType<GpuForceField['allocateOutputs']>;

export class RestrainedField implements GpuForceField {
  readonly name: string;
  readonly cutoff: number;
  readonly minDist: number;
  readonly neighbors: GpuNeighborList;
  private readonly partners: GPUBuffer;
  private readonly params: GPUBuffer;
  private cache: { key: string; out: Outputs; group: GPUBindGroup } | null = null;

  private constructor(
    private readonly device: GPUDevice,
    private readonly inner: GpuForceField,
    private readonly pipeline: GPUComputePipeline,
    natoms: number,
    restraints: BondRestraints,
  ) {
    if (!inner.neighbors) throw new Error('restraints need a field with a neighbour list (for the positions)');
    this.neighbors = inner.neighbors;
    this.name = `${inner.name} + ${restraints.pairs.length} bond restraints`;
    this.cutoff = inner.cutoff;
    this.minDist = inner.minDist;
    const count = new Uint32Array(natoms);
    for (const [i, j] of restraints.pairs) {
      if (!(i >= 0 && i < natoms && j >= 0 && j < natoms && i !== j))
        throw new Error(`bond restraint ${i}-${j}: atoms are 0..${natoms - 1} and distinct`);
      count[i]++;
      count[j]++;
    }
    // a loop, not a spread: a spread of a large system's counts overflows the call stack
    const slots = count.reduce((m, c) => Math.max(m, c), 1);
    const table = new Uint32Array(natoms * slots).fill(NO_PARTNER);
    count.fill(0);
    for (const [i, j] of restraints.pairs) {
      table[i * slots + count[i]++] = j;
      table[j * slots + count[j]++] = i;
    }
    this.partners = storageBuffer(device, 'restraint partners', table);
    const p = new ArrayBuffer(16);
    new Uint32Array(p, 0, 2).set([natoms, slots]);
    new Float32Array(p, 8, 2).set([restraints.r0, restraints.k]);
    this.params = uniformBuffer(device, 'restraint params', p);
  }

  static async create(
    device: GPUDevice,
    inner: GpuForceField,
    natoms: number,
    restraints: BondRestraints,
  ): Promise<RestrainedField> {
    const module = await compileModule(device, 'restraints', withCellCommon(['restraints.wgsl', restraintsWgsl]));
    const pipeline = await computePipeline(device, module, 'restrain');
    return new RestrainedField(device, inner, pipeline, natoms, restraints);
  }

  allocateOutputs(natoms: number): Outputs {
    return this.inner.allocateOutputs(natoms);
  }

  encodeInPass(pass: GPUComputePassEncoder, out: Outputs, natoms: number): void {
    this.inner.encodeInPass(pass, out, natoms);
    const nl = this.neighbors;
    const key = `${nl.generation}`;
    if (!this.cache || this.cache.key !== key || this.cache.out !== out) {
      const group = bindGroup(this.device, this.pipeline, {
        0: nl.cellUniform,
        1: this.params,
        2: nl.frac,
        3: this.partners,
        4: out.forces,
        5: out.atomEnergy,
      });
      this.cache = { key, out, group };
    }
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.cache.group);
    pass.dispatchWorkgroups(workgroups(natoms, 64));
  }

  /** Frees the restraints' buffers (the inner field is its owner's to destroy). */
  destroy(): void {
    this.partners.destroy();
    this.params.destroy();
  }
}
