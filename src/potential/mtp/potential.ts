/**
 * One MTP as the lab uses it: the file as read, the compiled model, and its two evaluators (the float64 reference and
 * the WebGPU kernel). Every command, tool and the page make their evaluators here, so how a kernel is chosen or a
 * model compiled is decided in one place.
 */
import { type MtpFile, parseMtp } from '../../io/mtp.ts';
import { compileMtp, type MtpModel } from './model.ts';
import { ReferenceMtp } from './reference.ts';
import { type MtpKernel, WebGpuMtp } from './webgpu.ts';

export interface MtpPotential {
  readonly file: MtpFile;
  readonly model: MtpModel;
  /** The float64 reference evaluator (equals MLIP-2's). */
  cpu(): ReferenceMtp;
  /** The WebGPU evaluator; the caller destroys it. */
  gpu(device: GPUDevice, kernel?: MtpKernel): Promise<WebGpuMtp>;
  /** Runs `use` with a WebGPU evaluator that is destroyed when it settles. */
  withGpu<T>(device: GPUDevice, use: (field: WebGpuMtp) => Promise<T>): Promise<T>;
}

/** Compiles `file` (refusing an untrained template) and gives its evaluators. */
export function mtpPotential(file: MtpFile): MtpPotential {
  const model = compileMtp(file);
  const gpu = (device: GPUDevice, kernel?: MtpKernel) => WebGpuMtp.create(device, model, kernel);
  return {
    file,
    model,
    cpu: () => new ReferenceMtp(model),
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
