import { toCartesian } from '../model/cell.ts';
import type { Structure } from '../model/structure.ts';

/**
 * Point defects for sampling training data. A grain boundary cut through a crystal of PS4 units leaves under-bonded
 * P, free S and misplaced Li; a Frenkel pair (one atom moved from its site into the emptiest point of the cell) puts
 * the same kind of environment into a 64-atom periodic cell, without the vacuum and the 101 atoms of a boundary slab.
 */

/** The point of the cell farthest from every atom (periodic), on a grid of about `spacing` A. */
export function largestVoid(
  s: Structure,
  options: { spacing?: number } = {},
): { position: Float64Array; distance: number } {
  const spacing = options.spacing ?? 0.3;
  const L = s.cell.lattice;
  const lengths = [0, 1, 2].map((r) => Math.hypot(L[3 * r], L[3 * r + 1], L[3 * r + 2]));
  const n = lengths.map((l) => Math.max(4, Math.ceil(l / spacing)));
  // 27 images make the periodic distance exact for any cell whose nearest atom is within one cell length
  const shifts: number[] = [];
  for (let a = -1; a <= 1; a++)
    for (let b = -1; b <= 1; b++)
      for (let c = -1; c <= 1; c++) for (let d = 0; d < 3; d++) shifts.push(a * L[d] + b * L[3 + d] + c * L[6 + d]);
  const atoms = s.types.length;
  let best = -1;
  let bestPoint: Float64Array = new Float64Array(3);
  const frac = new Float64Array(3);
  for (let i = 0; i < n[0]; i++) {
    for (let j = 0; j < n[1]; j++) {
      for (let k = 0; k < n[2]; k++) {
        frac[0] = i / n[0];
        frac[1] = j / n[1];
        frac[2] = k / n[2];
        const p = toCartesian(s.cell, frac);
        let nearest = Number.POSITIVE_INFINITY;
        for (let a = 0; a < atoms && nearest > best; a++) {
          for (let m = 0; m < 27; m++) {
            const dx = s.positions[3 * a] + shifts[3 * m] - p[0];
            const dy = s.positions[3 * a + 1] + shifts[3 * m + 1] - p[1];
            const dz = s.positions[3 * a + 2] + shifts[3 * m + 2] - p[2];
            const r = Math.sqrt(dx * dx + dy * dy + dz * dz);
            if (r < nearest) nearest = r;
          }
        }
        if (nearest > best) {
          best = nearest;
          bestPoint = p;
        }
      }
    }
  }
  return { position: bestPoint, distance: best };
}

/**
 * A copy of `s` with atom `atom` moved into the crystal's largest void (a Frenkel pair). The void is found with the
 * atom still in place: without it, its own empty site would be the largest void.
 */
export function frenkelPair(s: Structure, atom: number): { structure: Structure; moved: number; distance: number } {
  if (!Number.isInteger(atom) || atom < 0 || atom >= s.types.length)
    throw new Error(`frenkelPair: atom ${atom} is not in the structure (${s.types.length} atoms)`);
  const site = largestVoid(s);
  const positions = Float64Array.from(s.positions);
  const moved = Math.hypot(
    site.position[0] - s.positions[3 * atom],
    site.position[1] - s.positions[3 * atom + 1],
    site.position[2] - s.positions[3 * atom + 2],
  );
  positions.set(site.position, 3 * atom);
  return { structure: { ...s, positions, labels: undefined }, moved, distance: site.distance };
}
