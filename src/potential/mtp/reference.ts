/**
 * Float64 reference evaluator of an MTP, following test/fixtures/mtp/SPEC.md term by term. It is the yardstick for the
 * WebGPU kernels and the engine of `lilab calc-efs --backend cpu`; clarity wins over speed here, but it avoids
 * per-pair allocations so a 2,000-atom cell evaluates in well under a second.
 */
import type { Configuration } from '../../model/configuration.ts';
import { buildNeighborList, type NeighborList } from '../../model/neighbors.ts';
import type { EfsResult, Potential } from '../types.ts';
import type { MtpModel } from './model.ts';

/** phi_q(r) and dphi_q/dr for q < Q into `phi`/`dphi` (SPEC: Chebyshev polynomials times (r - max_dist)^2). */
export function chebyshevRadialBasis(model: MtpModel, r: number, phi: Float64Array, dphi: Float64Array): void {
  const { minDist, maxDist, scaling, radialBasisSize: Q } = model;
  const x = (2 * r - (minDist + maxDist)) / (maxDist - minDist);
  const dxdr = 2 / (maxDist - minDist);
  const c = (r - maxDist) * (r - maxDist);
  const dc = 2 * (r - maxDist);
  let t0 = 1;
  let dt0 = 0;
  let t1 = x;
  let dt1 = 1;
  phi[0] = scaling * c;
  dphi[0] = scaling * dc;
  if (Q > 1) {
    phi[1] = scaling * x * c;
    dphi[1] = scaling * (dxdr * c + x * dc);
  }
  for (let q = 2; q < Q; q++) {
    const t2 = 2 * x * t1 - t0;
    const dt2 = 2 * t1 + 2 * x * dt1 - dt0;
    phi[q] = scaling * t2 * c;
    dphi[q] = scaling * (dt2 * dxdr * c + t2 * dc);
    t0 = t1;
    dt0 = dt1;
    t1 = t2;
    dt1 = dt2;
  }
}

export class ReferenceMtp implements Potential {
  readonly name: string;
  readonly cutoff: number;
  readonly speciesCount: number;

  constructor(readonly model: MtpModel) {
    this.name = `MTP ${model.name} (float64 reference)`;
    this.cutoff = model.maxDist;
    this.speciesCount = model.speciesCount;
  }

  compute(config: Configuration): EfsResult {
    const nl = buildNeighborList(config.positions, config.cell, this.model.maxDist);
    return evaluateMtp(this.model, config.types, nl);
  }
}

/** Per-atom basis values B_k (the scalar moments of `mapping`), as rows of an N x K matrix: for fitting and grades. */
export function basisMatrix(model: MtpModel, types: Int32Array, nl: NeighborList): Float64Array {
  const K = model.mapping.length;
  const out = new Float64Array(types.length * K);
  evaluateMtp(model, types, nl, (i, moments) => {
    for (let k = 0; k < K; k++) out[i * K + k] = moments[model.mapping[k]];
  });
  return out;
}

export function evaluateMtp(
  model: MtpModel,
  types: Int32Array,
  nl: NeighborList,
  onMoments?: (atom: number, moments: Float64Array) => void,
  /** After back-propagation: dE_i/dM for every moment of atom i (the first basicCount are the basic moments). */
  onBasicGradient?: (atom: number, grad: Float64Array) => void,
): EfsResult {
  const n = types.length;
  const { speciesCount: S, radialFuncsCount: R, radialBasisSize: Q, basicCount: NB, maxPower: PMAX } = model;
  for (let i = 0; i < n; i++) {
    if (types[i] < 0 || types[i] >= S) {
      throw new Error(`atom ${i + 1} has species type ${types[i]}, but the potential has ${S} species (0..${S - 1})`);
    }
  }
  const forces = new Float64Array(3 * n);
  const atomEnergies = new Float64Array(n);
  const virial = new Float64Array(9);
  const moments = new Float64Array(model.momentsCount);
  const grad = new Float64Array(model.momentsCount);
  const phi = new Float64Array(Q);
  const dphi = new Float64Array(Q);
  const pw = new Float64Array(3 * (PMAX + 1));

  let maxNeigh = 0;
  for (let i = 0; i < n; i++) maxNeigh = Math.max(maxNeigh, nl.offsets[i + 1] - nl.offsets[i]);
  const f = new Float64Array(maxNeigh * R);
  const df = new Float64Array(maxNeigh * R);

  let energy = 0;
  for (let i = 0; i < n; i++) {
    const a = types[i];
    const start = nl.offsets[i];
    const count = nl.offsets[i + 1] - start;
    moments.fill(0);
    // Pass 1: radial functions per neighbour, and the basic moments.
    for (let s = 0; s < count; s++) {
      const e = start + s;
      const j = nl.index[e];
      const dx = nl.vectors[3 * e];
      const dy = nl.vectors[3 * e + 1];
      const dz = nl.vectors[3 * e + 2];
      const r = Math.sqrt(dx * dx + dy * dy + dz * dz);
      chebyshevRadialBasis(model, r, phi, dphi);
      const base = (a * S + types[j]) * R * Q;
      for (let mu = 0; mu < R; mu++) {
        let v = 0;
        let dv = 0;
        for (let q = 0; q < Q; q++) {
          const c = model.radialCoeffs[base + mu * Q + q];
          v += c * phi[q];
          dv += c * dphi[q];
        }
        f[s * R + mu] = v;
        df[s * R + mu] = dv;
      }
      powers(pw, dx, dy, dz, PMAX);
      for (let b = 0; b < NB; b++) {
        const mu = model.basic[4 * b];
        const p = model.basic[4 * b + 1];
        const q = model.basic[4 * b + 2];
        const t = model.basic[4 * b + 3];
        const P = pw[p] * pw[PMAX + 1 + q] * pw[2 * (PMAX + 1) + t];
        moments[b] += (f[s * R + mu] * P) / r ** (p + q + t);
      }
    }
    // Contractions, in file order.
    const T = model.timesMult.length;
    for (let m = 0; m < T; m++) {
      const i0 = model.times[3 * m];
      const i1 = model.times[3 * m + 1];
      const k = model.times[3 * m + 2];
      moments[k] += model.timesMult[m] * moments[i0] * moments[i1];
    }
    let ei = model.speciesCoeffs[a];
    grad.fill(0);
    for (let k = 0; k < model.mapping.length; k++) {
      ei += model.momentCoeffs[k] * moments[model.mapping[k]];
      grad[model.mapping[k]] += model.momentCoeffs[k];
    }
    atomEnergies[i] = ei;
    energy += ei;
    onMoments?.(i, moments);
    // Back-propagate dE/dM through the contractions, last step first.
    for (let m = T - 1; m >= 0; m--) {
      const k = model.times[3 * m + 2];
      const g = grad[k];
      if (g === 0) continue;
      const i0 = model.times[3 * m];
      const i1 = model.times[3 * m + 1];
      const w = model.timesMult[m] * g;
      grad[i0] += w * moments[i1];
      grad[i1] += w * moments[i0];
    }
    onBasicGradient?.(i, grad);
    // Pass 2: dE/dr_ij per neighbour from the basic-moment gradients.
    for (let s = 0; s < count; s++) {
      const e = start + s;
      const j = nl.index[e];
      const dx = nl.vectors[3 * e];
      const dy = nl.vectors[3 * e + 1];
      const dz = nl.vectors[3 * e + 2];
      const r = Math.sqrt(dx * dx + dy * dy + dz * dz);
      powers(pw, dx, dy, dz, PMAX);
      let gx = 0;
      let gy = 0;
      let gz = 0;
      for (let b = 0; b < NB; b++) {
        const G = grad[b];
        if (G === 0) continue;
        const mu = model.basic[4 * b];
        const p = model.basic[4 * b + 1];
        const q = model.basic[4 * b + 2];
        const t = model.basic[4 * b + 3];
        const xp = pw[p];
        const yq = pw[PMAX + 1 + q];
        const zt = pw[2 * (PMAX + 1) + t];
        const P = xp * yq * zt;
        const nPow = p + q + t;
        const invRn = 1 / r ** nPow;
        const fv = f[s * R + mu];
        // d/dr_vec [ f(r) P r^-n ] = f' P r^-n (r_vec/r) + f r^-n grad P - n f P r^-(n+2) r_vec
        const radial = (df[s * R + mu] * P * invRn) / r - (nPow * fv * P * invRn) / (r * r);
        const fr = fv * invRn;
        const dPx = p > 0 ? p * pw[p - 1] * yq * zt : 0;
        const dPy = q > 0 ? q * xp * pw[PMAX + q] * zt : 0;
        const dPz = t > 0 ? t * xp * yq * pw[2 * (PMAX + 1) + t - 1] : 0;
        gx += G * (radial * dx + fr * dPx);
        gy += G * (radial * dy + fr * dPy);
        gz += G * (radial * dz + fr * dPz);
      }
      // E depends on r_ij = r_j - r_i: dE/dr_j = g, dE/dr_i = -g.
      forces[3 * i] += gx;
      forces[3 * i + 1] += gy;
      forces[3 * i + 2] += gz;
      forces[3 * j] -= gx;
      forces[3 * j + 1] -= gy;
      forces[3 * j + 2] -= gz;
      virial[0] -= gx * dx;
      virial[1] -= gx * dy;
      virial[2] -= gx * dz;
      virial[3] -= gy * dx;
      virial[4] -= gy * dy;
      virial[5] -= gy * dz;
      virial[6] -= gz * dx;
      virial[7] -= gz * dy;
      virial[8] -= gz * dz;
    }
  }
  return { energy, atomEnergies, forces, virial };
}

/** x^k, y^k, z^k for k = 0..pmax, packed as three rows of pmax+1. */
function powers(pw: Float64Array, x: number, y: number, z: number, pmax: number): void {
  const w = pmax + 1;
  pw[0] = 1;
  pw[w] = 1;
  pw[2 * w] = 1;
  for (let k = 1; k <= pmax; k++) {
    pw[k] = pw[k - 1] * x;
    pw[w + k] = pw[w + k - 1] * y;
    pw[2 * w + k] = pw[2 * w + k - 1] * z;
  }
}
