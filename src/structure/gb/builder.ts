/**
 * Coincidence-site-lattice (CSL) bicrystals, built the aimsgb way (J. Cheng, J. Luo, K. Yang, Comput. Mater. Sci. 155
 * (2018) 92): the CSL and the rotation are defined in lattice-index space, as for a cubic lattice with the same integer
 * axis, and applied to the real cell. Two grains are stacked along the boundary-plane normal in a periodic cell, which
 * therefore holds two boundaries.
 *
 * Grain A is the supercell whose rows (index space) are two vectors spanning the boundary plane and a third along the
 * plane's index vector. Its stacking vector is replaced by its component normal to the plane, keeping every atom in
 * place (the cell is sheared, the crystal is not). Grain B is the supercell with rows R M_A, R the CSL rotation (the
 * equivalent rotation that best preserves the real metric is chosen); its atoms take their fractional coordinates in
 * grain A's cell, stacked above it. When the two metrics agree (every preset here) grain B is the bulk crystal
 * rotated rigidly; otherwise the builder reports the strain that the index-space construction implies.
 *
 * Tilt: the plane contains the axis; its Sigma follows from the plane. Twist: the plane is normal to the axis; the
 * in-plane CSL basis is [m n] and [-n m] of the smallest-angle rotation of the requested Sigma (aimsgb's choice).
 *
 * What each grain keeps (`cut`): by default whole PS4 anions, each placed with its P (the anion's centre decides the
 * grain), then whole bodies removed where the grains overlap and Li removed to keep Li3PS4 (units.ts). The atom-by-atom
 * cut of the aimsgb method is kept as `cut: 'atoms'` (one atom of every pair closer than `removeCloserThan` removed)
 * and `cut: 'raw'` (nothing removed: the reference bicrystal). Grain B can be translated rigidly: in the plane
 * (`shift`) and along the normal (`gap`, added at each of the two boundaries).
 */
import { inverse3, standardFrame, toStandardFrame } from '../../model/cell.ts';
import { buildNeighborList } from '../../model/neighbors.ts';
import { FORMAL_CHARGE } from '../../model/ps4.ts';
import type { Structure } from '../../model/structure.ts';
import { supercellByMatrix } from '../supercell-matrix.ts';
import { cslRotations, sigmaAngles } from './csl.ts';
import { meanField, type NormalFrame } from './field.ts';
import {
  crossI,
  det3I,
  dotI,
  type IVec,
  oddPart,
  reduceVector,
  rotateInteger,
  rotation,
  toReal,
} from './index-math.ts';
import { anionAnchors, BOUNDARY_ZONE, removeOverlappingBodies, type UnitRemoval } from './units.ts';

export interface GbSpec {
  /** Rotation axis [uvw] in the conventional standard setting. */
  axis: IVec;
  /** Boundary plane (hkl) in grain A. */
  plane: IVec;
  /** Required for twists; for tilts it follows from the plane (given, it is checked). */
  sigma?: number;
  /** CSL cells per grain along the normal (default 1 each). */
  layersA?: number;
  layersB?: number;
  /** In-plane repeats of the bicrystal cell (default 1 x 1). */
  repeat?: [number, number];
  /** Rigid in-plane shift of grain B, in fractions of the two in-plane vectors. */
  shift?: [number, number];
  /** Extra spacing between the grains at each boundary, A (negative brings them closer). */
  gap?: number;
  /** What the grains keep: whole PS4 units (default), the atom-by-atom cut, or the raw bicrystal. */
  cut?: 'units' | 'atoms' | 'raw';
  /** With `cut: 'atoms'`: remove one atom (from grain B) of every pair closer than this, A (default 1.5). */
  removeCloserThan?: number;
}

export interface GbReport {
  kind: 'tilt' | 'twist';
  sigma: number;
  /** Equivalent rotation angles between the grains in index space, degrees (smallest first). */
  angles: number[];
  /** The rotation used to build grain B, degrees about the axis. */
  rotationUsed: number;
  planeA: IVec;
  planeB: IVec;
  matrixA: IVec[];
  matrixB: IVec[];
  /** Area of one boundary in the cell, A^2. */
  area: number;
  /** Height of each grain along the normal, A. */
  thicknessA: number;
  thicknessB: number;
  /** Largest relative length mismatch and angle mismatch (deg) between grain B's own cell and the cell it fills. */
  strain: { length: number; angleDeg: number };
  cut: 'units' | 'atoms' | 'raw';
  /** The rigid translation of grain B: in-plane fractions and the extra spacing at each boundary, A. */
  translation: { shift: [number, number]; gap: number };
  removed: Record<string, number>;
  /** With `cut: 'units'`: how many units and Li were removed, and why. */
  units?: UnitRemoval;
  /** Net charge of the removed atoms with formal charges (Li +1, P +5, S -2): 0 means the composition stays neutral. */
  chargeRemoved: number;
  /**
   * Mean field of the formal charges across grain A and grain B (V/A along the normal, BOUNDARY_ZONE in from each
   * boundary; field.ts): near zero when neither the boundaries nor the grains are charged plates.
   */
  grainFields: [number, number];
  minDistance: number;
}

const norm = (v: number[]) => Math.hypot(...v);
const dotR = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const crossR = (a: number[], b: number[]) => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

/** Index rows of grain A: two in-plane vectors and the plane's index vector. */
function grainMatrix(standard: Structure, spec: GbSpec, kind: 'tilt' | 'twist', sigma: number): IVec[] {
  const L = standard.cell.lattice;
  const n = reduceVector(spec.plane);
  if (kind === 'tilt') {
    const u = reduceVector(spec.axis);
    // p2 with u x p2 = +-n spans the plane lattice together with u; shorten it with multiples of u (real metric)
    let p2: IVec | null = null;
    const R = 12;
    let best = Infinity;
    for (let x = -R; x <= R; x++) {
      for (let y = -R; y <= R; y++) {
        for (let z = -R; z <= R; z++) {
          const v: IVec = [x, y, z];
          const c = crossI(u, v);
          if (
            !((c[0] === n[0] && c[1] === n[1] && c[2] === n[2]) || (c[0] === -n[0] && c[1] === -n[1] && c[2] === -n[2]))
          )
            continue;
          const len = norm(toReal(L, v));
          if (len < best - 1e-9) {
            best = len;
            p2 = v;
          }
        }
      }
    }
    if (!p2) throw new Error(`no lattice basis found for the plane (${n.join(' ')}) containing [${u.join(' ')}]`);
    const rows: IVec[] = [u, p2, n];
    return det3I(rows) < 0 ? [p2, u, n] : rows;
  }
  // twist about a crystal axis: [m n] and [-n m] in the two index directions normal to it
  const k = spec.axis.findIndex((c) => c !== 0);
  if (spec.axis.filter((c) => c !== 0).length !== 1) {
    throw new Error(
      `twist boundaries are built about a crystal axis ([100], [010] or [001]); got [${spec.axis.join(' ')}]`,
    );
  }
  const rot = cslRotations(spec.axis, sigma).filter((r) => r.sigma === sigma && r.m > 0);
  if (rot.length === 0) throw new Error(`no Sigma ${sigma} rotation about [${spec.axis.join(' ')}]`);
  const { m, n: nn } = rot.sort((a, b) => a.angle - b.angle)[0];
  const [i, j] = [0, 1, 2].filter((d) => d !== k);
  const p1: IVec = [0, 0, 0];
  const p2: IVec = [0, 0, 0];
  p1[i] = m;
  p1[j] = nn;
  p2[i] = -nn;
  p2[j] = m;
  const s: IVec = [0, 0, 0];
  s[k] = 1;
  const rows: IVec[] = [p1, p2, s];
  return det3I(rows) < 0 ? [p2, p1, s] : rows;
}

/**
 * How far grain B's cell is from the cell it is placed in: the in-plane metric (lengths, angle) and the height along
 * the normal. Largest relative length difference and the angle difference in degrees.
 */
function mismatch(L: ArrayLike<number>, a: IVec[], b: IVec[]): { length: number; angleDeg: number } {
  const real = (rows: IVec[]) => rows.map((r) => toReal(L, r));
  const [a1, a2, a3] = real(a);
  const [b1, b2, b3] = real(b);
  const height = (p: number[], q: number[], s: number[]) => {
    const n = crossR(p, q);
    return dotR(s, n) / norm(n);
  };
  const angle = (p: number[], q: number[]) =>
    Math.acos(Math.max(-1, Math.min(1, dotR(p, q) / (norm(p) * norm(q))))) * (180 / Math.PI);
  const length = Math.max(
    Math.abs(norm(b1) / norm(a1) - 1),
    Math.abs(norm(b2) / norm(a2) - 1),
    Math.abs(height(b1, b2, b3) / height(a1, a2, a3) - 1),
  );
  return { length, angleDeg: Math.abs(angle(b1, b2) - angle(a1, a2)) };
}

/** Equivalent bases of the same supercell lattice: sign changes and the swap of the two in-plane rows, det > 0. */
function equivalentBases(m: IVec[]): IVec[][] {
  const out: IVec[][] = [];
  const neg = (v: IVec): IVec => [-v[0], -v[1], -v[2]];
  for (const [p, q] of [
    [m[0], m[1]],
    [m[1], m[0]],
  ]) {
    for (const sp of [1, -1]) {
      for (const sq of [1, -1]) {
        for (const st of [1, -1]) {
          const rows: IVec[] = [sp > 0 ? p : neg(p), sq > 0 ? q : neg(q), st > 0 ? m[2] : neg(m[2])];
          if (det3I(rows) > 0) out.push(rows);
        }
      }
    }
  }
  return out;
}

/**
 * Cartesian positions of a supercell's atoms re-expressed in the sheared cell (p1, p2, s_perp). Each atom has an
 * anchor: itself, or with whole units the P of its anion. Anchors are wrapped in the plane; an S sits at its P plus the
 * bond vector, so it may lie outside [0, 1) (across a cell face or a boundary plane) and its anion stays whole.
 */
function orthogonalisedFractions(
  sc: Structure,
  wholeUnits: boolean,
): { frac: Float64Array; anchor: Int32Array; sPerp: number[]; height: number; sInPlane: [number, number] } {
  const L = sc.cell.lattice;
  const p1 = [L[0], L[1], L[2]];
  const p2 = [L[3], L[4], L[5]];
  const s = [L[6], L[7], L[8]];
  const nrm = crossR(p1, p2);
  const nh = nrm.map((x) => x / norm(nrm));
  const height = dotR(s, nh);
  const sPerp = nh.map((x) => x * height);
  // fractional coordinates in (p1, p2, sPerp) by solving r = a p1 + b p2 + c sPerp
  const inv = inverse3([...p1, ...p2, ...sPerp]);
  const toFrac = (r: ArrayLike<number>, k: number) => r[0] * inv[k] + r[1] * inv[3 + k] + r[2] * inv[6 + k];
  const n = sc.types.length;
  const units = wholeUnits ? anionAnchors(sc) : null;
  const anchor = units ? units.anchor : Int32Array.from({ length: n }, (_, i) => i);
  const frac = new Float64Array(3 * n);
  for (let a = 0; a < n; a++) {
    if (anchor[a] !== a) continue;
    const r = [sc.positions[3 * a], sc.positions[3 * a + 1], sc.positions[3 * a + 2]];
    for (let k = 0; k < 3; k++) {
      let f = toFrac(r, k);
      if (k < 2) f -= Math.floor(f);
      if (f >= 1 - 1e-9) f = k < 2 ? 0 : f;
      frac[3 * a + k] = f;
    }
  }
  if (units) {
    for (let a = 0; a < n; a++) {
      if (anchor[a] === a) continue;
      const v = units.offset.subarray(3 * a, 3 * a + 3);
      for (let k = 0; k < 3; k++) frac[3 * a + k] = frac[3 * anchor[a] + k] + toFrac(v, k);
    }
  }
  // the stacking vector's in-plane part: a second CSL cell along the normal sits this far over in the plane
  const sInPlane: [number, number] = [toFrac(s, 0), toFrac(s, 1)];
  return { frac, anchor, sPerp, height, sInPlane };
}

export function buildBicrystal(standard: Structure, spec: GbSpec): { structure: Structure; report: GbReport } {
  const axis = reduceVector(spec.axis);
  const plane = reduceVector(spec.plane);
  const along = dotI(axis, plane);
  const parallel = crossI(axis, plane).every((c) => c === 0);
  let kind: 'tilt' | 'twist';
  let sigma: number;
  if (along === 0) {
    kind = 'tilt';
    sigma = oddPart(dotI(plane, plane));
    if (spec.sigma !== undefined && spec.sigma !== sigma) {
      throw new Error(
        `the (${plane.join(' ')}) tilt about [${axis.join(' ')}] is Sigma ${sigma}, not Sigma ${spec.sigma}`,
      );
    }
  } else if (parallel) {
    kind = 'twist';
    if (spec.sigma === undefined) throw new Error('a twist boundary needs Sigma');
    sigma = spec.sigma;
  } else {
    throw new Error(
      `(${plane.join(' ')}) neither contains nor is normal to [${axis.join(' ')}]: mixed boundaries are not built`,
    );
  }
  const angles = sigmaAngles(axis, sigma);
  if (angles.length === 0) throw new Error(`no Sigma ${sigma} CSL rotation about [${axis.join(' ')}]`);
  const L = standard.cell.lattice;
  const MA = grainMatrix(standard, { ...spec, axis, plane }, kind, sigma);

  // grain B: R M_A for the equivalent rotation (either sign) and basis that keep the real metric best
  let best: { MB: IVec[]; angle: number; strain: { length: number; angleDeg: number } } | null = null;
  const score = (x: { length: number; angleDeg: number }) => x.length + x.angleDeg / 90;
  for (const a of angles) {
    for (const sign of [1, -1]) {
      const R = rotation(axis, sign * a);
      const rows = MA.map((r) => rotateInteger(R, r));
      if (rows.some((r) => r === null)) continue;
      for (const MB of equivalentBases(rows as IVec[])) {
        const strain = mismatch(L, MA, MB);
        if (!best || score(strain) < score(best.strain) - 1e-12) best = { MB, angle: sign * a, strain };
      }
    }
  }
  if (!best)
    throw new Error(
      `the CSL cell of Sigma ${sigma} about [${axis.join(' ')}] is not mapped onto integers by its rotation`,
    );

  const cut = spec.cut ?? 'units';
  const scA = supercellByMatrix(standard, MA);
  const scB = supercellByMatrix(standard, best.MB);
  const oa = orthogonalisedFractions(scA, cut === 'units');
  const ob = orthogonalisedFractions(scB, cut === 'units');
  const nA = spec.layersA ?? 1;
  const nB = spec.layersB ?? 1;
  const [r1, r2] = spec.repeat ?? [1, 1];
  const shift: [number, number] = spec.shift ?? [0, 0];
  const gap = spec.gap ?? 0;
  const La = scA.cell.lattice;
  const p1 = [La[0], La[1], La[2]];
  const p2 = [La[3], La[4], La[5]];
  const h = oa.height;
  const length = (nA + nB) * h + 2 * gap;
  if (!(length > 0) || !(h + gap > 0)) throw new Error(`gap ${gap} A leaves no room between the grains`);
  const nrm = oa.sPerp.map((x) => x / h);
  // A grain of n CSL cells ends n in-plane stacking offsets over from where it began. So that both boundaries keep the
  // registry of a one-cell build at any thickness, grain B is placed (nA - 1) offsets of A over, and the period along
  // the normal carries (nA - 1) offsets of A and (nB - 1) of B in the plane (a sheared cell when either is above 1).
  const offsetA = oa.sInPlane.map((f) => (nA - 1) * f);
  const period = [0, 1].map((k) => offsetA[k] + (nB - 1) * ob.sInPlane[k]);
  const lattice = Float64Array.from([
    ...p1.map((x) => x * r1),
    ...p2.map((x) => x * r2),
    ...nrm.map((x, d) => x * length + period[0] * p1[d] + period[1] * p2[d]),
  ]);
  const types: number[] = [];
  const pos: number[] = [];
  const grain: number[] = [];
  const anchors: number[] = [];
  // grain A fills [0, nA h) along the normal, grain B starts one gap above it; the other gap closes the period
  const place = (
    o: { frac: Float64Array; anchor: Int32Array; sInPlane: [number, number] },
    t: Int32Array,
    g: number,
    count: number,
    z0: number,
    sh: [number, number],
  ) => {
    const wrap = (x: number) => x - Math.floor(x);
    for (let i1 = 0; i1 < r1; i1++) {
      for (let i2 = 0; i2 < r2; i2++) {
        for (let l = 0; l < count; l++) {
          const first = types.length;
          for (let a = 0; a < t.length; a++) {
            const c = o.anchor[a];
            // the anchor is wrapped in the plane after the shift; its atoms keep their offsets from it
            const f1 = wrap(o.frac[3 * c] + sh[0] + l * o.sInPlane[0]) + o.frac[3 * a] - o.frac[3 * c];
            const f2 = wrap(o.frac[3 * c + 1] + sh[1] + l * o.sInPlane[1]) + o.frac[3 * a + 1] - o.frac[3 * c + 1];
            const z = z0 + (l + o.frac[3 * a + 2]) * h;
            types.push(t[a]);
            grain.push(g);
            anchors.push(first + c);
            for (let d = 0; d < 3; d++) pos.push((f1 + i1) * p1[d] + (f2 + i2) * p2[d] + z * nrm[d]);
          }
        }
      }
    }
  };
  place(oa, scA.types, 0, nA, 0, [0, 0]);
  place(ob, scB.types, 1, nB, nA * h + gap, [shift[0] + offsetA[0], shift[1] + offsetA[1]]);
  // the two boundary planes, midway across each gap; signed distance: negative in grain A, positive in grain B
  const planes = [nA * h + gap / 2, length - gap / 2];
  const boundaryDistance = (i: number) => {
    const z = (pos[3 * i] * nrm[0] + pos[3 * i + 1] * nrm[1] + pos[3 * i + 2] * nrm[2]) % length;
    const d = Math.min(
      ...planes.map((p) => {
        const dz = Math.abs((((z - p) % length) + length) % length);
        return Math.min(dz, length - dz);
      }),
    );
    return (grain[i] === 0 ? -1 : 1) * d;
  };
  let structure: Structure = {
    cell: { lattice, pbc: [true, true, true] },
    species: [...standard.species],
    types: Int32Array.from(types),
    positions: Float64Array.from(pos),
    title: `Sigma${sigma} [${axis.join('')}]/(${plane.join(' ')}) ${kind}`,
  };
  const cellArea = norm(crossR(p1, p2)) * r1 * r2;
  /** The atoms `atoms` along the normal, for the electrostatics of formal charges (field.ts). */
  const normalFrame = (atoms: number[]): NormalFrame => ({
    z: Float64Array.from(atoms, (i) => {
      const z = (pos[3 * i] * nrm[0] + pos[3 * i + 1] * nrm[1] + pos[3 * i + 2] * nrm[2]) % length;
      return z < 0 ? z + length : z;
    }),
    length,
    area: cellArea,
  });
  let keep: number[] = Array.from(types.keys());
  const removed: Record<string, number> = {};
  let chargeRemoved = 0;
  let unitReport: UnitRemoval | undefined;
  if (cut === 'units') {
    const r = removeOverlappingBodies(
      structure,
      Int32Array.from(anchors),
      Int32Array.from(grain),
      Float64Array.from(types, (_, i) => boundaryDistance(i)),
      { field: normalFrame(types.map((_, i) => i)) },
    );
    keep = r.keep;
    unitReport = r.report;
    Object.assign(removed, r.report.removed);
    chargeRemoved = r.report.chargeRemoved;
  } else if (cut === 'atoms') {
    // close contacts across the boundaries, atom by atom
    const threshold = spec.removeCloserThan ?? 1.5;
    const nl = buildNeighborList(structure.positions, structure.cell, threshold);
    const pairs: [number, number, number][] = [];
    for (let i = 0; i < structure.types.length; i++) {
      for (let e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
        const j = nl.index[e];
        if (j > i) pairs.push([Math.hypot(nl.vectors[3 * e], nl.vectors[3 * e + 1], nl.vectors[3 * e + 2]), i, j]);
      }
    }
    pairs.sort((a, b) => a[0] - b[0]);
    const drop = new Set<number>();
    for (const [, i, j] of pairs) {
      if (drop.has(i) || drop.has(j)) continue;
      const victim = grain[j] === 1 ? j : grain[i] === 1 ? i : j;
      drop.add(victim);
    }
    keep = keep.filter((i) => !drop.has(i));
    for (const i of drop) {
      const sym = structure.species[structure.types[i]];
      removed[sym] = (removed[sym] ?? 0) + 1;
      chargeRemoved += FORMAL_CHARGE[sym] ?? 0;
    }
  }
  // the macroscopic field of the formal charges across each grain, away from its boundaries (A: [0, nA h), B above it)
  const kept = normalFrame(keep);
  const keptCharge = Float64Array.from(keep, (i) => FORMAL_CHARGE[standard.species[types[i]]] ?? 0);
  const across = (from: number, to: number) => {
    const a = from + Math.min(BOUNDARY_ZONE, (to - from) / 4);
    const b = to - Math.min(BOUNDARY_ZONE, (to - from) / 4);
    return meanField(kept, keptCharge, a, b);
  };
  const grainFields: [number, number] = [across(0, nA * h), across(nA * h + gap, length - gap)];
  const labels = {
    grain: Int32Array.from(keep, (i) => grain[i]),
    boundaryDistance: Float64Array.from(keep, (i) => boundaryDistance(i)),
  };
  structure = {
    ...structure,
    types: Int32Array.from(keep, (i) => structure.types[i]),
    positions: Float64Array.from(keep.flatMap((i) => [0, 1, 2].map((d) => structure.positions[3 * i + d]))),
  };
  // a standard frame: in-plane vector a along x, b in the xy plane, the boundary normal along z
  const box = standardFrame(structure.cell);
  structure = {
    ...structure,
    positions: toStandardFrame(structure.cell, structure.positions, box),
    cell: { lattice: box.lattice, pbc: [true, true, true] },
  };
  structure.labels = labels;
  const nlAll = buildNeighborList(structure.positions, structure.cell, 3.0);
  let minDistance = Infinity;
  for (let e = 0; e < nlAll.index.length; e++) {
    minDistance = Math.min(
      minDistance,
      Math.hypot(nlAll.vectors[3 * e], nlAll.vectors[3 * e + 1], nlAll.vectors[3 * e + 2]),
    );
  }
  const area = cellArea;
  return {
    structure,
    report: {
      kind,
      sigma,
      angles,
      rotationUsed: best.angle,
      planeA: plane,
      planeB: best.MB[2],
      matrixA: MA,
      matrixB: best.MB,
      area,
      thicknessA: h * nA,
      thicknessB: h * nB,
      strain: best.strain,
      cut,
      translation: { shift, gap },
      removed,
      units: unitReport,
      chargeRemoved,
      grainFields,
      minDistance,
    },
  };
}
