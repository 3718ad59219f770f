import * as Comlink from 'comlink';
import type { AnalysisService } from './analysis-service.ts';

/** Starts the analysis worker (browser) and returns its typed remote. */
export function startAnalysisWorker(): { remote: Comlink.Remote<AnalysisService>; worker: Worker } {
  const worker = new Worker(new URL('./analysis.worker.ts', import.meta.url), { type: 'module' });
  return { remote: Comlink.wrap<AnalysisService>(worker), worker };
}

/** Sends a frame without copying (its buffer moves to the worker). */
export function transferFrame(remote: Comlink.Remote<AnalysisService>, positions: Float64Array): Promise<void> {
  return remote.push(Comlink.transfer(positions, [positions.buffer]));
}
