/**
 * WebGPU in Node through Dawn (the `webgpu` package). Imported only by the CLI, the bench and the tests, never by the
 * browser bundle.
 *
 * On a machine without a GPU, Dawn's Vulkan backend can run on Chromium's SwiftShader driver; the Vulkan loader finds it
 * through VK_ICD_FILENAMES, which we set to the Debian path when the caller has not chosen a driver. LILAB_VK_ICD
 * overrides the path; LILAB_VK_ICD=system leaves the loader to find real drivers.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AdapterReport, acquireDevice, type GpuContext, NoAdapterError } from './device.ts';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

let dawn: DawnModule | undefined;
let gpuObject: GPU | undefined;
let driverNote = '';

function chooseVulkanDriver(): string {
  const override = process.env.LILAB_VK_ICD;
  if (override === 'system') return 'system Vulkan drivers';
  if (override) {
    if (!existsSync(override)) throw new NoAdapterError(`LILAB_VK_ICD points to ${override}, which does not exist.`);
    process.env.VK_ICD_FILENAMES = override;
    return override;
  }
  if (process.env.VK_ICD_FILENAMES) return process.env.VK_ICD_FILENAMES;
  if (existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    return SWIFTSHADER_ICD;
  }
  return 'system Vulkan drivers';
}

async function nodeGpu(): Promise<GPU> {
  if (gpuObject) return gpuObject;
  driverNote = chooseVulkanDriver();
  // The Vulkan loader complains on stderr when XDG_RUNTIME_DIR is unset (CI, root shells); give it a private one.
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `lilab-runtime-${process.getuid?.() ?? 0}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  dawn = (await import('webgpu')) as unknown as DawnModule;
  // Dawn's GPUBufferUsage, GPUMapMode... are the same globals the browser has.
  Object.assign(globalThis, dawn.globals);
  gpuObject = dawn.create([]);
  return gpuObject;
}

const MISSING_HELP = [
  'No WebGPU adapter was found by Dawn in Node.',
  'Vulkan driver tried: DRIVER.',
  'On a machine without a GPU, install the Vulkan loader and Chromium (which ships the SwiftShader driver):',
  '  sudo apt-get install -y libvulkan1 chromium',
  `or point LILAB_VK_ICD to a Vulkan ICD json file (default ${SWIFTSHADER_ICD}).`,
].join('\n');

export async function nodeGpuContext(): Promise<GpuContext> {
  const gpu = await nodeGpu();
  try {
    return await acquireDevice(gpu, `node/dawn, ${driverNote}`);
  } catch (err) {
    if (err instanceof NoAdapterError) {
      throw new NoAdapterError(MISSING_HELP.replace('DRIVER', driverNote));
    }
    throw err;
  }
}

export type { AdapterReport };
