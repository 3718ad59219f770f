/**
 * One MTP as the lab uses it: the file as read, the compiled model, and its two evaluators (the float64 reference and
 * the WebGPU kernel). Every command, tool and the page make their evaluators here, so how a kernel is chosen or a
 * model compiled is decided in one place.
 */
import { type MtpFile, parseMtp } from '../../io/mtp.ts';
import { LI_P_S } from '../../model/species.ts';
import { type DispersionTail, TailedPotential, tailSpeciesIndex } from '../dispersion-tail.ts';
import { TailedGpuField } from '../dispersion-tail-gpu.ts';
import type { GpuPotential, SyncPotential } from '../types.ts';
import { compileMtp, type MtpModel } from './model.ts';
import { ReferenceMtp } from './reference.ts';
import { type MtpKernel, WebGpuMtp } from './webgpu.ts';

export interface MtpPotential {
  readonly file: MtpFile;
  readonly model: MtpModel;
  /** The dispersion tail evaluated with the MTP (ADR 0018), or null: the MTP alone. */
  readonly tail: DispersionTail | null;
  /** The float64 evaluator: the reference (equals MLIP-2's), plus the tail if there is one. */
  cpu(): SyncPotential;
  /** The WebGPU evaluator (plus the tail if there is one); the caller destroys it. */
  gpu(device: GPUDevice, kernel?: MtpKernel): Promise<GpuPotential>;
  /** Runs `use` with a WebGPU evaluator that is destroyed when it settles. */
  withGpu<T>(device: GPUDevice, use: (field: GpuPotential) => Promise<T>): Promise<T>;
}

/**
 * Compiles `file` (refusing an untrained template) and gives its evaluators; with `tail`, every evaluator adds it
 * (a potential fitted to the labels less the tail, `lilab train --dispersion-tail`, means nothing without it).
 */
export function mtpPotential(
  file: MtpFile,
  tail: DispersionTail | null = null,
  /** the element of each of the MTP's species types, which the tail's coefficients are looked up by */
  species: readonly string[] = LI_P_S,
): MtpPotential {
  const model = compileMtp(file);
  if (tail && species.length !== model.speciesCount)
    throw new Error(`${species.length} species named (${species.join(', ')}) for a potential of ${model.speciesCount}`);
  const index = tail ? tailSpeciesIndex(tail, species) : [];
  const gpu = async (device: GPUDevice, kernel?: MtpKernel): Promise<GpuPotential> => {
    const mtp = await WebGpuMtp.create(device, model, kernel);
    if (!tail) return mtp;
    try {
      return await TailedGpuField.create(device, mtp, tail, index);
    } catch (e) {
      mtp.destroy();
      throw e;
    }
  };
  const cpu = (): SyncPotential => {
    const ref = new ReferenceMtp(model);
    return tail ? new TailedPotential(ref, tail, index) : ref;
  };
  return {
    file,
    model,
    tail,
    cpu,
    gpu,
    async withGpu(device, use) {
      const field = await gpu(device);
      try {
        return await use(field);
      } finally {
        field.destroy();
      }
    },
  };
}

/** Parses an MLIP `.mtp` text (errors name `file` and the line) and compiles it. */
export function parseMtpPotential(text: string, file: string): MtpPotential {
  return mtpPotential(parseMtp(text, file));
}
