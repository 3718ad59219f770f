import { formatAdapter, isSoftwareAdapter } from '../../gpu/device.ts';
import { nodeGpuContext } from '../../gpu/node-gpu.ts';
import { gpuSelfTest } from '../../gpu/selftest.ts';
import type { Command } from '../command.ts';

export const gpuInfoCommand: Command = {
  name: 'gpu-info',
  summary: 'print the WebGPU adapter Node finds, its limits, and run a small self-test kernel on it',
  usage: '[--json]',
  help: [
    "Obtains a GPUDevice through Dawn (the `webgpu` package). Without a GPU, the Vulkan loader is pointed to Chromium's",
    'SwiftShader driver (/usr/lib/chromium/vk_swiftshader_icd.json); LILAB_VK_ICD=<file> chooses another driver and',
    'LILAB_VK_ICD=system leaves the choice to the loader. Exit code 1 when no adapter exists or the self-test fails.',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run(args) {
    const ctx = await nodeGpuContext();
    const test = await gpuSelfTest(ctx.device);
    const l = ctx.device.limits;
    const limits = {
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    };
    if (args.values.json) {
      console.log(
        JSON.stringify(
          { adapter: ctx.report, software: isSoftwareAdapter(ctx.report), limits, selfTest: test },
          null,
          2,
        ),
      );
    } else {
      console.log(`adapter:   ${formatAdapter(ctx.report)}`);
      console.log(`software:  ${isSoftwareAdapter(ctx.report) ? 'yes (correct numbers, not GPU timings)' : 'no'}`);
      for (const [k, v] of Object.entries(limits)) console.log(`limit:     ${k} = ${v}`);
      console.log(
        `self-test: ${test.ok ? 'ok' : 'FAILED'} (saxpy max error ${test.maxAbsError.toExponential(2)}, ` +
          `sum ${test.sumGpu.toFixed(4)} vs ${test.sumExact.toFixed(4)})`,
      );
    }
    ctx.device.destroy();
    return test.ok ? 0 : 1;
  },
};
