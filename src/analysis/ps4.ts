/**
 * The PS4 census of a frame: is the thiophosphate still a salt of whole PS4^3- anions? Counted with the limits of
 * model/ps4.ts, so a structure as built, a frame of MD and the bench all count the same way.
 */

import { buildNeighborList } from '../model/neighbors.ts';
import { CENSUS_WINDOW_FS, PP_CONTACT, PS_BOND, PS4, SS_BOND } from '../model/ps4.ts';
import type { Structure } from '../model/structure.ts';

export interface Ps4Census {
  /** P atoms. */
  centres: number;
  /** P atoms with exactly four S within PS_BOND. */
  intact: number;
  /** intact / centres (NaN without P). */
  intactFraction: number;
  /** S-S pairs closer than SS_BOND. */
  sulfurBonds: number;
  /** P-P pairs closer than PP_CONTACT. */
  phosphorusContacts: number;
  /** The shortest distance between any two atoms (periodic), A; Infinity when none is within PP_CONTACT. */
  minDistance: number;
}

/** The census of `s` with the atoms at `positions` (the structure's own by default). */
export function ps4Census(s: Structure, positions: Float64Array = s.positions): Ps4Census {
  const nl = buildNeighborList(positions, s.cell, Math.max(PS_BOND, SS_BOND, PP_CONTACT));
  let centres = 0;
  let intact = 0;
  let sulfurBonds = 0;
  let phosphorusContacts = 0;
  let minDistance = Number.POSITIVE_INFINITY;
  for (let i = 0; i < s.types.length; i++) {
    const el = s.species[s.types[i]];
    let ligands = 0;
    for (let e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
      const j = nl.index[e];
      const d = Math.hypot(nl.vectors[3 * e], nl.vectors[3 * e + 1], nl.vectors[3 * e + 2]);
      minDistance = Math.min(minDistance, d);
      const other = s.species[s.types[j]];
      if (el === PS4.centre && other === PS4.ligand && d < PS_BOND) ligands++;
      // each pair is listed from both ends, and an atom's own image at +v and -v: count half of each listing
      if (el === PS4.ligand && other === PS4.ligand && d < SS_BOND) sulfurBonds += 0.5;
      if (el === PS4.centre && other === PS4.centre && d < PP_CONTACT) phosphorusContacts += 0.5;
    }
    if (el === PS4.centre) {
      centres++;
      if (ligands === PS4.ligands) intact++;
    }
  }
  return {
    centres,
    intact,
    intactFraction: centres ? intact / centres : Number.NaN,
    sulfurBonds,
    phosphorusContacts,
    minDistance,
  };
}

/**
 * The census of an MD run as a chemist reads it: of the positions averaged over the last CENSUS_WINDOW_FS of frames
 * (model/ps4.ts says why), with the single frame beside it. Feed it every frame with its time (unwrapped positions,
 * as the engine records them, every CENSUS_SAMPLE_FS); `take` a census when the run wants one (every picosecond, and
 * at its end): the worst of them is kept.
 */
export class MdCensus {
  /** Lowest fraction of whole units in a census of the window's mean positions (1 before any). */
  lowestIntact = 1;
  /** Lowest fraction of whole units in the single frame of a census (1 before any). */
  lowestIntactInstant = 1;
  /** Most S-S bonds in the single frame of a census. */
  mostSulfurBonds = 0;
  private frames: { time: number; positions: Float64Array }[] = [];
  private spare: Float64Array[] = [];

  constructor(private readonly s: Structure) {}

  add(timeFs: number, positions: Float64Array): void {
    // frames that left the window lend their buffers to the next ones
    while (this.frames.length > 0 && this.frames[0].time <= timeFs - CENSUS_WINDOW_FS)
      this.spare.push(this.frames.shift()!.positions);
    const copy = this.spare.pop() ?? new Float64Array(positions.length);
    copy.set(positions);
    this.frames.push({ time: timeFs, positions: copy });
  }

  /** The census of the window's mean positions; `frame` (the latest) is counted too, for the single-frame figures. */
  take(frame: Float64Array): Ps4Census {
    const mean = new Float64Array(this.s.positions.length);
    for (const f of this.frames) for (let k = 0; k < mean.length; k++) mean[k] += f.positions[k];
    for (let k = 0; k < mean.length; k++) mean[k] /= Math.max(1, this.frames.length);
    const averaged = ps4Census(this.s, this.frames.length > 0 ? mean : frame);
    const single = ps4Census(this.s, frame);
    this.lowestIntact = Math.min(this.lowestIntact, averaged.intactFraction);
    this.lowestIntactInstant = Math.min(this.lowestIntactInstant, single.intactFraction);
    this.mostSulfurBonds = Math.max(this.mostSulfurBonds, single.sulfurBonds);
    return averaged;
  }
}

/**
 * What makes a census not a salt of whole PS4 units, in words (broken units, S-S pairs, P-P contacts, or with `floor`
 * a contact shorter than it, A), or null when nothing does. One wording for every check that refuses a structure.
 */
export function ps4Problem(c: Ps4Census, floor = 0): string | null {
  if (c.intact < c.centres) return `${c.centres - c.intact} PS4 units broken`;
  if (c.sulfurBonds > 0) return `${c.sulfurBonds} S-S pairs`;
  if (c.phosphorusContacts > 0) return `${c.phosphorusContacts} P-P contacts`;
  if (c.minDistance < floor) return `a contact of ${c.minDistance.toFixed(2)} A`;
  return null;
}

/**
 * The P-S bonds of a structure whose anions are whole: each S with its nearest P within PS_BOND, as [P, S] index
 * pairs (an S further than PS_BOND from every P is in no bond). For holding the units together while a grain melts.
 */
export function ps4Bonds(s: Structure, positions: Float64Array = s.positions): [number, number][] {
  const nl = buildNeighborList(positions, s.cell, PS_BOND);
  const bonds: [number, number][] = [];
  for (let i = 0; i < s.types.length; i++) {
    if (s.species[s.types[i]] !== PS4.ligand) continue;
    let nearest = -1;
    let best = PS_BOND;
    for (let e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
      const j = nl.index[e];
      const d = Math.hypot(nl.vectors[3 * e], nl.vectors[3 * e + 1], nl.vectors[3 * e + 2]);
      if (s.species[s.types[j]] === PS4.centre && d < best) {
        best = d;
        nearest = j;
      }
    }
    if (nearest >= 0) bonds.push([nearest, i]);
  }
  return bonds;
}
