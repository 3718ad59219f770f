/**
 * The page's start-up: find WebGPU, prove it computes, report it in the status line. The state that end-to-end tests
 * read is mirrored on `document.body.dataset` (adapter, gpuSelfTest) so tests need no private hooks.
 */
import { acquireDevice, formatAdapter, type GpuContext } from '../gpu/device.ts';
import { gpuSelfTest } from '../gpu/selftest.ts';

export interface AppState {
  gpu: GpuContext | null;
  error: string | null;
}

function showMessage(doc: Document, text: string): void {
  const box = doc.getElementById('message');
  if (!box) return;
  box.textContent = text;
  box.hidden = false;
}

export async function startApp(doc: Document): Promise<AppState> {
  const adapterEl = doc.getElementById('status-adapter')!;
  const state: AppState = { gpu: null, error: null };
  try {
    state.gpu = await acquireDevice(navigator.gpu, 'browser', {
      onLost: (info) => {
        if (info.reason !== 'destroyed')
          showMessage(doc, `The GPU device was lost (${info.message}). Reload to continue.`);
      },
    });
    const test = await gpuSelfTest(state.gpu.device);
    adapterEl.textContent = formatAdapter(state.gpu.report);
    adapterEl.dataset.state = test.ok ? 'ok' : 'error';
    doc.body.dataset.adapter = formatAdapter(state.gpu.report);
    doc.body.dataset.gpuSelfTest = test.ok ? 'ok' : 'failed';
    if (!test.ok) showMessage(doc, `The GPU self-test failed (max error ${test.maxAbsError}); results would be wrong.`);
  } catch (err) {
    state.error = (err as Error).message;
    adapterEl.textContent = 'no WebGPU';
    adapterEl.dataset.state = 'error';
    doc.body.dataset.adapter = 'none';
    showMessage(doc, state.error);
  }
  return state;
}
