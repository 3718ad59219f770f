import { storageBuffer } from '../gpu/compute.ts';
import type { GpuForceField } from '../potential/types.ts';

/**
 * No interactions at all: an ideal gas. Its kinetic energy is all there is, so thermostats can be checked against the
 * exact canonical distribution in long, cheap runs.
 */
export class FreeParticles implements GpuForceField {
  readonly name = 'free particles (no interactions)';
  readonly cutoff = 0;
  readonly minDist = 0;
  readonly neighbors = null;

  constructor(private readonly device: GPUDevice) {}

  allocateOutputs(natoms: number) {
    const d = this.device;
    return {
      atomEnergy: storageBuffer(d, 'atom energy', 4 * natoms),
      forces: storageBuffer(d, 'forces', 16 * natoms),
      atomVirial: storageBuffer(d, 'atom virial', 36 * natoms),
      atomMinDist: storageBuffer(
        d,
        'atom nearest-neighbour distance',
        new Float32Array(natoms).fill(Number.POSITIVE_INFINITY),
      ),
    };
  }

  encodeInPass(): void {
    // forces and energies stay zero
  }
}
