/**
 * The page's GPU: find a WebGPU adapter, prove it computes (the self-test), and recover from a lost device by
 * asking for a new one and continuing from the last frame. Without WebGPU the page says why and what runs instead.
 */
import { acquireDevice, formatAdapter, type GpuContext } from '../gpu/device.ts';
import { gpuSelfTest } from '../gpu/selftest.ts';
import type { Report } from './messages.ts';
import type { StatusLine } from './status-line.ts';

/** The GPU, or null with the reason (the CPU engine then runs bulk only). */
export async function startDevice(
  status: StatusLine,
  report: Report,
  /** A new device after the old one was lost: the run continues on it. */
  onRecovered: (gpu: GpuContext) => Promise<void>,
): Promise<{ gpu: GpuContext | null; error: string | null }> {
  try {
    const gpu = await acquireDevice(navigator.gpu, 'browser', {
      onLost: (info) => {
        if (info.reason === 'destroyed') return;
        report(`The GPU device was lost (${info.message}). Restarting from the last frame...`);
        void acquireDevice(navigator.gpu, 'browser').then(async (ctx) => {
          await onRecovered(ctx);
          report('Recovered from the last frame after the GPU device was lost.', 'info');
        });
      },
    });
    const test = await gpuSelfTest(gpu.device);
    status.adapter(formatAdapter(gpu.report), test.ok, formatAdapter(gpu.report));
    document.body.dataset.gpuSelfTest = test.ok ? 'ok' : 'failed';
    if (!test.ok) report(`The GPU self-test failed (max error ${test.maxAbsError}); results would be wrong.`);
    return { gpu, error: null };
  } catch (err) {
    const error = (err as Error).message;
    status.adapter('no WebGPU: CPU fallback (float64 reference, small systems)', false, 'none');
    report(
      `${error}\nLiLab runs its molecular dynamics on the GPU through WebGPU. Open it in a browser with WebGPU ` +
        '(Chrome or Edge 113+, Safari 26+, Firefox 141+) for grain boundaries. Meanwhile the CPU runs bulk beta-Li3PS4 ' +
        'with the float64 reference evaluator.',
    );
    return { gpu: null, error };
  }
}
