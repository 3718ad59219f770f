import * as Comlink from 'comlink';
import type { TrainingService } from './training-service.ts';

/** Starts the training worker (browser) and returns its typed remote. */
export function startTrainingWorker(): Comlink.Remote<TrainingService> {
  const worker = new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module' });
  return Comlink.wrap<TrainingService>(worker);
}
