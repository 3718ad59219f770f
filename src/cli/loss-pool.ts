/**
 * The training loss on several CPU cores: the loss is a sum over configurations, so each worker thread holds a
 * contiguous slice of the training data and returns its configurations' shares; the shares are added here in the
 * data's order with the same function as the single-threaded path (sumShares), so a fit is bit-identical for any
 * thread count.
 */
import { Worker } from 'node:worker_threads';
import type { MtpModel } from '../potential/mtp/model.ts';
import { type LossAndGradient, lossAndGradient, lossOnly, sumShares, withParameters } from '../train/gradient.ts';
import { type LabelledConfiguration, MLIP_WEIGHTS } from '../train/linear-fit.ts';

export interface LossRequest {
  id: number;
  theta: Float64Array;
  gradient: boolean;
}

export interface LossShares {
  id: number;
  losses: Float64Array;
  /** configs x parameters, row by row; null for a loss-only request. */
  gradients: Float64Array | null;
}

export interface LossFunctions {
  lossAndGradient(theta: Float64Array): Promise<LossAndGradient>;
  lossOnly(theta: Float64Array): Promise<number>;
  close(): Promise<void>;
  threads: number;
}

/** Contiguous slices with about equal atom counts (the cost of a configuration grows with its atoms). */
export function sliceByAtoms(atomCounts: number[], parts: number): number[] {
  const total = atomCounts.reduce((s, n) => s + n, 0);
  const bounds = [0];
  let acc = 0;
  for (let k = 0; k < atomCounts.length; k++) {
    acc += atomCounts[k];
    const left = atomCounts.length - (k + 1);
    const partsLeft = parts - bounds.length;
    if (partsLeft > 0 && acc >= (total * bounds.length) / parts && left >= partsLeft) bounds.push(k + 1);
  }
  while (bounds.length < parts) bounds.push(atomCounts.length);
  bounds.push(atomCounts.length);
  return bounds;
}

export function lossFunctions(
  base: MtpModel,
  data: LabelledConfiguration[],
  threads: number,
  weights = MLIP_WEIGHTS,
): LossFunctions {
  const n = Math.max(1, Math.min(threads, data.length));
  if (n === 1)
    return {
      threads: 1,
      lossAndGradient: async (theta) => lossAndGradient(withParameters(base, theta), data, weights),
      lossOnly: async (theta) => lossOnly(withParameters(base, theta), data, weights),
      close: async () => {},
    };
  const bounds = sliceByAtoms(
    data.map((c) => c.types.length),
    n,
  );
  const entry = new URL('./loss-worker-entry.mjs', import.meta.url);
  const workers = Array.from(
    { length: n },
    (_, w) => new Worker(entry, { workerData: { base, weights, configs: data.slice(bounds[w], bounds[w + 1]) } }),
  );
  let nextId = 0;
  const ask = (theta: Float64Array, gradient: boolean): Promise<LossShares[]> => {
    const id = nextId++;
    return Promise.all(
      workers.map(
        (w) =>
          new Promise<LossShares>((resolve, reject) => {
            const onMessage = (r: LossShares) => {
              if (r.id !== id) return;
              w.off('message', onMessage);
              w.off('error', reject);
              resolve(r);
            };
            w.on('message', onMessage);
            w.once('error', reject);
            const req: LossRequest = { id, theta, gradient };
            w.postMessage(req);
          }),
      ),
    );
  };
  return {
    threads: n,
    async lossAndGradient(theta) {
      const parts = await ask(theta, true);
      const P = theta.length;
      const shares = parts.flatMap((r) =>
        Array.from(r.losses, (loss, k) => ({ loss, gradient: r.gradients!.subarray(k * P, (k + 1) * P) })),
      );
      return sumShares(shares);
    },
    async lossOnly(theta) {
      const parts = await ask(theta, false);
      let loss = 0;
      for (const r of parts) for (const v of r.losses) loss += v;
      return loss;
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
