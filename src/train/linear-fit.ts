/**
 * Fitting the linear parameters of an MTP (species_coeffs and moment_coeffs) for fixed radial coefficients, by
 * regularised least squares on energies, forces and stresses with MLIP's default weights and per-atom scaling:
 *   loss = sum_c [ w_E ((E - E_ref)/N)^2 + w_F sum |F - F_ref|^2 + w_S sum ((S - S_ref)/N)^2 ],
 *   w_E = 1, w_F = 0.01 A^2, w_S = 0.001 (S as MLIP's PlusStress, eV).
 * Energy, forces and virial are linear in those parameters, so each column of the design matrix is one evaluation
 * with a unit coefficient. This is the first stage of MLIP's training; the nonlinear fit of the radial coefficients
 * (L-BFGS) is not here yet.
 */

import type { MtpFile } from '../io/mtp.ts';
import { volume } from '../model/cell.ts';
import type { Configuration } from '../model/configuration.ts';
import { choleskySolve } from '../model/linalg.ts';
import { buildNeighborList } from '../model/neighbors.ts';
import { EV_A3_TO_GPA } from '../model/units.ts';
import { compileMtp, type MtpModel } from '../potential/mtp/model.ts';
import { evaluateMtp } from '../potential/mtp/reference.ts';
import { plusStressOf } from '../potential/types.ts';

export const MLIP_WEIGHTS = { energy: 1, force: 0.01, stress: 0.001 };

/** The loss weights of one configuration: the global ones times its own relative weights. */
export function configWeights(
  w: typeof MLIP_WEIGHTS,
  c: { weight?: number; energyWeight?: number },
): typeof MLIP_WEIGHTS {
  const f = c.weight ?? 1;
  const e = c.energyWeight ?? 1;
  return f === 1 && e === 1 ? w : { energy: f * e * w.energy, force: f * w.force, stress: f * w.stress };
}

export interface LabelledConfiguration extends Configuration {
  energy: number;
  forces: Float64Array;
  plusStress?: Float64Array;
  /** Relative weight of the whole configuration in the loss (all three terms); 1 when absent. Lets a fit keep
   * configurations far from equilibrium (contacts, hot frames) without their large forces ruling the force term. */
  weight?: number;
  /**
   * Relative weight of its energy term alone; 1 when absent. A bicrystal's energy carries its boundary energy, and in
   * MLIP's loss, per atom, it counts as one number against the 3N force components of a cell of several hundred atoms.
   */
  energyWeight?: number;
  /**
   * Atoms the data marks (a per-atom `selected` column): in a neighbourhood cell the atom it was cut around, whose
   * surroundings are the boundary's; validation reports their force errors apart.
   */
  selected?: Uint8Array;
}

/** Design-matrix blocks of one configuration: columns = species counts then basis functions. */
export interface ConfigColumns {
  n: number;
  /** E = energyRow . params */
  energyRow: Float64Array;
  /** forces (3N rows) x params, column-major per parameter */
  forceCols: Float64Array[];
  /** PlusStress (6 rows) x params */
  stressCols: Float64Array[];
}

export function parameterCount(model: MtpModel): number {
  return model.speciesCount + model.mapping.length;
}

/** The columns of one configuration: one evaluation per basis function (coefficient 1, all others 0). */
export function configColumns(template: MtpModel, c: Configuration): ConfigColumns {
  const n = c.types.length;
  const S = template.speciesCount;
  const K = template.mapping.length;
  const nl = buildNeighborList(c.positions, c.cell, template.maxDist);
  const energyRow = new Float64Array(S + K);
  for (const t of c.types) energyRow[t] += 1;
  const forceCols: Float64Array[] = [];
  const stressCols: Float64Array[] = [];
  for (let s = 0; s < S; s++) {
    forceCols.push(new Float64Array(3 * n));
    stressCols.push(new Float64Array(6));
  }
  for (let k = 0; k < K; k++) {
    const unit: MtpModel = {
      ...template,
      speciesCoeffs: new Float64Array(S),
      momentCoeffs: Float64Array.from({ length: K }, (_, j) => (j === k ? 1 : 0)),
    };
    const r = evaluateMtp(unit, c.types, nl);
    energyRow[S + k] = r.energy;
    forceCols.push(r.forces);
    stressCols.push(plusStressOf(r.virial));
  }
  return { n, energyRow, forceCols, stressCols };
}

/** MAE, RMSE and largest absolute error; `mean` is the signed mean (potential minus reference), the bias. */
export interface ErrorSummary {
  mae: number;
  rmse: number;
  max: number;
  mean: number;
}

export interface FitErrors {
  energyMeVPerAtom: ErrorSummary;
  forceMeVPerA: ErrorSummary;
  stressGPa: ErrorSummary | null;
  /** Force components of the atoms the data marks as selected (a neighbourhood cell's chosen atoms); null if none. */
  selectedForceMeVPerA: ErrorSummary | null;
  configurations: number;
}

function summary(errs: number[]): ErrorSummary {
  if (errs.length === 0) return { mae: Number.NaN, rmse: Number.NaN, max: Number.NaN, mean: Number.NaN };
  return {
    mean: errs.reduce((s, e) => s + e, 0) / errs.length,
    mae: errs.reduce((s, e) => s + Math.abs(e), 0) / errs.length,
    rmse: Math.sqrt(errs.reduce((s, e) => s + e * e, 0) / errs.length),
    max: Math.max(...errs.map(Math.abs)),
  };
}

/** Errors of a potential on labelled data, as MLIP's calc-errors reports them (energy per atom, force components, stress). */
export function fitErrors(model: MtpModel, data: LabelledConfiguration[]): FitErrors {
  const e: number[] = [];
  const f: number[] = [];
  const s: number[] = [];
  const fs: number[] = [];
  for (const c of data) {
    const nl = buildNeighborList(c.positions, c.cell, model.maxDist);
    const r = evaluateMtp(model, c.types, nl);
    const n = c.types.length;
    e.push(((r.energy - c.energy) / n) * 1000);
    r.forces.forEach((v, k) => {
      f.push((v - c.forces[k]) * 1000);
      if (c.selected?.[Math.floor(k / 3)]) fs.push((v - c.forces[k]) * 1000);
    });
    if (c.plusStress && c.cell) {
      const ps = plusStressOf(r.virial);
      const vol = volume(c.cell);
      ps.forEach((v, k) => {
        s.push(((v - c.plusStress![k]) / vol) * EV_A3_TO_GPA);
      });
    }
  }
  return {
    energyMeVPerAtom: summary(e),
    forceMeVPerA: summary(f),
    stressGPa: s.length ? summary(s) : null,
    selectedForceMeVPerA: fs.length ? summary(fs) : null,
    configurations: data.length,
  };
}

/** Fits species_coeffs and moment_coeffs; returns the template with them filled in. */
export function fitLinear(
  template: MtpFile,
  data: LabelledConfiguration[],
  options: { weights?: typeof MLIP_WEIGHTS; regularisation?: number } = {},
): MtpFile {
  if (!template.radialCoeffs)
    throw new Error('the linear fit needs radial coefficients (initialise the template first)');
  const base: MtpFile = {
    ...template,
    speciesCoeffs: template.speciesCoeffs ?? new Array(template.speciesCount).fill(0),
    momentCoeffs: template.momentCoeffs ?? new Array(template.alphaMomentMapping.length).fill(0),
  };
  const model = compileMtp(base);
  const P = parameterCount(model);
  const w = options.weights ?? MLIP_WEIGHTS;
  const AtA = new Float64Array(P * P);
  const Atb = new Float64Array(P);
  const addRow = (row: ArrayLike<number>, target: number, weight: number) => {
    for (let i = 0; i < P; i++) {
      const ri = row[i] * weight;
      if (ri === 0) continue;
      Atb[i] += ri * target;
      for (let j = 0; j < P; j++) AtA[i * P + j] += ri * row[j];
    }
  };
  const row = new Float64Array(P);
  for (const c of data) {
    const cols = configColumns(model, c);
    const cw = configWeights(w, c);
    addRow(
      cols.energyRow.map((v) => v / cols.n),
      c.energy / cols.n,
      cw.energy,
    );
    for (let k = 0; k < 3 * cols.n; k++) {
      for (let p = 0; p < P; p++) row[p] = cols.forceCols[p][k];
      addRow(row, c.forces[k], cw.force);
    }
    if (c.plusStress) {
      for (let k = 0; k < 6; k++) {
        for (let p = 0; p < P; p++) row[p] = cols.stressCols[p][k] / cols.n;
        addRow(row, c.plusStress[k] / cols.n, cw.stress);
      }
    }
  }
  let trace = 0;
  for (let i = 0; i < P; i++) trace += AtA[i * P + i];
  const x = choleskySolve(AtA, Atb, P, (options.regularisation ?? 1e-10) * (trace / P));
  return {
    ...base,
    speciesCoeffs: Array.from(x.subarray(0, model.speciesCount)),
    momentCoeffs: Array.from(x.subarray(model.speciesCount)),
  };
}
