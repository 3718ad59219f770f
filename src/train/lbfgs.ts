/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, alg. 7.4 and 7.5) with a backtracking line search on
 * the Armijo condition. Stops after `maxIterations`, or when the loss fell by less than a factor `tolerance` over
 * `window` iterations (MLIP's stopping rule: 1e-3 over 50 iterations).
 */
import type { LossAndGradient } from './gradient.ts';

export interface LbfgsOptions {
  maxIterations?: number;
  memory?: number;
  tolerance?: number;
  window?: number;
  onIteration?: (iteration: number, loss: number) => void;
}

/** Loss and gradient may come back later (from worker threads), so the loop awaits them. */
export async function lbfgs(
  f: (x: Float64Array) => LossAndGradient | Promise<LossAndGradient>,
  x0: Float64Array,
  lossOnly: (x: Float64Array) => number | Promise<number>,
  o: LbfgsOptions = {},
): Promise<{ x: Float64Array; loss: number; iterations: number }> {
  const m = o.memory ?? 10;
  const maxIt = o.maxIterations ?? 1000;
  const window = o.window ?? 50;
  const tol = o.tolerance ?? 1e-3;
  let x = Float64Array.from(x0);
  let { loss, gradient: g } = await f(x);
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const history: number[] = [loss];
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
  let it = 0;
  for (; it < maxIt; it++) {
    // two-loop recursion: d = -H g
    const q = Float64Array.from(g);
    const alphas: number[] = [];
    for (let k = sList.length - 1; k >= 0; k--) {
      const rho = 1 / dot(yList[k], sList[k]);
      const a = rho * dot(sList[k], q);
      alphas.push(a);
      for (let i = 0; i < q.length; i++) q[i] -= a * yList[k][i];
    }
    let gamma = 1;
    if (sList.length > 0)
      gamma =
        dot(sList[sList.length - 1], yList[yList.length - 1]) / dot(yList[yList.length - 1], yList[yList.length - 1]);
    else gamma = 1 / Math.max(1e-12, Math.sqrt(dot(g, g)));
    for (let i = 0; i < q.length; i++) q[i] *= gamma;
    for (let k = 0; k < sList.length; k++) {
      const rho = 1 / dot(yList[k], sList[k]);
      const b = rho * dot(yList[k], q);
      const a = alphas[sList.length - 1 - k];
      for (let i = 0; i < q.length; i++) q[i] += sList[k][i] * (a - b);
    }
    const d = q.map((v) => -v);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // not a descent direction: restart from steepest descent
      sList.length = 0;
      yList.length = 0;
      for (let i = 0; i < d.length; i++) d[i] = -g[i] / Math.max(1e-12, Math.sqrt(dot(g, g)));
      slope = dot(g, d);
    }
    let step = 1;
    let trial = x.map((v, i) => v + step * d[i]);
    let trialLoss = await lossOnly(trial);
    while (!(trialLoss <= loss + 1e-4 * step * slope) && step > 1e-12) {
      step *= 0.5;
      trial = x.map((v, i) => v + step * d[i]);
      trialLoss = await lossOnly(trial);
    }
    if (!(trialLoss < loss)) break;
    const next = await f(trial);
    const s = trial.map((v, i) => v - x[i]);
    const y = next.gradient.map((v, i) => v - g[i]);
    if (dot(s, y) > 1e-16) {
      sList.push(s);
      yList.push(y);
      if (sList.length > m) {
        sList.shift();
        yList.shift();
      }
    }
    x = trial;
    loss = next.loss;
    g = next.gradient;
    history.push(loss);
    o.onIteration?.(it + 1, loss);
    if (history.length > window && loss > (1 - tol) * history[history.length - 1 - window]) break;
  }
  return { x, loss, iterations: it };
}
