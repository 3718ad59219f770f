/**
 * Worker thread of the training loss pool: holds its slice of the training data and answers, for each parameter
 * vector it is sent, every configuration's share of the loss (and of its gradient) in the slice's order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MtpModel } from '../potential/mtp/model.ts';
import { configLoss, configLossAndGradient, withParameters } from '../train/gradient.ts';
import type { LabelledConfiguration, MLIP_WEIGHTS } from '../train/linear-fit.ts';
import type { LossRequest, LossShares } from './loss-pool.ts';

const { base, weights, configs } = workerData as {
  base: MtpModel;
  weights: typeof MLIP_WEIGHTS;
  configs: LabelledConfiguration[];
};

parentPort?.on('message', (req: LossRequest) => {
  const m = withParameters(base, req.theta);
  const losses = new Float64Array(configs.length);
  const P = req.theta.length;
  const gradients = req.gradient ? new Float64Array(configs.length * P) : null;
  for (let k = 0; k < configs.length; k++) {
    if (gradients) {
      const s = configLossAndGradient(m, configs[k], weights);
      losses[k] = s.loss;
      gradients.set(s.gradient, k * P);
    } else losses[k] = configLoss(m, configs[k], weights);
  }
  const reply: LossShares = { id: req.id, losses, gradients };
  parentPort?.postMessage(reply, gradients ? [losses.buffer, gradients.buffer] : [losses.buffer]);
});
