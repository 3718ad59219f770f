import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModule, ShaderCompileError } from '../src/gpu/compute.ts';
import { formatAdapter, type GpuContext } from '../src/gpu/device.ts';
import { nodeGpuContext } from '../src/gpu/node-gpu.ts';
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
