/**
 * An atomic neighbourhood cut out of a large structure (a grain boundary in MD) and set into a periodic cell of bulk
 * size, so that DFT can label it like a bulk cell: active learning on neighbourhoods (the approach of MLIP-3,
 * Podryabinkin, Garifullin, Shapeev, Novikov, J. Chem. Phys. 159, 084112 (2023)). A boundary cell of 300-3000 atoms
 * is beyond CP2K on two cores and slabs with vacuum converge badly; a cell of about 100 atoms holding the one
 * neighbourhood the potential is unsure of converges like the bulk.
 *
 * The cell is a piece of the source itself: every body (a PS4 unit, whole; a Li; an S that lost its P) of the source
 * whose anchor (its P, or the atom) lies in the cell centred on the chosen atom, at its place relative to that atom,
 * periodic images of the source included. Along a cell vector that is a lattice vector of the source, the cell is the
 * source's own period (a bicrystal's in-plane vectors, boundaryCellLattice); along the others it meets its own image
 * at a seam, where bodies from opposite faces meet. There overlapping bodies are removed whole and then units or Li
 * until the cell is neutral (units.ts, the removals taken nearest a seam), never a body with an atom within `radius`
 * of the chosen atom (the cut). The caller then relaxes everything but the cut with the potential (md/fire.ts
 * `fixed`), which heals the seam; densestNeighbourhoodCell chooses the seam's spacing and registry.
 * The cut reaches about radius + 3.4 A from the centre (an S within the radius brings its unit) and must not meet its
 * own periodic image (refused). `fit` marks the atoms within `fitRadius` of the chosen atom: their surroundings are
 * the source's out to the cut radius whatever the relaxation does, and out to the seam before it.
 */
import { faceSpacings, nearestImage, toFractional, volume } from '../model/cell.ts';
import { contactLimit, PS_BOND, PS4 } from '../model/ps4.ts';
import type { Structure } from '../model/structure.ts';
import { removeOverlappingBodies, type UnitRemoval } from './gb/units.ts';

export interface NeighbourhoodOptions {
  /** Bodies with an atom within this of the chosen atom are the cut, held as they are, A. */
  radius: number;
  /** Atoms within this of the chosen atom are marked for fitting, A. */
  fitRadius: number;
  /** The cell's lattice vectors (rows, A), centred on the chosen atom. */
  lattice: ArrayLike<number>;
}

/**
 * The least atom density, as a fraction of the source's, of a cell worth labelling. The seam is a second interface
 * in a cell of about 13 A, and the densest cells keep 0.71-0.98 of the source's atoms; below this the seam took so
 * many bodies that the cell holds voids, a porous solid with internal surfaces (the crystal-filled cells of rounds 12
 * and 13 held 45-80 % of the crystal's atoms; data/README.md). Even above it DFT puts such cells 0.17-0.44 eV/atom
 * above the crystal (round 20): the seam stays open, since nothing here relaxes the cell's height.
 */
export const MIN_CELL_DENSITY = 0.7;

/** A cell whose periods bring the cut against its own images: a larger cell, or the next frame, instead. */
export class CellTooSmallError extends Error {}

export interface NeighbourhoodCell {
  structure: Structure;
  /** Atoms in the cell over the atoms the source has in the same volume. */
  density: number;
  /** 1 for the atoms of the cut (held fixed when the rest relaxes). */
  cut: Uint8Array;
  /** 1 for the atoms whose forces are fitted. */
  fit: Uint8Array;
  /** Index in the cell of the chosen atom. */
  centre: number;
  /** Each atom's body: the index in the cell of its anchor (its P, or the atom itself). */
  bodies: Int32Array;
  /** Which cell vectors cross a seam (false: the source's own period, no seam). */
  seams: [boolean, boolean, boolean];
  removal: UnitRemoval;
}

/** Each atom's body in a structure that may hold broken anions: an S goes with its nearest P within the bond length. */
export function bodiesOf(s: Structure): Int32Array {
  const n = s.types.length;
  const anchor = Int32Array.from({ length: n }, (_, i) => i);
  const el = (i: number) => s.species[s.types[i]];
  const centres = [...s.types.keys()].filter((i) => el(i) === PS4.centre);
  for (let i = 0; i < n; i++) {
    if (el(i) !== PS4.ligand) continue;
    let best = PS_BOND;
    for (const p of centres) {
      const d = nearestImage(s.cell.lattice, s.positions, p, i).distance;
      if (d < best) {
        best = d;
        anchor[i] = p;
      }
    }
  }
  return anchor;
}

/** How a neighbourhood cell of a bicrystal is sized in the plane (keptPeriods). */
export interface InPlaneRule {
  /** The edge that replaces an in-plane period not kept, A. */
  edge: number;
  /** An in-plane period at most this long is kept, A. */
  maxEdge: number;
  /**
   * A longer period is kept too when the cell, at `height` and the source's mean density, still holds at most this
   * many atoms (the shorter of two such periods first); absent, the length alone decides.
   */
  maxAtoms?: number;
}

/**
 * Which in-plane vectors (a, b) of a bicrystal in the builder's frame a neighbourhood cell keeps as the source's own
 * period: along a kept one the cell has no seam, a seam costs atoms and holds an interface that is not the boundary.
 * The length rule keeps periods up to `maxEdge`; `maxAtoms` keeps a longer one where the cell stays that small (the
 * (2-10)'s 17.5 A and the (201)'s 26.4 A periods, about 130 atoms at 14 A), since DFT's cost is in the atoms.
 */
export function keptPeriods(source: Structure, rule: InPlaneRule, height: number): [boolean, boolean] {
  const S = source.cell.lattice;
  const len = (k: number) => Math.hypot(S[3 * k], S[3 * k + 1], S[3 * k + 2]);
  const keep: [boolean, boolean] = [len(0) <= rule.maxEdge, len(1) <= rule.maxEdge];
  if (rule.maxAtoms === undefined) return keep;
  const perVolume = source.types.length / volume(source.cell);
  // in-plane area of the cell with the periods decided so far (the source's a and b need not be orthogonal)
  const area = () => {
    const a = keep[0] ? [S[0], S[1]] : [rule.edge, 0];
    const b = keep[1] ? [S[3], S[4]] : [0, rule.edge];
    return Math.abs(a[0] * b[1] - a[1] * b[0]);
  };
  for (const k of [0, 1].filter((k) => !keep[k]).sort((i, j) => len(i) - len(j))) {
    keep[k] = true;
    if (area() * height * perVolume > rule.maxAtoms) keep[k] = false;
  }
  return keep;
}

/**
 * The lattice of a neighbourhood cell for a bicrystal in the builder's frame (in-plane vectors a along x and b in the
 * xy plane, the normal along z): each in-plane vector of the source kept as keptPeriods says, so that along it the
 * cell is the source's own period and has no seam; one not kept replaced by `edge` along x (a) or y (b). The third
 * vector is `height` along the normal plus `shift` (fractions of the cell's a and b) in the plane: it sets where the
 * grains meet their images across the seam, as the rigid-body translation of a boundary does.
 */
export function boundaryCellLattice(
  source: Structure,
  o: { edge: number; keep: [boolean, boolean]; height: number; shift: [number, number] },
): Float64Array {
  const S = source.cell.lattice;
  const row = (k: number) => [S[3 * k], S[3 * k + 1], S[3 * k + 2]];
  const a = o.keep[0] ? row(0) : [o.edge, 0, 0];
  const b = o.keep[1] ? row(1) : [0, o.edge, 0];
  const c = [0, 1].map((d) => o.shift[0] * a[d] + o.shift[1] * b[d]);
  return Float64Array.from([...a, ...b, c[0], c[1], o.height]);
}

/** A body of the source seen from the chosen atom: its atoms, the vector to its anchor, and each atom's from it. */
interface SourceBody {
  anchor: number;
  atoms: number[];
  toAnchor: number[];
  rel: number[][];
}

/** The source's bodies as seen from the chosen atom; they do not depend on the cell, so a scan of cells shares them. */
function bodiesAround(source: Structure, atom: number): SourceBody[] {
  const SL = source.cell.lattice;
  const srcAnchor = bodiesOf(source);
  const members = new Map<number, number[]>();
  for (let i = 0; i < srcAnchor.length; i++) members.set(srcAnchor[i], [...(members.get(srcAnchor[i]) ?? []), i]);
  return [...members].map(([b, atoms]) => ({
    anchor: b,
    atoms,
    toAnchor: nearestImage(SL, source.positions, atom, b).vector,
    rel: atoms.map((a) => (a === b ? [0, 0, 0] : nearestImage(SL, source.positions, b, a).vector)),
  }));
}

export function neighbourhoodCell(source: Structure, atom: number, o: NeighbourhoodOptions): NeighbourhoodCell {
  return cellFromBodies(source, atom, bodiesAround(source, atom), o);
}

function cellFromBodies(
  source: Structure,
  atom: number,
  bodies: SourceBody[],
  o: NeighbourhoodOptions,
): NeighbourhoodCell {
  const L = Float64Array.from(o.lattice);
  const cell = { lattice: L, pbc: [true, true, true] as [boolean, boolean, boolean] };
  const spacing = faceSpacings(cell);
  const SL = source.cell.lattice;
  // a cell vector that is a lattice vector of the source joins the source to itself there: no seam
  const seamless = [0, 1, 2].map((k) =>
    Array.from(toFractional(source.cell, L.subarray(3 * k, 3 * k + 3))).every(
      (f) => Math.abs(f - Math.round(f)) < 1e-6,
    ),
  );
  const mid = [0, 1, 2].map((d) => 0.5 * (L[d] + L[3 + d] + L[6 + d]));
  const species = [...source.species];
  const types: number[] = [];
  const pos: number[] = [];
  const anchors: number[] = [];
  const cut: number[] = [];
  /** Each body's distance from the nearest seam of the cell: where rule 3 of the removal takes from. */
  const seam: number[] = [];
  const el = (i: number) => species[types[i]];
  // the source's periodic images that can reach into the cell from the chosen atom
  let reach = 0;
  for (const sa of [-0.5, 0.5])
    for (const sb of [-0.5, 0.5])
      for (const sc of [-0.5, 0.5])
        reach = Math.max(reach, Math.hypot(...[0, 1, 2].map((d) => sa * L[d] + sb * L[3 + d] + sc * L[6 + d])));
  const range = faceSpacings(source.cell).map((h) => Math.ceil(reach / h) + 1);
  /** Distance of a point (relative to the chosen atom) from the chosen atom in the cell, nearest image. */
  const fromCentre = (r: number[]) => nearestImage(L, [0, 0, 0, ...r], 0, 1).distance;
  let centre = -1;
  for (const { anchor: b, atoms, toAnchor, rel } of bodies) {
    for (let i = -range[0]; i <= range[0]; i++)
      for (let j = -range[1]; j <= range[1]; j++)
        for (let k = -range[2]; k <= range[2]; k++) {
          const v = [0, 1, 2].map((d) => toAnchor[d] + i * SL[d] + j * SL[3 + d] + k * SL[6 + d]);
          // each body once per period of the cell: its anchor in the half-open cell centred on the chosen atom
          // rounded, so that an anchor on a face (a crystal's special position) is taken once, not twice or never
          const f = Array.from(toFractional(cell, v), (x) => Math.round(x * 1e9) / 1e9);
          if (f.some((x) => x < -0.5 || x >= 0.5)) continue;
          const at = rel.map((r) => r.map((x, d) => v[d] + x));
          // a body's anchor is its P (or the atom itself): the removal rules tell units from Li by it
          const own = types.length + atoms.indexOf(b);
          const inCut = at.some((r) => fromCentre(r) < o.radius);
          const toSeam = Math.min(
            Number.POSITIVE_INFINITY,
            ...f.flatMap((x, d) => (seamless[d] ? [] : [(0.5 - Math.abs(x)) * spacing[d]])),
          );
          for (const [m, a] of atoms.entries()) {
            if (a === atom && Math.hypot(...at[m]) < 1e-9) centre = types.length;
            types.push(source.types[a]);
            for (let d = 0; d < 3; d++) pos.push(mid[d] + at[m][d]);
            anchors.push(own);
            cut.push(inCut ? 1 : 0);
            seam.push(toSeam);
          }
        }
  }
  if (centre < 0) throw new Error(`atom ${atom + 1} is not in its own neighbourhood (radius ${o.radius} A)`);
  // the cut against its own periodic images: the cell must be large enough for it
  const images: number[][] = [];
  for (const a of [-1, 0, 1])
    for (const b of [-1, 0, 1])
      for (const c of [-1, 0, 1])
        if (a || b || c) images.push([0, 1, 2].map((d) => a * L[d] + b * L[3 + d] + c * L[6 + d]));
  const inCut = [...cut.keys()].filter((i) => cut[i]);
  for (const i of inCut) {
    for (const j of inCut) {
      if (j < i) continue;
      for (const t of images) {
        const r = Math.hypot(...[0, 1, 2].map((k) => pos[3 * j + k] + t[k] - pos[3 * i + k]));
        if (r < contactLimit(el(i), el(j)))
          throw new CellTooSmallError(
            `the cell (heights ${spacing.map((x) => x.toFixed(1)).join(' x ')} A) is too small for a ${o.radius} A ` +
              `cut: atoms ${i + 1} and ${j + 1} of the cut meet their images ${r.toFixed(2)} A apart`,
          );
      }
    }
  }
  const all: Structure = { cell, species, types: Int32Array.from(types), positions: Float64Array.from(pos) };
  // the seams give way: every body but the cut's is a candidate for removal, those nearest a seam first
  const { keep, report } = removeOverlappingBodies(
    all,
    Int32Array.from(anchors),
    new Int32Array(types.length),
    Float64Array.from(anchors, (a) => seam[a]),
    { protect: Uint8Array.from(cut), balance: 'cell' },
  );
  const structure: Structure = {
    cell,
    species,
    types: Int32Array.from(keep, (i) => types[i]),
    positions: Float64Array.from(keep.flatMap((i) => [pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]])),
    title: `neighbourhood of atom ${atom + 1}${source.title ? ` of ${source.title}` : ''}`,
  };
  const fit = Uint8Array.from(keep, (i) => {
    const d = fromCentre([0, 1, 2].map((k) => pos[3 * i + k] - mid[k]));
    return cut[i] && d < o.fitRadius ? 1 : 0;
  });
  const density = keep.length / ((source.types.length / volume(source.cell)) * volume(cell));
  const index = new Map(keep.map((i, k) => [i, k]));
  return {
    structure,
    density,
    cut: Uint8Array.from(keep, (i) => cut[i]),
    fit,
    centre: keep.indexOf(centre),
    bodies: Int32Array.from(keep, (i) => index.get(anchors[i])!),
    seams: seamless.map((x) => !x) as [boolean, boolean, boolean],
    removal: report,
  };
}

/**
 * The densest of the neighbourhood cells of a bicrystal atom over `heights` along the normal and `shifts` in the plane
 * (boundaryCellLattice): across the seam the two grains' crystal meet at a spacing and registry these set, and the one
 * with the fewest overlaps keeps the most bodies (ties: the first). The periods kept in the plane are decided once,
 * at the tallest height, so that every cell of the scan has the same seams. Cells that cannot hold the cut are passed
 * over; with none left, the last refusal is thrown.
 */
export function densestNeighbourhoodCell(
  source: Structure,
  atom: number,
  o: InPlaneRule & {
    radius: number;
    fitRadius: number;
    heights: number[];
    shifts: [number, number][];
  },
): NeighbourhoodCell {
  const bodies = bodiesAround(source, atom);
  const keep = keptPeriods(source, o, Math.max(...o.heights));
  let best: NeighbourhoodCell | null = null;
  let refusal: Error | null = null;
  for (const height of o.heights)
    for (const shift of o.shifts) {
      try {
        const nb = cellFromBodies(source, atom, bodies, {
          ...o,
          lattice: boundaryCellLattice(source, { edge: o.edge, keep, height, shift }),
        });
        if (!best || nb.density > best.density) best = nb;
      } catch (err) {
        if (!(err instanceof CellTooSmallError)) throw err;
        refusal = err;
      }
    }
  if (!best) throw refusal!;
  return best;
}

/** A scale too small for the cut: a scan of decreasing scales ends at the first. */
export class SeamRoomError extends Error {}

/**
 * The cell with its seams closed by `scale` (< 1): each cell vector that crosses a seam shortened by that factor, the
 * cut held where it is (its bodies move together, rigidly) and the bodies outside it moved towards the cut in
 * proportion to their distance from it, whole and rigid, so that across each seam the crystal and the cut's own image
 * come closer over the gap the removed bodies left. The seam's removals leave the cell at 0.7-0.98 of the
 * boundary's density, a porous solid whose internal surfaces DFT puts far above the boundary, and the relaxation at
 * fixed cell cannot close them (md/neighbourhood-relax.ts scans the scale and checks the chemistry at each).
 * Along a seam vector, an anchor's fractional coordinate (from the chosen atom) within the cut's anchors' extent w
 * keeps its Cartesian place (f / scale); beyond it [w, 1/2] maps linearly onto [w / scale, 1/2]. A scale that leaves
 * the cut's anchors no room (w / scale >= 1/2) is refused.
 */
export function closeSeams(nb: NeighbourhoodCell, scale: number): NeighbourhoodCell {
  if (!(scale > 0 && scale <= 1)) throw new Error(`closing seams: the scale must be in (0, 1], not ${scale}`);
  if (scale === 1) return nb;
  const s = nb.structure;
  const n = s.types.length;
  let L = Float64Array.from(s.cell.lattice);
  let pos = Float64Array.from(s.positions);
  for (let d = 0; d < 3; d++) {
    if (!nb.seams[d]) continue;
    const cell = { lattice: L, pbc: s.cell.pbc };
    const mid = [0, 1, 2].map((k) => 0.5 * (L[k] + L[3 + k] + L[6 + k]));
    const frac = toFractional(
      cell,
      Float64Array.from(pos, (x, i) => x - mid[i % 3]),
    );
    let w = 0;
    for (let i = 0; i < n; i++) if (nb.cut[i] && nb.bodies[i] === i) w = Math.max(w, Math.abs(frac[3 * i + d]));
    if (w / scale >= 0.5) {
      const height = faceSpacings(cell)[d];
      throw new SeamRoomError(
        `closing seams: the cut's anchors span ${(2 * w * height).toFixed(1)} A of a ${(height * scale).toFixed(1)} A cell`,
      );
    }
    const next = Float64Array.from(L);
    for (let k = 0; k < 3; k++) next[3 * d + k] *= scale;
    const nextMid = [0, 1, 2].map((k) => 0.5 * (next[k] + next[3 + k] + next[6 + k]));
    // each body moves as its anchor does
    const shift = new Float64Array(3 * n);
    for (let a = 0; a < n; a++) {
      if (nb.bodies[a] !== a) continue;
      const f = [frac[3 * a], frac[3 * a + 1], frac[3 * a + 2]];
      const x = Math.abs(f[d]);
      f[d] = x <= w ? f[d] / scale : Math.sign(f[d]) * (w / scale + ((x - w) * (0.5 - w / scale)) / (0.5 - w));
      for (let k = 0; k < 3; k++) {
        const now = f[0] * next[k] + f[1] * next[3 + k] + f[2] * next[6 + k] + nextMid[k];
        shift[3 * a + k] = now - pos[3 * a + k];
      }
    }
    pos = Float64Array.from(pos, (x, i) => x + shift[3 * nb.bodies[Math.floor(i / 3)] + (i % 3)]);
    L = next;
  }
  const cell = { lattice: L, pbc: s.cell.pbc };
  return {
    ...nb,
    structure: { ...s, cell, positions: pos },
    density: (nb.density * volume(s.cell)) / volume(cell),
  };
}
