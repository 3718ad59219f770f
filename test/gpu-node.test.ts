import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModule, ShaderCompileError } from '../src/gpu/compute.ts';
import { formatAdapter, type GpuContext } from '../src/gpu/device.ts';
import { nodeGpuContext } from '../src/gpu/node-gpu.ts';
import { gpuSelfTest } from '../src/gpu/selftest.ts';

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
});
