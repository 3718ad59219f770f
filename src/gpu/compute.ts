/** Small helpers shared by every kernel family: buffers, readback, pipelines with readable compile errors. */
import type { ShaderSource } from './shader-source.ts';

export type GpuTypedArray = Float32Array | Uint32Array | Int32Array;

export function storageBuffer(
  device: GPUDevice,
  label: string,
  data: GpuTypedArray | number,
  extraUsage: GPUBufferUsageFlags = 0,
): GPUBuffer {
  const byteLength = typeof data === 'number' ? data : data.byteLength;
  // WebGPU refuses zero-sized bindings; a 4-byte floor keeps empty inputs (no neighbours, no atoms) legal.
  const size = Math.max(4, Math.ceil(byteLength / 4) * 4);
  const buffer = device.createBuffer({
    label,
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage,
    mappedAtCreation: typeof data !== 'number',
  });
  if (typeof data !== 'number') {
    const Ctor = data.constructor as new (b: ArrayBuffer) => GpuTypedArray;
    new Ctor(buffer.getMappedRange()).set(data);
    buffer.unmap();
  }
  return buffer;
}

export function uniformBuffer(device: GPUDevice, label: string, data: ArrayBuffer): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    size: Math.max(16, Math.ceil(data.byteLength / 16) * 16),
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

/** Copies `byteLength` bytes of `source` into a fresh staging buffer and returns them (one readback, one map). */
export async function readBuffer(device: GPUDevice, source: GPUBuffer, byteLength = source.size): Promise<ArrayBuffer> {
  const size = Math.max(4, Math.ceil(byteLength / 4) * 4);
  const staging = device.createBuffer({
    label: 'readback',
    size,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = device.createCommandEncoder({ label: 'readback' });
  encoder.copyBufferToBuffer(source, 0, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const copy = staging.getMappedRange(0, size).slice(0, byteLength);
  staging.unmap();
  staging.destroy();
  return copy;
}

export class ShaderCompileError extends Error {
  override name = 'ShaderCompileError';
}

/** Compiles WGSL (one file's text, or several files as a ShaderSource); errors name the file and line in it. */
export async function compileModule(
  device: GPUDevice,
  label: string,
  source: string | ShaderSource,
): Promise<GPUShaderModule> {
  const code = typeof source === 'string' ? source : source.code;
  const module = device.createShaderModule({ label, code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    const where = (line: number) => {
      if (typeof source === 'string') return `${label}.wgsl:${line}`;
      const at = source.locate(line);
      return `shaders/${at.file}:${at.line}`;
    };
    const text = errors.map((m) => `${where(m.lineNum)}:${m.linePos}: ${m.message}`).join('\n');
    throw new ShaderCompileError(`WGSL compile failed:\n${text}`);
  }
  return module;
}

export async function computePipeline(
  device: GPUDevice,
  module: GPUShaderModule,
  entryPoint: string,
  constants?: Record<string, number>,
): Promise<GPUComputePipeline> {
  device.pushErrorScope('validation');
  const pipeline = await device.createComputePipelineAsync({
    label: entryPoint,
    layout: 'auto',
    compute: { module, entryPoint, constants },
  });
  const error = await device.popErrorScope();
  if (error) throw new ShaderCompileError(`pipeline ${entryPoint}: ${error.message}`);
  return pipeline;
}

/** A bind group from explicit binding numbers: pipelines with layout 'auto' keep only the bindings they use. */
export function bindGroup(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  entries: Record<number, GPUBuffer>,
): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: Object.entries(entries).map(([binding, buffer]) => ({ binding: Number(binding), resource: { buffer } })),
  });
}

export function bindBuffers(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  buffers: GPUBuffer[],
  group = 0,
): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(group),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}

export function workgroups(count: number, size: number): number {
  return Math.max(1, Math.ceil(count / size));
}

export class GpuValidationError extends Error {
  override name = 'GpuValidationError';
}

/** Runs `fn` (encoding and submitting work) inside validation and out-of-memory scopes; throws what they caught. */
export async function checked(device: GPUDevice, what: string, fn: () => void): Promise<void> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  fn();
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  if (oom) throw new GpuValidationError(`${what}: the GPU ran out of memory (${oom.message})`);
  if (validation) throw new GpuValidationError(`${what}: ${validation.message}`);
}
