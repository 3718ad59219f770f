/**
 * WebGPU in Node through Dawn (the `webgpu` package). Imported only by the CLI, the bench and the tests, never by the
 * browser bundle.
 *
 * A real GPU comes first: when the machine has a GPU device node (/dev/nvidia0, or a DRM render node) and the caller
 * has not chosen a driver, the system's Vulkan drivers are asked for an adapter, and a hardware one is used. Otherwise
 * (no device node, no adapter, or only a CPU implementation such as llvmpipe) Dawn's Vulkan backend runs on Chromium's
 * SwiftShader driver, which the Vulkan loader finds through VK_ICD_FILENAMES. The device-node check keeps machines
 * without a GPU from paying for (and printing the warnings of) a probe that cannot succeed. LILAB_VK_ICD overrides the
 * driver file; LILAB_VK_ICD=system uses the system's drivers only. The commands print which adapter runs.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
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

/** The drivers to try, in order: the system's (real GPUs), then a driver file. */
export type DriverPlan = { kind: 'system'; hardwareOnly: boolean } | { kind: 'file'; path: string };

/** A GPU the system's Vulkan drivers could drive: an NVIDIA device node or a DRM render node. */
export function gpuDeviceNodePresent(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((n) => n.startsWith('renderD'));
  } catch {
    return false;
  }
}

/** Which drivers to try, from the environment and what the machine has. */
export function driverPlan(o: {
  override?: string;
  icdFiles?: string;
  gpuPresent: boolean;
  swiftshaderPresent: boolean;
}): DriverPlan[] {
  if (o.override === 'system') return [{ kind: 'system', hardwareOnly: false }];
  if (o.override) return [{ kind: 'file', path: o.override }];
  if (o.icdFiles) return [{ kind: 'file', path: o.icdFiles }];
  const plan: DriverPlan[] = [];
  if (o.gpuPresent) plan.push({ kind: 'system', hardwareOnly: o.swiftshaderPresent });
  if (o.swiftshaderPresent) plan.push({ kind: 'file', path: SWIFTSHADER_ICD });
  if (plan.length === 0) plan.push({ kind: 'system', hardwareOnly: false });
  return plan;
}

/** CPU implementations of Vulkan: usable, but SwiftShader is the one the project is tested on. */
const CPU_ADAPTER = /llvmpipe|lavapipe|swiftshader|software/i;

async function nodeGpu(): Promise<GPU> {
  if (gpuObject) return gpuObject;
  const override = process.env.LILAB_VK_ICD;
  if (override && override !== 'system' && !existsSync(override))
    throw new NoAdapterError(`LILAB_VK_ICD points to ${override}, which does not exist.`);
  // The Vulkan loader complains on stderr when XDG_RUNTIME_DIR is unset (CI, root shells); give it a private one.
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `lilab-runtime-${process.getuid?.() ?? 0}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  dawn = (await import('webgpu')) as unknown as DawnModule;
  // Dawn's GPUBufferUsage, GPUMapMode... are the same globals the browser has.
  Object.assign(globalThis, dawn.globals);
  const plan = driverPlan({
    override,
    icdFiles: process.env.VK_ICD_FILENAMES,
    gpuPresent: gpuDeviceNodePresent(),
    swiftshaderPresent: existsSync(SWIFTSHADER_ICD),
  });
  const tried: string[] = [];
  for (const [k, step] of plan.entries()) {
    const last = k === plan.length - 1;
    if (step.kind === 'file') process.env.VK_ICD_FILENAMES = step.path;
    else delete process.env.VK_ICD_FILENAMES;
    // the Vulkan loader reads VK_ICD_FILENAMES when Dawn creates its instance, so each driver gets a new one
    const gpu = dawn.create([]);
    driverNote = step.kind === 'file' ? step.path : 'system Vulkan drivers';
    if (last) {
      if (tried.length) driverNote += ` (${tried.join('; ')})`;
      gpuObject = gpu;
      return gpu;
    }
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    const info = adapter?.info;
    const cpu = !info || info.isFallbackAdapter || CPU_ADAPTER.test(`${info.description} ${info.device}`);
    if (adapter && !(step.kind === 'system' && step.hardwareOnly && cpu)) {
      gpuObject = gpu;
      return gpu;
    }
    tried.push(
      adapter
        ? `the system's drivers offer only ${info?.description || 'a CPU adapter'}`
        : "no adapter from the system's drivers",
    );
  }
  throw new NoAdapterError('no Vulkan driver to try');
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
