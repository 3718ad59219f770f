/**
 * A periodic triclinic cell. `lattice` holds the three lattice vectors as rows (a, b, c), in A, so a Cartesian position
 * is r = f0 a + f1 b + f2 c for fractional coordinates f. `pbc` says along which vectors the system repeats.
 */
export interface Cell {
  lattice: Float64Array; // 9 numbers, row-major: a_x a_y a_z b_x b_y b_z c_x c_y c_z
  pbc: [boolean, boolean, boolean];
}

export type Mat3 = Float64Array;

export function makeCell(rows: ArrayLike<number>, pbc: [boolean, boolean, boolean] = [true, true, true]): Cell {
  if (rows.length !== 9) throw new Error('a cell needs 9 numbers (3 lattice vectors)');
  return { lattice: Float64Array.from(rows), pbc };
}

export function det3(m: ArrayLike<number>): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

export function inverse3(m: ArrayLike<number>): Mat3 {
  const d = det3(m);
  if (d === 0 || !Number.isFinite(d)) throw new Error('singular 3x3 matrix (the cell has no volume)');
  const inv = new Float64Array(9);
  inv[0] = (m[4] * m[8] - m[5] * m[7]) / d;
  inv[1] = (m[2] * m[7] - m[1] * m[8]) / d;
  inv[2] = (m[1] * m[5] - m[2] * m[4]) / d;
  inv[3] = (m[5] * m[6] - m[3] * m[8]) / d;
  inv[4] = (m[0] * m[8] - m[2] * m[6]) / d;
  inv[5] = (m[2] * m[3] - m[0] * m[5]) / d;
  inv[6] = (m[3] * m[7] - m[4] * m[6]) / d;
  inv[7] = (m[1] * m[6] - m[0] * m[7]) / d;
  inv[8] = (m[0] * m[4] - m[1] * m[3]) / d;
  return inv;
}

/**
 * The periodic image of atom j nearest atom i: the vector from i to that image, the lattice translation added to j to
 * reach it, and the distance. The fractional difference is first brought into [-0.5, 0.5] (so unwrapped MD positions
 * any number of cells apart are fine), then the 27 neighbouring images are compared: exact for any cell whose
 * reduced shape is not extremely skewed.
 */
export function nearestImage(
  lattice: ArrayLike<number>,
  positions: ArrayLike<number>,
  i: number,
  j: number,
): { vector: number[]; shift: number[]; distance: number } {
  const L = lattice;
  const inv = inverse3(L);
  const d = [0, 1, 2].map((k) => positions[3 * j + k] - positions[3 * i + k]);
  const wrap = [0, 1, 2].map((c) => -Math.round(d[0] * inv[c] + d[1] * inv[3 + c] + d[2] * inv[6 + c]));
  let best = { vector: d, shift: [0, 0, 0], distance: Number.POSITIVE_INFINITY };
  for (const a of [-1, 0, 1])
    for (const b of [-1, 0, 1])
      for (const c of [-1, 0, 1]) {
        const n = [wrap[0] + a, wrap[1] + b, wrap[2] + c];
        const shift = [0, 1, 2].map((k) => n[0] * L[k] + n[1] * L[3 + k] + n[2] * L[6 + k]);
        const vector = d.map((x, k) => x + shift[k]);
        const distance = Math.hypot(...vector);
        if (distance < best.distance) best = { vector, shift, distance };
      }
  return best;
}

export function volume(cell: Cell): number {
  return Math.abs(det3(cell.lattice));
}

/** Distances between opposite faces of the cell (the heights), which bound how many images lie within a cutoff. */
export function faceSpacings(cell: Cell): [number, number, number] {
  const L = cell.lattice;
  const v = volume(cell);
  const cross = (i: number, j: number) => {
    const ax = L[3 * i];
    const ay = L[3 * i + 1];
    const az = L[3 * i + 2];
    const bx = L[3 * j];
    const by = L[3 * j + 1];
    const bz = L[3 * j + 2];
    return Math.hypot(ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx);
  };
  return [v / cross(1, 2), v / cross(2, 0), v / cross(0, 1)];
}

/** Cartesian -> fractional for many positions (length 3N), using the inverse lattice. */
export function toFractional(
  cell: Cell,
  positions: ArrayLike<number>,
  out = new Float64Array(positions.length),
): Float64Array {
  const inv = inverse3(cell.lattice);
  for (let i = 0; i < positions.length; i += 3) {
    const x = positions[i];
    const y = positions[i + 1];
    const z = positions[i + 2];
    // r = f L  =>  f = r L^-1 (row vector times matrix)
    out[i] = x * inv[0] + y * inv[3] + z * inv[6];
    out[i + 1] = x * inv[1] + y * inv[4] + z * inv[7];
    out[i + 2] = x * inv[2] + y * inv[5] + z * inv[8];
  }
  return out;
}

export function toCartesian(
  cell: Cell,
  fractional: ArrayLike<number>,
  out = new Float64Array(fractional.length),
): Float64Array {
  const L = cell.lattice;
  for (let i = 0; i < fractional.length; i += 3) {
    const a = fractional[i];
    const b = fractional[i + 1];
    const c = fractional[i + 2];
    out[i] = a * L[0] + b * L[3] + c * L[6];
    out[i + 1] = a * L[1] + b * L[4] + c * L[7];
    out[i + 2] = a * L[2] + b * L[5] + c * L[8];
  }
  return out;
}

/** Applies r -> r (I + eps) to the rows of the lattice (and returns a new cell): the strain used for virials. */
export function strainCell(cell: Cell, eps: ArrayLike<number>): Cell {
  return { lattice: applyStrain(cell.lattice, eps), pbc: [...cell.pbc] };
}

/** Rows r -> r + r·eps^T, i.e. each vector v becomes (I + eps) v. */
export function applyStrain(vectors: ArrayLike<number>, eps: ArrayLike<number>): Float64Array {
  const out = new Float64Array(vectors.length);
  for (let i = 0; i < vectors.length; i += 3) {
    const x = vectors[i];
    const y = vectors[i + 1];
    const z = vectors[i + 2];
    out[i] = x + eps[0] * x + eps[1] * y + eps[2] * z;
    out[i + 1] = y + eps[3] * x + eps[4] * y + eps[5] * z;
    out[i + 2] = z + eps[6] * x + eps[7] * y + eps[8] * z;
  }
  return out;
}

/**
 * What is wrong with a periodic cell, in words, or null: a vector of zero length, or three vectors that span no
 * volume (an angle of 0 or 180 degrees, or coplanar vectors: volume under 1e-6 of the product of the lengths).
 */
export function cellProblem(lattice: ArrayLike<number>): string | null {
  const lengths = [0, 1, 2].map((r) => Math.hypot(lattice[3 * r], lattice[3 * r + 1], lattice[3 * r + 2]));
  const zero = lengths.findIndex((l) => !(l > 1e-6));
  if (zero >= 0) return `lattice vector ${zero + 1} has zero length`;
  const v = Math.abs(det3(lattice));
  if (!(v > 1e-6 * lengths[0] * lengths[1] * lengths[2]))
    return `the lattice vectors span no volume (${v.toPrecision(3)} A^3): an angle of 0 or 180 degrees, or coplanar vectors`;
  return null;
}

/**
 * A cell in the standard (restricted triclinic) frame that LAMMPS requires and the boundary builder uses: a along x,
 * b in the xy plane, c with a positive z component; the tilts xy, xz, yz and whether any is non-zero.
 */
export interface StandardFrame {
  /** Lower-triangular lattice rows: a = (xhi, 0, 0), b = (xy, yhi, 0), c = (xz, yz, zhi). */
  lattice: Float64Array;
  xy: number;
  xz: number;
  yz: number;
  triclinic: boolean;
}

export function standardFrame(cell: Cell): StandardFrame {
  const L = cell.lattice;
  const a = [L[0], L[1], L[2]];
  const b = [L[3], L[4], L[5]];
  const c = [L[6], L[7], L[8]];
  const dot = (u: number[], v: number[]) => u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  const ax = Math.sqrt(dot(a, a));
  const bx = dot(b, a) / ax;
  const by = Math.sqrt(Math.max(0, dot(b, b) - bx * bx));
  const cx = dot(c, a) / ax;
  const cy = (dot(b, c) - bx * cx) / by;
  const cz = Math.sqrt(Math.max(0, dot(c, c) - cx * cx - cy * cy));
  const lattice = Float64Array.from([ax, 0, 0, bx, by, 0, cx, cy, cz]);
  const tiny = 1e-10 * ax;
  const triclinic = Math.abs(bx) > tiny || Math.abs(cx) > tiny || Math.abs(cy) > tiny;
  return { lattice, xy: bx, xz: cx, yz: cy, triclinic };
}

/** Positions in the standard frame (the same fractional coordinates in the rotated cell). */
export function toStandardFrame(cell: Cell, positions: ArrayLike<number>, box = standardFrame(cell)): Float64Array {
  const f = toFractional(cell, positions);
  const L = box.lattice;
  const out = new Float64Array(positions.length);
  for (let i = 0; i < positions.length; i += 3) {
    for (let d = 0; d < 3; d++) out[i + d] = f[i] * L[d] + f[i + 1] * L[3 + d] + f[i + 2] * L[6 + d];
  }
  return out;
}
