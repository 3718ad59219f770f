import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModule, ShaderCompileError } from '../src/gpu/compute.ts';
import { formatAdapter, type GpuContext } from '../src/gpu/device.ts';
import { driverPlan, gpuDeviceNodePresent, nodeGpuContext, SWIFTSHADER_ICD } from '../src/gpu/node-gpu.ts';
import { gpuSelfTest } from '../src/gpu/selftest.ts';
import { withCellCommon } from '../src/gpu/shader-source.ts';

// No skip here: without an adapter these tests fail, with the message of nodeGpuContext() saying what to install.
describe('WebGPU in Node (Dawn)', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await nodeGpuContext();
  });
  afterAll(() => ctx?.device.destroy());

  it('finds an adapter and reports it', () => {
    expect(ctx.report.vendor.length).toBeGreaterThan(0);
    expect(formatAdapter(ctx.report)).toContain('node/dawn');
  });

  it('runs a compute kernel whose results match float64 arithmetic', async () => {
    const r = await gpuSelfTest(ctx.device, 5000);
    expect(r.maxAbsError).toBeLessThan(1e-5);
    expect(Math.abs(r.sumGpu - r.sumExact)).toBeLessThan(1e-3);
    expect(r.ok).toBe(true);
  });

  it('reports WGSL compile errors with the shader name and line', async () => {
    await expect(
      compileModule(ctx.device, 'broken', 'fn main() {\n  let x: f32 = undefined_thing;\n}'),
    ).rejects.toThrow(ShaderCompileError);
    await expect(
      compileModule(ctx.device, 'broken', 'fn main() {\n  let x: f32 = undefined_thing;\n}'),
    ).rejects.toThrow(/broken\.wgsl:2:/);
  });

  it('names the file and its own line when the error is in a kernel compiled after the shared files', async () => {
    const kernel = '// a kernel\n\nfn f() -> f32 {\n  return missing_name;\n}\n';
    const source = withCellCommon(['broken.wgsl', kernel]);
    expect(source.code.split('\n').length).toBeGreaterThan(40); // the shared cell declarations come first
    await expect(compileModule(ctx.device, 'broken', source)).rejects.toThrow(/shaders\/broken\.wgsl:4:/);
    expect(source.locate(1)).toEqual({ file: 'common/cell.wgsl', line: 1 });
  });
});

describe('which Vulkan driver Dawn is given', () => {
  const SS = SWIFTSHADER_ICD;
  it('tries a real GPU first when the machine has one, keeping SwiftShader as the fallback', () => {
    expect(driverPlan({ gpuPresent: true, swiftshaderPresent: true })).toEqual([
      { kind: 'system', hardwareOnly: true },
      { kind: 'file', path: SS },
    ]);
  });
  it('goes straight to SwiftShader on a machine without a GPU device node (no probe, no warnings)', () => {
    expect(driverPlan({ gpuPresent: false, swiftshaderPresent: true })).toEqual([{ kind: 'file', path: SS }]);
  });
  it('honours the caller: LILAB_VK_ICD, LILAB_VK_ICD=system, or VK_ICD_FILENAMES already set', () => {
    expect(driverPlan({ override: '/x.json', gpuPresent: true, swiftshaderPresent: true })).toEqual([
      { kind: 'file', path: '/x.json' },
    ]);
    expect(driverPlan({ override: 'system', gpuPresent: false, swiftshaderPresent: true })).toEqual([
      { kind: 'system', hardwareOnly: false },
    ]);
    expect(driverPlan({ icdFiles: SS, gpuPresent: true, swiftshaderPresent: true })).toEqual([
      { kind: 'file', path: SS },
    ]);
  });
  it('without SwiftShader, the system drivers are all there is (any adapter, CPU ones too)', () => {
    expect(driverPlan({ gpuPresent: true, swiftshaderPresent: false })).toEqual([
      { kind: 'system', hardwareOnly: false },
    ]);
    expect(driverPlan({ gpuPresent: false, swiftshaderPresent: false })).toEqual([
      { kind: 'system', hardwareOnly: false },
    ]);
  });
  it('this machine: the adapter in use is the one the plan allows', () => {
    const plan = driverPlan({ gpuPresent: gpuDeviceNodePresent(), swiftshaderPresent: true });
    expect(plan.at(-1)).toEqual({ kind: 'file', path: SS });
  });
});
