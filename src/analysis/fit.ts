/** Ordinary least squares for y = a + b x (optionally weighted by 1/sigma^2), with the parameter covariance. */
export interface LineFit {
  intercept: number;
  slope: number;
  /** Standard errors (from the weights when given, else from the residual scatter). */
  interceptError: number;
  slopeError: number;
  covariance: number;
  n: number;
}

export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>, sigma?: ArrayLike<number>): LineFit {
  const n = x.length;
  if (n < 2) throw new Error('a line fit needs at least two points');
  let sw = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const w = sigma ? 1 / (sigma[i] * sigma[i]) : 1;
    sw += w;
    sx += w * x[i];
    sy += w * y[i];
    sxx += w * x[i] * x[i];
    sxy += w * x[i] * y[i];
  }
  const det = sw * sxx - sx * sx;
  if (det === 0) throw new Error('degenerate line fit (all x equal)');
  const slope = (sw * sxy - sx * sy) / det;
  const intercept = (sxx * sy - sx * sxy) / det;
  // covariance of (a, b): [sxx, -sx; -sx, sw] / det, scaled by the residual variance when unweighted
  let scale = 1;
  if (!sigma) {
    let rss = 0;
    for (let i = 0; i < n; i++) rss += (y[i] - intercept - slope * x[i]) ** 2;
    scale = n > 2 ? rss / (n - 2) : 0;
  }
  return {
    intercept,
    slope,
    interceptError: Math.sqrt((scale * sxx) / det),
    slopeError: Math.sqrt((scale * sw) / det),
    covariance: (-scale * sx) / det,
    n,
  };
}

/** Two-sided 95% quantile of Student's t with `dof` degrees of freedom (table, then the normal limit). */
export function studentT95(dof: number): number {
  const table = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  ];
  if (dof < 1) return Number.POSITIVE_INFINITY;
  if (dof <= table.length) return table[dof - 1];
  return 1.96 + 2.5 / dof;
}
