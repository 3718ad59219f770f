/**
 * One way to get a GPUDevice, whatever provides the `GPU` object (a browser's `navigator.gpu` or Dawn in Node).
 * Nothing here knows which: the caller passes the `GPU`, so this module stays importable in the browser bundle.
 */

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** Where the adapter came from: 'browser', or 'node/dawn' with the Vulkan driver file when one was forced. */
  source: string;
}

export interface GpuContext {
  device: GPUDevice;
  adapter: GPUAdapter;
  report: AdapterReport;
}

export class NoAdapterError extends Error {
  override name = 'NoAdapterError';
}

/** Limits a molecular-dynamics kernel family wants: as many storage buffers and as large ones as the adapter has. */
const WANTED_LIMITS = [
  'maxStorageBuffersPerShaderStage',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
] as const;

export function describeAdapter(adapter: GPUAdapter, source: string): AdapterReport {
  const info = adapter.info;
  // `isFallbackAdapter` moved from the adapter to its info in the spec; read whichever this implementation has.
  const legacy = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const fromInfo = (info as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info.vendor || 'unknown',
    architecture: info.architecture || 'unknown',
    device: info.device || '',
    description: info.description || '',
    isFallbackAdapter: Boolean(fromInfo ?? legacy ?? false),
    source,
  };
}

export function formatAdapter(r: AdapterReport): string {
  const name = [r.vendor, r.architecture, r.device, r.description].filter((s) => s && s !== 'unknown').join(' / ');
  return `${name || 'unnamed adapter'}${r.isFallbackAdapter ? ' (fallback adapter)' : ''} [${r.source}]`;
}

/** A software rasteriser: the numbers are right but timings are not a GPU's. */
export function isSoftwareAdapter(r: AdapterReport): boolean {
  const s = `${r.vendor} ${r.architecture} ${r.device} ${r.description}`.toLowerCase();
  return r.isFallbackAdapter || s.includes('swiftshader') || s.includes('llvmpipe') || s.includes('lavapipe');
}

export async function acquireDevice(
  gpu: GPU | undefined,
  source: string,
  options: { powerPreference?: GPUPowerPreference; onLost?: (info: GPUDeviceLostInfo) => void } = {},
): Promise<GpuContext> {
  if (!gpu) {
    throw new NoAdapterError(
      'WebGPU is not available here (no navigator.gpu). Use a browser with WebGPU enabled (Chrome/Edge 113+, Safari 26+, Firefox 141+).',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new NoAdapterError(`No WebGPU adapter was found (${source}).`);
  }
  const requiredLimits: Record<string, number> = {};
  for (const key of WANTED_LIMITS) {
    const value = adapter.limits[key];
    if (typeof value === 'number') requiredLimits[key] = value;
  }
  const device = await adapter.requestDevice({ requiredLimits });
  if (options.onLost) {
    const onLost = options.onLost;
    void device.lost.then((info) => onLost(info));
  }
  return { device, adapter, report: describeAdapter(adapter, source) };
}
