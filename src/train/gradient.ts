/**
 * Derivatives for the nonlinear fit. The parameter vector is [species_coeffs (S), moment_coeffs (K),
 * radial_coeffs (S*S*R*Q, in the model's layout)].
 *
 * dE/dtheta is analytic: linear in species and moment coefficients, and for a radial coefficient c^{ab}_{mu q}
 * sum over atoms i of type a and neighbours j of type b of phi_q(r_ij) sum_{basic moments with mu} dE_i/dM * P(u_ij).
 * The force and stress terms of the loss need derivatives of forces and virials by theta; since F = -dE/dr, the
 * loss needs only sum_k dF_k * dF_k/dtheta = -D_v (dE/dtheta) along v = dF (the force residuals), a directional
 * derivative of the analytic dE/dtheta that is taken by a central difference in positions (and likewise in strain
 * for the stress). Checked against finite differences of the loss in the tests.
 */
import { applyStrain } from '../model/cell.ts';
import type { Configuration } from '../model/configuration.ts';
import { buildNeighborList } from '../model/neighbors.ts';
import type { MtpModel } from '../potential/mtp/model.ts';
import { chebyshevRadialBasis, evaluateMtp } from '../potential/mtp/reference.ts';
import { plusStressOf } from '../potential/types.ts';
import { configWeights, type LabelledConfiguration, MLIP_WEIGHTS } from './linear-fit.ts';

export function parameterVector(m: MtpModel): Float64Array {
  return Float64Array.from([...m.speciesCoeffs, ...m.momentCoeffs, ...m.radialCoeffs]);
}

export function withParameters(m: MtpModel, theta: ArrayLike<number>): MtpModel {
  const S = m.speciesCount;
  const K = m.mapping.length;
  return {
    ...m,
    speciesCoeffs: Float64Array.from({ length: S }, (_, i) => theta[i]),
    momentCoeffs: Float64Array.from({ length: K }, (_, i) => theta[S + i]),
    radialCoeffs: Float64Array.from({ length: m.radialCoeffs.length }, (_, i) => theta[S + K + i]),
  };
}

/** dE/dtheta of one configuration (analytic). */
export function energyGradient(m: MtpModel, c: Configuration): Float64Array {
  const S = m.speciesCount;
  const K = m.mapping.length;
  const { radialFuncsCount: R, radialBasisSize: Q, basicCount: NB, maxPower: PMAX } = m;
  const g = new Float64Array(S + K + m.radialCoeffs.length);
  const nl = buildNeighborList(c.positions, c.cell, m.maxDist);
  const phi = new Float64Array(Q);
  const dphi = new Float64Array(Q);
  const w = PMAX + 1;
  const pw = new Float64Array(3 * w);
  evaluateMtp(
    m,
    c.types,
    nl,
    (i, moments) => {
      g[c.types[i]] += 1;
      for (let k = 0; k < K; k++) g[S + k] += moments[m.mapping[k]];
    },
    (i, grad) => {
      const a = c.types[i];
      for (let e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
        const dx = nl.vectors[3 * e];
        const dy = nl.vectors[3 * e + 1];
        const dz = nl.vectors[3 * e + 2];
        const r = Math.sqrt(dx * dx + dy * dy + dz * dz);
        chebyshevRadialBasis(m, r, phi, dphi);
        pw[0] = 1;
        pw[w] = 1;
        pw[2 * w] = 1;
        for (let k = 1; k <= PMAX; k++) {
          pw[k] = (pw[k - 1] * dx) / r;
          pw[w + k] = (pw[w + k - 1] * dy) / r;
          pw[2 * w + k] = (pw[2 * w + k - 1] * dz) / r;
        }
        const base = S + K + (a * S + c.types[nl.index[e]]) * R * Q;
        for (let b = 0; b < NB; b++) {
          const G = grad[b];
          if (G === 0) continue;
          const mu = m.basic[4 * b];
          const P = pw[m.basic[4 * b + 1]] * pw[w + m.basic[4 * b + 2]] * pw[2 * w + m.basic[4 * b + 3]];
          const off = base + mu * Q;
          for (let q = 0; q < Q; q++) g[off + q] += G * P * phi[q];
        }
      }
    },
  );
  return g;
}

export interface LossAndGradient {
  loss: number;
  gradient: Float64Array;
}

/**
 * MLIP's loss (per-atom energy and stress scaling) and its gradient by every parameter, summed over configurations in
 * their order: each configuration's share is computed on its own and added in turn, so that a split of the data over
 * worker threads (src/cli/loss-pool.ts) adds the same numbers in the same order and gives bit-identical fits.
 */
export function lossAndGradient(
  m: MtpModel,
  data: LabelledConfiguration[],
  weights = MLIP_WEIGHTS,
  h = 1e-4,
): LossAndGradient {
  return sumShares(data.map((c) => configLossAndGradient(m, c, weights, h)));
}

/** Adds per-configuration shares in order (the one place where shares are summed). */
export function sumShares(shares: LossAndGradient[]): LossAndGradient {
  const gradient = new Float64Array(shares[0]?.gradient.length ?? 0);
  let loss = 0;
  for (const s of shares) {
    loss += s.loss;
    for (let p = 0; p < gradient.length; p++) gradient[p] += s.gradient[p];
  }
  return { loss, gradient };
}

/** One configuration's share of the loss and of its gradient. */
export function configLossAndGradient(
  m: MtpModel,
  c: LabelledConfiguration,
  baseWeights = MLIP_WEIGHTS,
  h = 1e-4,
): LossAndGradient {
  const weights = configWeights(baseWeights, c);
  const P = m.speciesCount + m.mapping.length + m.radialCoeffs.length;
  const gradient = new Float64Array(P);
  let loss = 0;
  const n = c.types.length;
  const nl = buildNeighborList(c.positions, c.cell, m.maxDist);
  const r = evaluateMtp(m, c.types, nl);
  const dE = (r.energy - c.energy) / n;
  loss += weights.energy * dE * dE;
  const dF = r.forces.map((f, k) => f - c.forces[k]);
  for (const v of dF) loss += weights.force * v * v;
  const gE = energyGradient(m, c);
  for (let p = 0; p < P; p++) gradient[p] += (2 * weights.energy * dE * gE[p]) / n;
  // forces: sum_k dF_k dF_k/dtheta = -D_{dF} (dE/dtheta), central difference along the residual direction
  const norm = Math.sqrt(dF.reduce((s, v) => s + v * v, 0));
  if (norm > 0) {
    const step = h / norm;
    const plus = energyGradient(m, { ...c, positions: c.positions.map((x, k) => x + step * dF[k]) });
    const minus = energyGradient(m, { ...c, positions: c.positions.map((x, k) => x - step * dF[k]) });
    for (let p = 0; p < P; p++) gradient[p] += -2 * weights.force * ((plus[p] - minus[p]) / (2 * step));
  }
  if (c.plusStress && c.cell) {
    const ps = plusStressOf(r.virial);
    const dS = ps.map((v, k) => (v - c.plusStress![k]) / n);
    for (const v of dS) loss += weights.stress * v * v;
    // virial W_ab = -dE/d eps_ab (symmetric); sum_k dS_k dS_k/dtheta = -(1/n) D_eps (dE/dtheta), eps from dS
    const eps = new Float64Array(9);
    const map = [0, 4, 8, 5, 2, 1];
    dS.forEach((v, k) => {
      const ab = map[k];
      if (k < 3) eps[ab] += v;
      else {
        const [a, b] = [Math.floor(ab / 3), ab % 3];
        eps[3 * a + b] += v / 2;
        eps[3 * b + a] += v / 2;
      }
    });
    const en = Math.sqrt(eps.reduce((s, v) => s + v * v, 0));
    if (en > 0) {
      const st = h / en;
      const strained = (sgn: number): Configuration => {
        const e = eps.map((v) => sgn * st * v);
        return {
          ...c,
          positions: applyStrain(c.positions, e),
          cell: { ...c.cell!, lattice: applyStrain(c.cell!.lattice, e) },
        };
      };
      const plus = energyGradient(m, strained(1));
      const minus = energyGradient(m, strained(-1));
      for (let p = 0; p < P; p++) gradient[p] += (-2 * weights.stress * ((plus[p] - minus[p]) / (2 * st))) / n;
    }
  }
  return { loss, gradient };
}

/** The loss alone (for line searches and finite-difference checks), summed over configurations in order. */
export function lossOnly(m: MtpModel, data: LabelledConfiguration[], weights = MLIP_WEIGHTS): number {
  let loss = 0;
  for (const c of data) loss += configLoss(m, c, weights);
  return loss;
}

/** One configuration's share of the loss. */
export function configLoss(m: MtpModel, c: LabelledConfiguration, baseWeights = MLIP_WEIGHTS): number {
  const weights = configWeights(baseWeights, c);
  let loss = 0;
  const n = c.types.length;
  const r = evaluateMtp(m, c.types, buildNeighborList(c.positions, c.cell, m.maxDist));
  loss += weights.energy * ((r.energy - c.energy) / n) ** 2;
  r.forces.forEach((f, k) => {
    loss += weights.force * (f - c.forces[k]) ** 2;
  });
  if (c.plusStress) {
    const ps = plusStressOf(r.virial);
    ps.forEach((v, k) => {
      loss += weights.stress * ((v - c.plusStress![k]) / n) ** 2;
    });
  }
  return loss;
}
