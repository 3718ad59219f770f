/**
 * An atomic neighbourhood cut out of a large structure (a grain boundary in MD) and set into a periodic cell of bulk
 * size, so that DFT can label it like a bulk cell: active learning on neighbourhoods (the approach of MLIP-3,
 * Podryabinkin, Garifullin, Shapeev, Novikov, J. Chem. Phys. 159, 084112 (2023)). A boundary cell of 300-3000 atoms
 * is beyond CP2K on two cores and slabs with vacuum converge badly; a 64-100 atom cell holding the one neighbourhood
 * the potential is unsure of converges like the bulk.
 *
 * The cut: every body (a PS4 unit, whole; a Li; an S that lost its P) with an atom within `radius` of the chosen atom,
 * at its position relative to that atom (minimum image). The rest of the cell is filled with the crystal (whole units
 * whose P falls in the cell, at the crystal's own orientation, none with an atom within `radius`), overlaps and the
 * charge resolved by removing filler bodies only (units.ts), so the cell is neutral and no anion is cut. So within
 * `radius` of the chosen atom the cell is the source exactly (voids included); beyond it, the cut's own units and
 * crystal. The filler is then relaxed with the potential while the cut stays fixed (the caller: md/fire.ts `fixed`).
 * A cell of about 100 atoms (edge 14 A) holds a cut of the first coordination shell (radius 3 A) with its anions:
 * the cut reaches about radius + 3.4 A, and must not meet its own periodic image. Only the forces on the atoms within
 * `fitRadius` of the chosen atom are meant to be fitted (by default the atom alone): they are the ones whose
 * surroundings are the source's, while the energy and the stress belong to the whole artificial cell.
 */
import { nearestImage } from '../model/cell.ts';
import { contactLimit, PS_BOND, PS4 } from '../model/ps4.ts';
import type { Structure } from '../model/structure.ts';
import { anionAnchors, removeOverlappingBodies, type UnitRemoval } from './gb/units.ts';
import { repeatStructure } from './supercell.ts';

export interface NeighbourhoodOptions {
  /** Bodies with an atom within this of the chosen atom are cut out whole, A. */
  radius: number;
  /** Atoms within this of the chosen atom have their forces fitted, A. */
  fitRadius: number;
  /** The bulk crystal that fills the rest of the cell (periodic). */
  crystal: Structure;
  /**
   * The cell, as repeats of the crystal's (so the filler is the crystal itself, with no seam at the cell faces). The
   * cut reaches about radius + 3.4 A from the centre, so each height must exceed twice that by a contact distance,
   * or the cut meets its own periodic image (refused).
   */
  repeats: [number, number, number];
}

/**
 * The least atom density, as a fraction of the crystal's, of a cell worth labelling. Below it the filler gave way to
 * the cut and left voids: the cell is then a porous solid with internal surfaces, not the boundary (the cells of
 * rounds 12 and 13 held 45-80 % of the crystal's atoms; data/README.md).
 */
export const MIN_CELL_DENSITY = 0.9;

export interface NeighbourhoodCell {
  structure: Structure;
  /** Atoms in the cell over the atoms the crystal has in the same volume. */
  density: number;
  /** 1 for the atoms cut from the source (held fixed when the filler relaxes). */
  cut: Uint8Array;
  /** 1 for the atoms whose forces are fitted. */
  fit: Uint8Array;
  /** Index in the cell of the chosen atom. */
  centre: number;
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

export function neighbourhoodCell(source: Structure, atom: number, o: NeighbourhoodOptions): NeighbourhoodCell {
  const filler = repeatStructure(o.crystal, ...o.repeats);
  const lattice = Float64Array.from(filler.cell.lattice);
  const L = lattice;
  const mid = [0, 1, 2].map((d) => 0.5 * (L[d] + L[3 + d] + L[6 + d]));
  const species = [...source.species];
  for (const sym of filler.species) if (!species.includes(sym)) species.push(sym);
  const types: number[] = [];
  const pos: number[] = [];
  const anchors: number[] = [];
  const cut: number[] = [];
  const el = (i: number) => species[types[i]];
  // the cut: bodies of the source with an atom within radius of the chosen atom, placed around the cell's centre
  const srcAnchor = bodiesOf(source);
  const members = new Map<number, number[]>();
  for (let i = 0; i < srcAnchor.length; i++) members.set(srcAnchor[i], [...(members.get(srcAnchor[i]) ?? []), i]);
  let centre = -1;
  for (const [b, atoms] of members) {
    if (!atoms.some((a) => nearestImage(source.cell.lattice, source.positions, atom, a).distance < o.radius)) continue;
    const toAnchor = nearestImage(source.cell.lattice, source.positions, atom, b).vector;
    // a body's anchor is its P (or the atom itself): the removal rules tell units from Li by it
    const own = types.length + atoms.indexOf(b);
    for (const a of atoms) {
      const rel = a === b ? [0, 0, 0] : nearestImage(source.cell.lattice, source.positions, b, a).vector;
      if (a === atom) centre = types.length;
      types.push(species.indexOf(source.species[source.types[a]]));
      for (let d = 0; d < 3; d++) pos.push(mid[d] + toAnchor[d] + rel[d]);
      anchors.push(own);
      cut.push(1);
    }
  }
  if (centre < 0) throw new Error(`atom ${atom + 1} is not in its own neighbourhood (radius ${o.radius} A)`);
  // the cut against its own periodic images: the cell must be large enough for it
  const images: number[][] = [];
  for (const a of [-1, 0, 1])
    for (const b of [-1, 0, 1])
      for (const c of [-1, 0, 1])
        if (a || b || c) images.push([0, 1, 2].map((d) => a * L[d] + b * L[3 + d] + c * L[6 + d]));
  for (let i = 0; i < types.length; i++) {
    for (let j = i; j < types.length; j++) {
      for (const t of images) {
        const r = Math.hypot(...[0, 1, 2].map((k) => pos[3 * j + k] + t[k] - pos[3 * i + k]));
        if (r < contactLimit(el(i), el(j)))
          throw new Error(
            `the cell (${o.repeats.join(' x ')} crystal cells) is too small for a ${o.radius} A cut: atoms ` +
              `${i + 1} and ${j + 1} of the cut meet their images ${r.toFixed(2)} A apart`,
          );
      }
    }
  }
  // the filler: the crystal's whole units (and Li), none with an atom within radius of the centre
  const fill = anionAnchors(filler);
  const byAnchor = new Map<number, number[]>();
  for (let i = 0; i < fill.anchor.length; i++)
    byAnchor.set(fill.anchor[i], [...(byAnchor.get(fill.anchor[i]) ?? []), i]);
  for (const [b, atoms] of byAnchor) {
    const at = (a: number) => [0, 1, 2].map((d) => filler.positions[3 * b + d] + fill.offset[3 * a + d]);
    // nothing is added within the radius (periodically): there the cell is the source, voids included
    const inside = atoms.some((a) => {
      const r = at(a);
      return [[0, 0, 0], ...images].some((t) => Math.hypot(...[0, 1, 2].map((d) => r[d] + t[d] - mid[d])) < o.radius);
    });
    if (inside) continue;
    const own = types.length + atoms.indexOf(b);
    for (const a of atoms) {
      types.push(species.indexOf(filler.species[filler.types[a]]));
      pos.push(...at(a));
      anchors.push(own);
      cut.push(0);
    }
  }
  const cell = { lattice, pbc: [true, true, true] as [boolean, boolean, boolean] };
  const all: Structure = { cell, species, types: Int32Array.from(types), positions: Float64Array.from(pos) };
  // the filler gives way to the cut: every filler body is a candidate for removal, the cut is never removed
  const { keep, report } = removeOverlappingBodies(
    all,
    Int32Array.from(anchors),
    Int32Array.from(cut, (k) => (k ? 0 : 1)),
    new Float64Array(types.length),
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
    const d = Math.hypot(pos[3 * i] - mid[0], pos[3 * i + 1] - mid[1], pos[3 * i + 2] - mid[2]);
    return cut[i] && d < o.fitRadius ? 1 : 0;
  });
  const density = keep.length / (o.crystal.types.length * o.repeats[0] * o.repeats[1] * o.repeats[2]);
  return {
    structure,
    density,
    cut: Uint8Array.from(keep, (i) => cut[i]),
    fit,
    centre: keep.indexOf(centre),
    removal: report,
  };
}
