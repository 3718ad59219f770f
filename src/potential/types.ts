import type { Configuration } from '../model/configuration.ts';
import { EV_A3_TO_GPA } from '../model/units.ts';
import type { GpuNeighborList } from './neighbors-gpu.ts';

/** Energy, forces and virial of one configuration. Units: eV, eV/A, eV. */
export interface EfsResult {
  energy: number;
  atomEnergies: Float64Array;
  forces: Float64Array;
  /** Virial in MLIP's PlusStress convention, full 3x3 row-major: W_ab = -sum_pairs (dE/dr_ij)_a (r_ij)_b. */
  virial: Float64Array;
}

/** What every potential offers (the reference, the GPU evaluator, simple test potentials). */
export interface Potential {
  readonly name: string;
  /** Interaction range, A. */
  readonly cutoff: number;
  readonly speciesCount: number;
  compute(config: Configuration): Promise<EfsResult> | EfsResult;
}

/**
 * A potential the GPU MD engine can step with: it evaluates inside the engine's compute pass, from positions and a
 * neighbour list already on the device (WebGpuMtp; md/free-particles.ts for an ideal gas).
 */
export interface GpuForceField {
  readonly name: string;
  readonly cutoff: number;
  /** Contacts closer than this are reported as a blow-up (MTP: min_dist). */
  readonly minDist: number;
  /** The neighbour list the field evaluates with; null for a field without interactions. */
  readonly neighbors: GpuNeighborList | null;
  allocateOutputs(natoms: number): {
    atomEnergy: GPUBuffer;
    forces: GPUBuffer;
    atomVirial: GPUBuffer;
    atomMinDist: GPUBuffer;
  };
  encodeInPass(pass: GPUComputePassEncoder, out: ReturnType<GpuForceField['allocateOutputs']>, natoms: number): void;
}

/** A potential that answers at once (the float64 evaluators). */
export interface SyncPotential extends Potential {
  compute(config: Configuration): EfsResult;
}

/** A GPU potential that evaluates single configurations and steps MD, and frees its buffers when done. */
export interface GpuPotential extends Potential, GpuForceField {
  /** Which kernel evaluates it (reported with timings). */
  readonly kernel: string;
  compute(config: Configuration): Promise<EfsResult>;
  destroy(): void;
}

/** Two evaluations of one configuration summed (a potential and a term added to it). */
export function addEfs(a: EfsResult, b: EfsResult): EfsResult {
  const add = (x: Float64Array, y: Float64Array) => Float64Array.from(x, (v, k) => v + y[k]);
  return {
    energy: a.energy + b.energy,
    atomEnergies: add(a.atomEnergies, b.atomEnergies),
    forces: add(a.forces, b.forces),
    virial: add(a.virial, b.virial),
  };
}

/** The PlusStress six (xx yy zz yz xz xy) from a 3x3 virial. */
export function plusStressOf(virial: ArrayLike<number>): Float64Array {
  return Float64Array.from([virial[0], virial[4], virial[8], virial[5], virial[2], virial[1]]);
}

/** Cauchy stress in GPa from a virial (eV) and a volume (A^3): sigma = -W / V. */
export function stressGPa(virial: ArrayLike<number>, volume: number): Float64Array {
  return Float64Array.from(virial, (w) => (-w / volume) * EV_A3_TO_GPA);
}
