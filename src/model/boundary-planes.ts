/**
 * Where the two boundaries of a periodic bicrystal lie, found from its grain labels: the builders put the boundary
 * normal along the third lattice vector, so each grain fills one arc of the fractional coordinate along c and the
 * boundaries sit midway across the two gaps between the arcs. Derived from the atoms rather than stored, so a file
 * read back (translated, relaxed, wrapped) gives its own planes.
 */
import { faceSpacings, inverse3 } from './cell.ts';
import type { Structure } from './structure.ts';

/** Upward (circular) distance from a to b on the unit circle of a fractional coordinate. */
function upward(a: number, b: number): number {
  return (((b - a) % 1) + 1) % 1;
}

/** The largest empty arc between the atoms of one grain: it starts after the grain's top atom and ends at its bottom. */
function largestGap(f: number[]): { lo: number; hi: number } {
  const sorted = [...f].sort((x, y) => x - y);
  let best = { lo: sorted[sorted.length - 1], hi: sorted[0], width: upward(sorted[sorted.length - 1], sorted[0]) };
  for (let k = 1; k < sorted.length; k++) {
    const width = sorted[k] - sorted[k - 1];
    if (width > best.width) best = { lo: sorted[k - 1], hi: sorted[k], width };
  }
  return best;
}

/**
 * The two boundary planes as fractional coordinates along c (in [0, 1)), or null when the structure is not a
 * bicrystal with grain labels (no labels, or not exactly two grains).
 */
export function boundaryPlanes(s: Structure): [number, number] | null {
  const grain = s.labels?.grain;
  if (!grain) return null;
  const inv = inverse3(s.cell.lattice);
  const byGrain = new Map<number, number[]>();
  for (let i = 0; i < grain.length; i++) {
    const p = s.positions;
    const f = p[3 * i] * inv[2] + p[3 * i + 1] * inv[5] + p[3 * i + 2] * inv[8];
    const list = byGrain.get(grain[i]) ?? [];
    list.push(f - Math.floor(f));
    byGrain.set(grain[i], list);
  }
  if (byGrain.size !== 2) return null;
  const [a, b] = [...byGrain.values()].map(largestGap);
  // going up: grain A's top (a.lo), then grain B from its bottom (b.hi); B's top (b.lo), then A's bottom (a.hi)
  const mid = (x: number, y: number) => (x + upward(x, y) / 2) % 1;
  return [mid(a.lo, b.hi), mid(b.lo, a.hi)];
}

/** Distance (A) from a Cartesian point to the nearer of the planes (fractional along c), through the periodic cell. */
export function distanceToPlanes(s: Structure, planes: readonly number[], point: ArrayLike<number>): number {
  const inv = inverse3(s.cell.lattice);
  const f = point[0] * inv[2] + point[1] * inv[5] + point[2] * inv[8];
  const spacing = faceSpacings(s.cell)[2];
  let best = Number.POSITIVE_INFINITY;
  for (const p of planes) {
    const d = upward(p, f);
    best = Math.min(best, Math.min(d, 1 - d) * spacing);
  }
  return best;
}
