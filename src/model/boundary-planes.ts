/**
 * Where the two boundaries of a periodic bicrystal lie, found from its grain labels: the builders put the boundary
 * normal along the third lattice vector, so each grain fills one arc of the fractional coordinate along c and the
 * boundaries sit midway across the two gaps between the arcs. Derived from the atoms rather than stored, so a file
 * read back (translated, relaxed, wrapped) gives its own planes.
 */
import { faceSpacings, inverse3 } from './cell.ts';
import type { Structure } from './structure.ts';

/** How far from a cut (A) the outermost atoms of the two grains are looked for. */
const WINDOW = 3;

/** Upward (circular) distance from a to b on the unit circle of a fractional coordinate. */
function upward(a: number, b: number): number {
  return (((b - a) % 1) + 1) % 1;
}

/**
 * The two boundary planes as fractional coordinates along c (in [0, 1)), or null when the structure is not a
 * bicrystal with grain labels (no labels, or not exactly two grains). The planes split the circle of c into two arcs,
 * one per grain, with the fewest atoms on the wrong side: where the grains interlock at a boundary (whole units, a
 * small gap), an empty layer inside a thick grain can be wider than the boundary's own gap, so the largest gap is not
 * a test. Cuts lie midway between neighbouring atoms; the best arc is a minimum-sum run (Kadane) of +1 for each atom
 * of the other grain and -1 for each of the arc's own, tried for both grains so that either arc may wrap.
 */
export function boundaryPlanes(s: Structure): [number, number] | null {
  const grain = s.labels?.grain;
  if (!grain || grain.length === 0) return null;
  const kinds = [...new Set(grain)];
  if (kinds.length !== 2) return null;
  const inv = inverse3(s.cell.lattice);
  const p = s.positions;
  const atoms = Array.from(grain, (g, i) => {
    const f = p[3 * i] * inv[2] + p[3 * i + 1] * inv[5] + p[3 * i + 2] * inv[8];
    return { f: f - Math.floor(f), g };
  }).sort((x, y) => x.f - y.f);
  const n = atoms.length;
  const mid = (k: number) => (atoms[k].f + upward(atoms[k].f, atoms[(k + 1) % n].f) / 2) % 1;
  let best: { cost: number; from: number; to: number; grain: number } | null = null;
  for (const own of kinds) {
    // the arc (from, to] of sorted atoms is grain `own`'s: its cost is the other grain's atoms in it minus its own
    let run = 0;
    let start = -1;
    for (let k = 0; k < n; k++) {
      const w = atoms[k].g === own ? -1 : 1;
      if (run > 0) {
        run = 0;
        start = k - 1;
      }
      run += w;
      if (!best || run < best.cost) best = { cost: run, from: start, to: k, grain: own };
    }
  }
  const { from, to, grain: g } = best!;
  // each plane midway between the top of the grain below it and the bottom of the one above, both taken within
  // WINDOW of the cut (signed, so grains that interlock across the plane give the middle of the overlap)
  const window = WINDOW / faceSpacings(s.cell)[2];
  const refine = (cut: number, below: number) => {
    let top = Number.NEGATIVE_INFINITY;
    let bottom = Number.POSITIVE_INFINITY;
    for (const a of atoms) {
      const d = ((((a.f - cut + 0.5) % 1) + 1) % 1) - 0.5;
      if (Math.abs(d) > window) continue;
      if (a.g === below) top = Math.max(top, d);
      else bottom = Math.min(bottom, d);
    }
    const shift = Number.isFinite(top) && Number.isFinite(bottom) ? (top + bottom) / 2 : 0;
    return (((cut + shift) % 1) + 1) % 1;
  };
  const other = kinds[0] === g ? kinds[1] : kinds[0];
  // the arc (from, to] is grain g's: below its lower plane lies the other grain, below its upper plane g itself
  const lower = refine(mid((from + n) % n), other);
  const upper = refine(mid(to), g);
  // going up: grain A's top, then grain B; A is the grain of the first atom, as the builders label it
  return g === grain[0] ? [upper, lower] : [lower, upper];
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
