import selftestWgsl from '../../shaders/selftest.wgsl?raw';
import {
  bindBuffers,
  compileModule,
  computePipeline,
  readBuffer,
  storageBuffer,
  uniformBuffer,
  workgroups,
} from './compute.ts';

export interface SelfTestResult {
  n: number;
  maxAbsError: number;
  sumGpu: number;
  sumExact: number;
  ok: boolean;
}

/** Runs a small saxpy + reduction on the device and checks it against float64 arithmetic. */
export async function gpuSelfTest(device: GPUDevice, n = 1000): Promise<SelfTestResult> {
  const a = 1.5;
  const b = -0.25;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.fround(Math.sin(i) * 3);
  const params = new ArrayBuffer(16);
  new Float32Array(params, 0, 2).set([a, b]);
  new Uint32Array(params, 8, 1)[0] = n;

  const groups = workgroups(n, 64);
  const ubuf = uniformBuffer(device, 'selftest params', params);
  const xbuf = storageBuffer(device, 'x', x);
  const ybuf = storageBuffer(device, 'y', n * 4);
  const pbuf = storageBuffer(device, 'partial', groups * 4);
  const module = await compileModule(device, 'selftest', selftestWgsl);
  const pipeline = await computePipeline(device, module, 'saxpy_and_sum');
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindBuffers(device, pipeline, [ubuf, xbuf, ybuf, pbuf]));
  pass.dispatchWorkgroups(groups);
  pass.end();
  device.queue.submit([encoder.finish()]);
  const y = new Float32Array(await readBuffer(device, ybuf));
  const partial = new Float32Array(await readBuffer(device, pbuf));
  let maxAbsError = 0;
  let sumExact = 0;
  for (let i = 0; i < n; i++) {
    maxAbsError = Math.max(maxAbsError, Math.abs(y[i] - (a * x[i] + b)));
    sumExact += x[i];
  }
  const sumGpu = partial.reduce((s, v) => s + v, 0);
  for (const buf of [ubuf, xbuf, ybuf, pbuf]) buf.destroy();
  const ok = maxAbsError < 1e-5 && Math.abs(sumGpu - sumExact) < 1e-3;
  return { n, maxAbsError, sumGpu, sumExact, ok };
}
