/**
 * The lab's active-set file, saved beside a potential as `NAME.mtp.als.json` (JSON, so any tool can read it):
 *   format: "lilab-active-set-1"
 *   potential: the .mtp file name it belongs to; parameters: K (species + moment coefficients)
 *   level: "neighbourhood" (rows are atomic neighbourhoods)
 *   columns: the R parameters the active set works in, where some depend on others (level 16 on; maxvol.ts);
 *            absent: all K
 *   rows: R x R selected rows (row-major), the derivatives of site energies by those parameters
 *   sources: for each row, the training configuration and atom it came from
 * The grade of a new neighbourhood x is max_j |(x A^-1)_j| with A = rows and x read at `columns` (A^-1 recomputed on
 * load).
 */
import { invert } from '../model/linalg.ts';
import type { ActiveSet } from './maxvol.ts';

export interface ActiveSetFile {
  format: 'lilab-active-set-1';
  potential: string;
  parameters: number;
  level: 'neighbourhood';
  columns?: number[];
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
    ...(a.columns.length < a.k ? { columns: a.columns } : {}),
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
  const columns = data.columns ?? Array.from({ length: k }, (_, i) => i);
  if (!Array.isArray(columns) || columns.some((c, i) => !Number.isInteger(c) || c < 0 || c >= k || c <= columns[i - 1]))
    throw new Error(`${file}: columns must be increasing parameter indices below ${k}`);
  const n = columns.length;
  if (!Array.isArray(data.rows) || data.rows.length !== n * n)
    throw new Error(`${file}: expected ${n * n} numbers in rows`);
  const rows = Float64Array.from(data.rows);
  return { rows, k, columns, inverse: invert(rows, n), selected: data.sources.map((_, i) => i) };
}
