/**
 * The relaxation of a neighbourhood cell (structure/neighbourhood-cell.ts) with the potential, the cut held: the
 * atoms by FIRE and the seams' spacing by a scan of closeSeams, keeping the lowest energy. At the spacing the cutting
 * left (scale 1) the seams are open, the cell 0.7-0.98 of the boundary's density; DFT puts such cells 0.17-0.44
 * eV/atom above the crystal and the potentials that learnt from them placed boundary cells 20-80 meV/atom too low,
 * more so the sparser the cell (round 23, docs/training.md). Closing the seams gives the crystal across them the
 * spacing the potential likes best, as a relaxation of the cell along the seams would, among the spacings that close
 * the cell to at least SEAM_MIN_DENSITY (a potential that underprices open seams would otherwise keep them open).
 */
import { ps4Census, ps4Problem } from '../analysis/ps4.ts';
import { MIN_BUILT_DISTANCE } from '../model/ps4.ts';
import { LI_P_S } from '../model/species.ts';
import { type Structure, toConfiguration } from '../model/structure.ts';
import type { Potential } from '../potential/types.ts';
import { closeSeams, type NeighbourhoodCell, SeamRoomError } from '../structure/neighbourhood-cell.ts';
import { ContactError, fireMinimize } from './fire.ts';

export interface SeamStep {
  scale: number;
  density: number;
  /** Relaxed energy, eV/atom; NaN where the relaxation met the potential's min_dist. */
  energyPerAtom: number;
  steps: number;
  /** Why the scale was not eligible (a contact, a unit broken or an S-S bond across a seam), or null. */
  refused: string | null;
}

export interface RelaxedNeighbourhood {
  cell: NeighbourhoodCell;
  /** The relaxed structure of `cell`. */
  structure: Structure;
  scale: number;
  steps: number;
  scan: SeamStep[];
}

export interface SeamScanOptions {
  /** The scales tried (each cell vector across a seam times this), largest first; default 1 down to 0.82 by 0.03. */
  scales?: number[];
  /** Scales that would put the cell above this density (fraction of the boundary's) are not tried (SEAM_MAX_DENSITY). */
  maxDensity?: number;
  /** Scales that leave the cell below this density are refused without relaxing (SEAM_MIN_DENSITY). */
  minDensity?: number;
  fmax?: number;
  maxSteps?: number;
  minDistance?: number;
}

export const SEAM_SCALES = [1, 0.97, 0.94, 0.91, 0.88, 0.85, 0.82];
/** Denser than the boundary by more than this, a closed seam is a compressed crystal, not a closed gap. */
export const SEAM_MAX_DENSITY = 1.05;
/**
 * Below this density a "closed" seam is still an internal surface, and the spacing cannot be left to the potential
 * under test: it prices open interfaces too low, so it likes its seams open. Of the 33 test cells of round 24, the
 * three it left at 0.85-0.86 of the boundary's density lie 7, 11 and 44 meV/atom below DFT; the 30 at 0.87-1.04
 * have an energy MAE of 3.7 meV/atom (docs/training.md).
 */
export const SEAM_MIN_DENSITY = 0.9;

/** No spacing of the seams gave a cell worth labelling: the sampler takes the next frame instead. */
export class SeamSpacingError extends Error {}

export async function relaxNeighbourhoodCell(
  potential: Potential,
  nb: NeighbourhoodCell,
  o: SeamScanOptions = {},
): Promise<RelaxedNeighbourhood> {
  const seams = nb.seams.filter(Boolean).length;
  const maxDensity = o.maxDensity ?? SEAM_MAX_DENSITY;
  const minDensity = o.minDensity ?? SEAM_MIN_DENSITY;
  const scan: SeamStep[] = [];
  // a closed seam may not make what the cut never had: the shortest contact of the cell as cut is its own floor
  const floor = Math.min(MIN_BUILT_DISTANCE, ps4Census(nb.structure).minDistance);
  let best: RelaxedNeighbourhood | null = null;
  let bestEnergy = Number.POSITIVE_INFINITY;
  for (const scale of o.scales ?? SEAM_SCALES) {
    if (scale < 1 && (seams === 0 || nb.density / scale ** seams > maxDensity)) continue;
    let cell: NeighbourhoodCell;
    try {
      cell = closeSeams(nb, scale);
    } catch (err) {
      if (err instanceof SeamRoomError) break; // smaller scales leave the cut less room still
      throw err;
    }
    if (cell.density < minDensity) {
      const refused = `seams still open (density ${cell.density.toFixed(2)} < ${minDensity})`;
      scan.push({ scale, density: cell.density, energyPerAtom: Number.NaN, steps: 0, refused });
      continue;
    }
    try {
      const r = await fireMinimize(potential, toConfiguration(cell.structure, LI_P_S), {
        fmax: o.fmax ?? 0.1,
        maxSteps: o.maxSteps ?? 500,
        fixed: cell.cut,
        minDistance: o.minDistance,
      });
      const e = r.energy / cell.structure.types.length;
      const refused = ps4Problem(ps4Census(cell.structure, r.positions), floor);
      scan.push({ scale, density: cell.density, energyPerAtom: e, steps: r.steps, refused });
      if (!refused && e < bestEnergy) {
        bestEnergy = e;
        best = { cell, structure: { ...cell.structure, positions: r.positions }, scale, steps: r.steps, scan };
      }
    } catch (err) {
      if (!(err instanceof ContactError)) throw err;
      scan.push({
        scale,
        density: cell.density,
        energyPerAtom: Number.NaN,
        steps: err.step,
        refused: `a contact under min_dist (${err.distance.toFixed(2)} A)`,
      });
    }
  }
  if (!best)
    throw new SeamSpacingError(
      `neighbourhood cell: no spacing of the seams reached ${minDensity} of the boundary's density and relaxed with ` +
        'whole units and no short contact',
    );
  return best;
}
