/**
 * A polycrystal of beta-Li3PS4: Voronoi grains in a periodic cubic box, each a crystal with a random orientation,
 * built of whole bodies (a PS4 anion with its four S, or a Li) placed by their anchor's position (the P, or the Li):
 * a body belongs to the grain whose seed is nearest its anchor (minimum image). Where grains meet, overlapping bodies
 * are removed and the cell made Li3PS4 again by the bicrystal builder's rules (gb/units.ts), with the distance to the
 * nearest Voronoi face as the boundary distance.
 */
import { volume } from '../model/cell.ts';
import { seededUniform } from '../model/random.ts';
import { quaternionMatrix } from '../model/rotation.ts';
import type { Structure } from '../model/structure.ts';
import { anionAnchors, removeOverlappingBodies, type UnitRemoval } from './gb/units.ts';
import { betaLi3PS4 } from './li3ps4.ts';

export interface PolycrystalSpec {
  grains: number;
  /** Atoms wanted (before the boundaries' removals): sets the box. */
  atoms: number;
  seed: number;
}

export interface PolycrystalReport {
  grains: number;
  /** Edge of the cubic box, A. */
  box: number;
  atoms: number;
  formulaUnits: number;
  /** Unit quaternions (w, x, y, z) of each grain's orientation. */
  orientations: number[][];
  /** Atoms in each grain after the removals. */
  grainAtoms: number[];
  removal: UnitRemoval;
}

/** Sizes the builder accepts: refused before any allocation. */
export const POLYCRYSTAL_LIMITS = { grains: 1000, atoms: 2_000_000 } as const;

type Vec = [number, number, number];

/** A uniformly random rotation (Shoemake, Graphics Gems III, 1992) as a quaternion and its matrix (row-major). */
function randomRotation(u: () => number): { q: number[]; m: number[] } {
  const [u1, u2, u3] = [u(), u(), u()];
  const a = Math.sqrt(1 - u1);
  const b = Math.sqrt(u1);
  const [x, y, z, w] = [
    a * Math.sin(2 * Math.PI * u2),
    a * Math.cos(2 * Math.PI * u2),
    b * Math.sin(2 * Math.PI * u3),
    b * Math.cos(2 * Math.PI * u3),
  ];
  const m = quaternionMatrix(w, x, y, z);
  return { q: [w, x, y, z], m };
}

const rotate = (m: number[], v: Vec): Vec => [
  m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
  m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
  m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
];

export function buildPolycrystal(spec: PolycrystalSpec): { structure: Structure; report: PolycrystalReport } {
  const { grains, atoms, seed } = spec;
  if (!Number.isInteger(grains) || grains < 1 || grains > POLYCRYSTAL_LIMITS.grains)
    throw new Error(`a polycrystal has 1 to ${POLYCRYSTAL_LIMITS.grains} grains, not ${grains}`);
  if (!Number.isInteger(atoms) || atoms < 32 * grains || atoms > POLYCRYSTAL_LIMITS.atoms)
    throw new Error(
      `a polycrystal of ${grains} grains has ${32 * grains} to ${POLYCRYSTAL_LIMITS.atoms} atoms (32 per grain at least), not ${atoms}`,
    );
  const unit = betaLi3PS4();
  const { anchor: unitAnchor, offset: unitOffset } = anionAnchors(unit);
  const L = Math.cbrt((atoms * volume(unit.cell)) / unit.types.length);
  const u = seededUniform(seed);
  const seeds: Vec[] = Array.from({ length: grains }, () => [u() * L, u() * L, u() * L]);
  const rotations = Array.from({ length: grains }, () => randomRotation(u));
  const minImage = (d: number) => d - L * Math.round(d / L);
  const wrap = (x: number) => x - L * Math.floor(x / L);
  const d2 = new Float64Array(grains);
  /** The nearest seed (minimum image; ties to the lower index); leaves every seed's squared distance in `d2`. */
  const nearest = (x: number, y: number, z: number): number => {
    let best = 0;
    for (let g = 0; g < grains; g++) {
      const s = seeds[g];
      d2[g] = minImage(x - s[0]) ** 2 + minImage(y - s[1]) ** 2 + minImage(z - s[2]) ** 2;
      if (d2[g] < d2[best]) best = g;
    }
    return best;
  };
  // seed separations (minimum image), for the distance to a Voronoi face
  const separation = seeds.map((a) =>
    seeds.map((b) => Math.hypot(minImage(b[0] - a[0]), minImage(b[1] - a[1]), minImage(b[2] - a[2]))),
  );
  /** Distance to the nearest Voronoi face of grain `g`, from the `d2` of the last `nearest` call. */
  const faceDistance = (g: number): number => {
    if (grains === 1) return L;
    let face = Number.POSITIVE_INFINITY;
    for (let h = 0; h < grains; h++)
      if (h !== g && separation[g][h] > 0) face = Math.min(face, (d2[h] - d2[g]) / (2 * separation[g][h]));
    return face;
  };
  // each grain's reach: the farthest sample point of its Voronoi cell, plus margins for the sampling and for a body's
  // extent (the S of an anion sit 2 A from its P)
  const spacing = Math.max(2, L / 48);
  const samples = Math.ceil(L / spacing);
  const reach = new Float64Array(grains);
  for (let i = 0; i < samples; i++)
    for (let j = 0; j < samples; j++)
      for (let k = 0; k < samples; k++) {
        const p: Vec = [(i + 0.5) * (L / samples), (j + 0.5) * (L / samples), (k + 0.5) * (L / samples)];
        const grain = nearest(p[0], p[1], p[2]);
        const s = seeds[grain];
        const r = Math.hypot(minImage(p[0] - s[0]), minImage(p[1] - s[1]), minImage(p[2] - s[2]));
        reach[grain] = Math.max(reach[grain], r);
      }
  const margin = 2 * Math.sqrt(3) * spacing + 3;
  const lat = unit.cell.lattice;
  const edges = [
    Math.hypot(lat[0], lat[1], lat[2]),
    Math.hypot(lat[3], lat[4], lat[5]),
    Math.hypot(lat[6], lat[7], lat[8]),
  ];
  const bodies = Array.from({ length: unit.types.length }, (_, k) => k).filter((k) => unitAnchor[k] === k);
  const membersOf = bodies.map((b) =>
    Array.from({ length: unit.types.length }, (_, k) => k).filter((k) => unitAnchor[k] === b),
  );
  const types: number[] = [];
  const positions: number[] = [];
  const grainOf: number[] = [];
  const face: number[] = [];
  const anchor: number[] = [];
  for (let g = 0; g < grains; g++) {
    const R = reach[g] + margin;
    const m = rotations[g].m;
    const n = edges.map((e) => Math.ceil(R / e) + 1);
    for (let i = -n[0]; i <= n[0]; i++)
      for (let j = -n[1]; j <= n[1]; j++)
        for (let k = -n[2]; k <= n[2]; k++)
          for (let b = 0; b < bodies.length; b++) {
            const a = bodies[b];
            const cx = i * lat[0] + j * lat[3] + k * lat[6] + unit.positions[3 * a];
            const cy = i * lat[1] + j * lat[4] + k * lat[7] + unit.positions[3 * a + 1];
            const cz = i * lat[2] + j * lat[5] + k * lat[8] + unit.positions[3 * a + 2];
            const r = rotate(m, [cx, cy, cz]);
            // the grain's copy of a point is the one at the minimum image from its seed: farther copies would come
            // back into the box through a periodic boundary and sit beside the first
            if (Math.abs(r[0]) > L / 2 || Math.abs(r[1]) > L / 2 || Math.abs(r[2]) > L / 2) continue;
            if (Math.hypot(r[0], r[1], r[2]) > R) continue;
            const p: Vec = [wrap(seeds[g][0] + r[0]), wrap(seeds[g][1] + r[1]), wrap(seeds[g][2] + r[2])];
            if (nearest(p[0], p[1], p[2]) !== g) continue;
            const toFace = faceDistance(g);
            const first = types.length;
            for (const q of membersOf[b]) {
              const o = rotate(m, [unitOffset[3 * q], unitOffset[3 * q + 1], unitOffset[3 * q + 2]]);
              types.push(unit.types[q]);
              positions.push(wrap(p[0] + o[0]), wrap(p[1] + o[1]), wrap(p[2] + o[2]));
              grainOf.push(g);
              face.push(toFace);
              anchor.push(first);
            }
          }
  }
  const cell = {
    lattice: Float64Array.from([L, 0, 0, 0, L, 0, 0, 0, L]),
    pbc: [true, true, true] as [boolean, boolean, boolean],
  };
  const raw: Structure = {
    cell,
    species: [...unit.species],
    types: Int32Array.from(types),
    positions: Float64Array.from(positions),
  };
  const { keep, report: removal } = removeOverlappingBodies(
    raw,
    Int32Array.from(anchor),
    Int32Array.from(grainOf),
    Float64Array.from(face),
  );
  const pick = <T extends Int32Array | Float64Array>(a: T, width: number, make: (n: number) => T): T => {
    const out = make(keep.length * width);
    keep.forEach((i, k) => {
      for (let d = 0; d < width; d++) out[width * k + d] = a[width * i + d];
    });
    return out;
  };
  const structure: Structure = {
    cell,
    species: raw.species,
    types: pick(raw.types, 1, (n) => new Int32Array(n)),
    positions: pick(raw.positions, 3, (n) => new Float64Array(n)),
    labels: {
      grain: pick(Int32Array.from(grainOf), 1, (n) => new Int32Array(n)),
      boundaryDistance: pick(Float64Array.from(face), 1, (n) => new Float64Array(n)),
    },
    title: `beta-Li3PS4 polycrystal, ${grains} grains (seed ${seed})`,
  };
  const grainAtoms = new Array<number>(grains).fill(0);
  for (const g of structure.labels!.grain!) grainAtoms[g]++;
  const p = structure.types.filter((t) => structure.species[t] === 'P').length;
  return {
    structure,
    report: {
      grains,
      box: L,
      atoms: structure.types.length,
      formulaUnits: p,
      orientations: rotations.map((r) => r.q),
      grainAtoms,
      removal,
    },
  };
}
