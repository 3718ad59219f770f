/**
 * The lab's active-set file, saved beside a potential as `NAME.mtp.als.json` (JSON, so any tool can read it):
 *   format: "lilab-active-set-1"
 *   potential: the .mtp file name it belongs to; parameters: K (species + moment coefficients)
 *   level: "neighbourhood" (rows are atomic neighbourhoods)
 *   rows: K x K selected rows (row-major), the derivatives of site energies by the linear parameters
 *   sources: for each row, the training configuration and atom it came from
 * The grade of a new neighbourhood x is max_j |(x A^-1)_j| with A = rows (recomputed on load).
 */
import { invert } from '../model/linalg.ts';
import type { ActiveSet } from './maxvol.ts';

export interface ActiveSetFile {
  format: 'lilab-active-set-1';
  potential: string;
  parameters: number;
  level: 'neighbourhood';
  rows: number[];
  sources: { configuration: number; atom: number }[];
}

export function toActiveSetFile(
  a: ActiveSet,
  potential: string,
  sourceOf: (row: number) => { configuration: number; atom: number },
): ActiveSetFile {
  return {
    format: 'lilab-active-set-1',
    potential,
    parameters: a.k,
    level: 'neighbourhood',
    rows: Array.from(a.rows),
    sources: a.selected.map(sourceOf),
  };
}

export function fromActiveSetFile(text: string, file: string): ActiveSet {
  let data: ActiveSetFile;
  try {
    data = JSON.parse(text) as ActiveSetFile;
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message})`);
  }
  if (data.format !== 'lilab-active-set-1')
    throw new Error(`${file}: not a LiLab active-set file (format '${String(data.format)}')`);
  const k = data.parameters;
  if (!Array.isArray(data.rows) || data.rows.length !== k * k)
    throw new Error(`${file}: expected ${k * k} numbers in rows`);
  const rows = Float64Array.from(data.rows);
  return { rows, k, inverse: invert(rows, k), selected: data.sources.map((_, i) => i) };
}
