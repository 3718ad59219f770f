/**
 * Space-group operations written as in CIF (`-x+1/2,y,z+1/2`) and their expansion of asymmetric-unit sites.
 */

/** One operation: f' = R f + t, R row-major 3x3 of integers. */
export interface SymOp {
  rot: number[];
  trans: number[];
}

export function parseSymOp(text: string): SymOp {
  const parts = text
    .replace(/['"\s]/g, '')
    .toLowerCase()
    .split(',');
  if (parts.length !== 3) throw new Error(`symmetry operation '${text}' does not have three components`);
  const rot = new Array<number>(9).fill(0);
  const trans = [0, 0, 0];
  parts.forEach((expr, row) => {
    const terms = expr.match(/[+-]?[^+-]+/g);
    if (!terms) throw new Error(`symmetry operation '${text}': empty component`);
    for (const term of terms) {
      const m = /^([+-]?)(?:(\d+(?:\.\d+)?)(?:\/(\d+))?\*?)?([xyz])?$/.exec(term);
      if (!m || (!m[2] && !m[4])) throw new Error(`symmetry operation '${text}': cannot read '${term}'`);
      const sign = m[1] === '-' ? -1 : 1;
      if (m[4]) {
        const coef = m[2] ? Number(m[2]) / (m[3] ? Number(m[3]) : 1) : 1;
        rot[row * 3 + 'xyz'.indexOf(m[4])] += sign * coef;
      } else {
        trans[row] += (sign * Number(m[2])) / (m[3] ? Number(m[3]) : 1);
      }
    }
  });
  return { rot, trans };
}

export interface Site {
  type: number;
  frac: [number, number, number];
  label?: string;
}

const wrap01 = (v: number) => {
  const w = v - Math.floor(v);
  return w >= 1 - 1e-12 ? 0 : w;
};

/** All symmetry images of the sites, wrapped into [0,1), duplicates (within `tol` fractional) merged. */
export function expandSites(ops: SymOp[], sites: Site[], tol = 1e-4): Site[] {
  const out: Site[] = [];
  for (const site of sites) {
    const [x, y, z] = site.frac;
    for (const op of ops) {
      const f: [number, number, number] = [0, 1, 2].map((r) =>
        wrap01(op.rot[3 * r] * x + op.rot[3 * r + 1] * y + op.rot[3 * r + 2] * z + op.trans[r]),
      ) as [number, number, number];
      const dup = out.some((o) =>
        o.frac.every((v, d) => {
          const dd = Math.abs(v - f[d]);
          return Math.min(dd, 1 - dd) < tol;
        }),
      );
      if (!dup) out.push({ type: site.type, frac: f, label: site.label });
    }
  }
  return out;
}
