/**
 * Unwrapping: positions folded into the cell frame by frame become continuous trajectories. Between two frames an atom
 * is assumed to move less than half a cell along any lattice vector; the fractional jump is then the nearest integer
 * and is removed exactly (integers), so atoms that cross the cell many times come back exactly. A frame may come with
 * its own cell (a barostat's run): the jumps are counted in fractional coordinates, which a change of cell does not
 * move, and the unwrapped position is built with that frame's cell, as LAMMPS builds xu from x and the image flags.
 */
import { type Cell, toFractional } from '../model/cell.ts';

export class Unwrapper {
  private prevFrac: Float64Array | null = null;
  private shift: Float64Array | null = null;
  constructor(private readonly cell: Cell) {}

  /** Takes the next wrapped frame (Cartesian, 3N), in its own cell if it has one, and returns it unwrapped. */
  next(wrapped: ArrayLike<number>, cell: Cell = this.cell): Float64Array {
    const n3 = wrapped.length;
    const L = cell.lattice;
    const frac = toFractional(cell, wrapped);
    if (!this.prevFrac || !this.shift) {
      this.prevFrac = frac;
      this.shift = new Float64Array(n3);
    } else {
      for (let k = 0; k < n3; k++) {
        if (cell.pbc[k % 3]) this.shift[k] -= Math.round(frac[k] - this.prevFrac[k]);
      }
      this.prevFrac = frac;
    }
    const out = new Float64Array(n3);
    for (let i = 0; i < n3; i += 3) {
      const f0 = frac[i] + this.shift[i];
      const f1 = frac[i + 1] + this.shift[i + 1];
      const f2 = frac[i + 2] + this.shift[i + 2];
      for (let d = 0; d < 3; d++) out[i + d] = f0 * L[d] + f1 * L[3 + d] + f2 * L[6 + d];
    }
    return out;
  }
}
