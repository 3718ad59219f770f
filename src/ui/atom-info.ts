/**
 * What the page says about a picked atom (species, index, region, distance to the nearer boundary plane,
 * displacement since the run started, extrapolation grade) and about a picked pair (the minimum-image distance).
 * Pure functions of the structure and the current frame, so the numbers are tested without a browser.
 */
import { boundaryPlanes, distanceToPlanes } from '../model/boundary-planes.ts';
import { nearestImage } from '../model/cell.ts';
import { BOUNDARY_REGION, type Structure } from '../model/structure.ts';

export interface AtomInfo {
  index: number;
  species: string;
  /** Distance (A) from the nearer boundary plane at the current position; null: not a bicrystal. */
  boundaryDistance: number | null;
  /** 'boundary' within BOUNDARY_REGION of a plane, else 'bulk-like'; null: not a bicrystal. */
  region: 'boundary' | 'bulk-like' | null;
  /** |r(t) - r(0)| with unwrapped positions, A. */
  displacement: number;
  /** Extrapolation grade of the atom's neighbourhood; null: none computed yet. */
  grade: number | null;
}

/**
 * `structure`: as the run started (its labels and cell); `positions`: the current unwrapped frame; `start`: the
 * run's first frame; `grades`: per-atom grades (may be empty).
 */
export function atomInfo(
  structure: Structure,
  positions: ArrayLike<number>,
  start: ArrayLike<number>,
  grades: ArrayLike<number>,
  i: number,
  /** The structure's boundary planes (`boundaryPlanes`), when the caller keeps them across frames. */
  planes: readonly number[] | null = boundaryPlanes(structure),
): AtomInfo {
  if (!Number.isInteger(i) || i < 0 || i >= structure.types.length) throw new Error(`no atom ${i}`);
  const here = [positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]];
  const label = structure.labels?.boundaryDistance?.[i];
  // a bicrystal: the planes from its grains; another labelled structure (a polycrystal): the builder's distance
  const boundaryDistance = planes
    ? distanceToPlanes(structure, planes, here)
    : label !== undefined
      ? Math.abs(label)
      : null;
  const g = grades[i];
  return {
    index: i,
    species: structure.species[structure.types[i]],
    boundaryDistance,
    region: boundaryDistance === null ? null : boundaryDistance < BOUNDARY_REGION ? 'boundary' : 'bulk-like',
    displacement: Math.hypot(here[0] - start[3 * i], here[1] - start[3 * i + 1], here[2] - start[3 * i + 2]),
    grade: g === undefined || Number.isNaN(g) ? null : g,
  };
}

/** Minimum-image distance (A) between atoms i and j of the current frame. */
export function pairDistance(structure: Structure, positions: ArrayLike<number>, i: number, j: number): number {
  return nearestImage(structure.cell.lattice, positions, i, j).distance;
}

export function formatAtomInfo(a: AtomInfo): string {
  const parts = [`${a.species} #${a.index}`];
  if (a.region !== null && a.boundaryDistance !== null)
    parts.push(`${a.region}, ${a.boundaryDistance.toFixed(2)} A from the nearer boundary plane`);
  parts.push(`displaced ${a.displacement.toFixed(2)} A since the start`);
  parts.push(a.grade === null ? 'grade not computed' : `grade ${a.grade.toFixed(2)}`);
  return parts.join(' | ');
}

export function formatPair(a: AtomInfo, b: AtomInfo, distance: number): string {
  return `${a.species} #${a.index} - ${b.species} #${b.index}: ${distance.toFixed(3)} A (minimum image)`;
}
