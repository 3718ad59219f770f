/** Integer vector helpers for lattice-index space (coincidence-site-lattice construction). */
export type IVec = [number, number, number];

export function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The vector divided by the gcd of its components (first non-zero component kept positive only if `canonical`). */
export function reduceVector(v: IVec): IVec {
  const g = gcd(gcd(v[0], v[1]), v[2]) || 1;
  return [v[0] / g, v[1] / g, v[2] / g];
}

export const dotI = (a: IVec, b: IVec) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const crossI = (a: IVec, b: IVec): IVec => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

export function det3I(rows: IVec[]): number {
  return dotI(rows[0], crossI(rows[1], rows[2]));
}

/** Odd part of n (the CSL convention: Sigma is odd in cubic index space). */
export function oddPart(n: number): number {
  while (n > 0 && n % 2 === 0) n /= 2;
  return n;
}

/** Rotation matrix (row-major) about unit axis `u` by `deg` degrees (Rodrigues). */
export function rotation(u: [number, number, number], deg: number): number[] {
  const l = Math.hypot(...u);
  const [x, y, z] = u.map((c) => c / l);
  const t = (deg * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const C = 1 - c;
  return [
    c + x * x * C,
    x * y * C - z * s,
    x * z * C + y * s,
    y * x * C + z * s,
    c + y * y * C,
    y * z * C - x * s,
    z * x * C - y * s,
    z * y * C + x * s,
    c + z * z * C,
  ];
}

/** R v rounded to integers, or null when R v is not an integer vector. */
export function rotateInteger(R: number[], v: IVec): IVec | null {
  const out = [0, 1, 2].map((i) => R[3 * i] * v[0] + R[3 * i + 1] * v[1] + R[3 * i + 2] * v[2]);
  const r = out.map(Math.round);
  return out.every((x, i) => Math.abs(x - r[i]) < 1e-6) ? (r.map((x) => x + 0) as IVec) : null;
}

/** Real-space vector of index vector `v` in a lattice given as rows. */
export function toReal(lattice: ArrayLike<number>, v: ArrayLike<number>): [number, number, number] {
  return [0, 1, 2].map((d) => v[0] * lattice[d] + v[1] * lattice[3 + d] + v[2] * lattice[6 + d]) as [
    number,
    number,
    number,
  ];
}
