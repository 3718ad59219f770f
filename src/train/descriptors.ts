/**
 * Rows for active learning: the derivatives of an energy by the potential's linear parameters (species coefficients,
 * then moment coefficients). Per neighbourhood: [one-hot species of atom i, B_k(i)]; per configuration: the sum over
 * its atoms.
 */
import type { Configuration } from '../model/configuration.ts';
import { buildNeighborList } from '../model/neighbors.ts';
import type { MtpModel } from '../potential/mtp/model.ts';
import { basisMatrix } from '../potential/mtp/reference.ts';
import { type ActiveSet, grade, maxvol } from './maxvol.ts';

export function neighbourhoodRows(model: MtpModel, c: Configuration): Float64Array {
  const S = model.speciesCount;
  const K = model.mapping.length;
  const n = c.types.length;
  const B = basisMatrix(model, c.types, buildNeighborList(c.positions, c.cell, model.maxDist));
  const rows = new Float64Array(n * (S + K));
  for (let i = 0; i < n; i++) {
    rows[i * (S + K) + c.types[i]] = 1;
    rows.set(B.subarray(i * K, (i + 1) * K), i * (S + K) + S);
  }
  return rows;
}

export function configurationRow(model: MtpModel, c: Configuration): Float64Array {
  const P = model.speciesCount + model.mapping.length;
  const per = neighbourhoodRows(model, c);
  const row = new Float64Array(P);
  for (let i = 0; i < c.types.length; i++) for (let p = 0; p < P; p++) row[p] += per[i * P + p];
  return row;
}

/**
 * The MaxVol active set over every atomic neighbourhood of `configs`, and where each selected row came from. Throws
 * when the neighbourhoods do not span all linear parameters.
 */
export function neighbourhoodActiveSet(
  model: MtpModel,
  configs: Configuration[],
  tolerance = 1e-3,
): { active: ActiveSet; source: (row: number) => { configuration: number; atom: number } } {
  const P = model.speciesCount + model.mapping.length;
  const rows = configs.map((c) => neighbourhoodRows(model, c));
  const m = rows.reduce((s, r) => s + r.length / P, 0);
  const all = new Float64Array(m * P);
  const origin: { configuration: number; atom: number }[] = [];
  let at = 0;
  rows.forEach((r, c) => {
    all.set(r, at * P);
    for (let i = 0; i < r.length / P; i++) origin.push({ configuration: c, atom: i });
    at += r.length / P;
  });
  return { active: maxvol(all, m, P, tolerance), source: (row) => origin[row] };
}

/** Extrapolation grade of every atom of a configuration against an active set (<= 1 inside its span). */
export function atomGrades(model: MtpModel, active: ActiveSet, c: Configuration): Float64Array {
  const P = active.k;
  const rows = neighbourhoodRows(model, c);
  return Float64Array.from({ length: c.types.length }, (_, i) => grade(active, rows.subarray(i * P, (i + 1) * P)));
}
