/**
 * Whole PS4 anions at grain boundaries. The bicrystal builder places a grain's atoms by the anion they belong to: each
 * S goes with its P (the anion's centre decides the grain), so no anion is cut by a boundary plane. Where the two grains
 * meet, anions and Li that overlap are removed as whole bodies, and Li are then removed until the cell is Li3PS4 again
 * (neutral with formal charges), by rules stated below so that a build is reproducible and explainable.
 */
import { nearestImage } from '../../model/cell.ts';
import { buildNeighborList } from '../../model/neighbors.ts';
import { CONTACT_LIMIT, contactLimit, FORMAL_CHARGE, PS_BOND, PS4 } from '../../model/ps4.ts';
import type { Structure } from '../../model/structure.ts';
import { type NormalFrame, removalEnergy, sheetPotential, sheetPotentials } from './field.ts';

/**
 * For a bulk crystal (or a supercell of it, periodic in all three directions): the atom each atom moves with (an S its
 * P; a P or a Li itself) and the Cartesian vector from that anchor to the atom (the minimum image). Refuses a crystal
 * in which a P does not have exactly four S within the bond length, or an S belongs to no P or to two.
 */
export function anionAnchors(s: Structure): { anchor: Int32Array; offset: Float64Array } {
  const n = s.types.length;
  const anchor = Int32Array.from({ length: n }, (_, i) => i);
  const offset = new Float64Array(3 * n);
  const owner = new Int32Array(n).fill(-1);
  const el = (i: number) => s.species[s.types[i]];
  const ligands: number[] = [];
  for (let i = 0; i < n; i++) if (el(i) === PS4.ligand) ligands.push(i);
  for (let p = 0; p < n; p++) {
    if (el(p) !== PS4.centre) continue;
    let found = 0;
    for (const q of ligands) {
      const img = nearestImage(s.cell.lattice, s.positions, p, q);
      if (img.distance >= PS_BOND) continue;
      if (owner[q] >= 0) throw new Error(`S atom ${q + 1} is bonded to two P (${owner[q] + 1} and ${p + 1})`);
      owner[q] = p;
      anchor[q] = p;
      offset.set(img.vector, 3 * q);
      found++;
    }
    if (found !== PS4.ligands)
      throw new Error(`P atom ${p + 1} has ${found} S within ${PS_BOND} A, not ${PS4.ligands}: not a PS4 crystal`);
  }
  for (const q of ligands) if (owner[q] < 0) throw new Error(`S atom ${q + 1} belongs to no PS4 unit`);
  return { anchor, offset };
}

/** What the removal took out, and why, for the build report. */
export interface UnitRemoval {
  /** Whole PS4 units removed because they overlapped another unit across a boundary. */
  overlappingUnits: number;
  /** Li removed because they sat too close to another atom. */
  overlappingLi: number;
  /** PS4 units removed to restore the Li3PS4 ratio where overlaps took more Li than 3 per unit removed. */
  balanceUnits: number;
  /** Li removed to restore the Li3PS4 ratio (the most crowded first). */
  balanceLi: number;
  /** Atoms removed, by element. */
  removed: Record<string, number>;
  /** Formal charge of what was removed (0: the cell stays neutral). */
  chargeRemoved: number;
  /** Formal charge of each grain (or of the cell, when balanced as a whole) before rule 3 made it neutral. */
  grainCharges?: number[];
}

/** Distance from a boundary plane within which rule 3 removes bodies, A: about one anion layer. */
export const BOUNDARY_ZONE = 4;

interface Pair {
  i: number;
  j: number;
  d: number;
  /** contactLimit of the two elements */
  limit: number;
}

/**
 * Removes whole bodies (a PS4 unit, or a Li) so that no two bodies are closer than `CONTACT_LIMIT` and the cell is
 * neutral with formal charges (for whole units: Li3PS4). `anchor[i]` names atom i's body (as from `anionAnchors`,
 * indices into `s`); `grain[i]` its grain. The rules:
 * 1. While two units overlap, remove the unit with the most overlapping contacts; ties go to grain B (the grain
 *    placed onto A), then to the unit with the shortest contact.
 * 2. While a Li is closer than its limit to a remaining atom, remove the Li with the most such contacts (ties: the
 *    shortest contact); a protected Li (below) makes the unit it is too close to go instead.
 * 3. Each grain in turn (`balance: 'grain'`, the default), or the cell as a whole (`'cell'`): while it is negative
 *    (fewer than 3 Li per P), remove its most crowded unit (the shortest contact to another body); then, while it is
 *    positive, its most crowded Li (shortest distance to any remaining atom; ties: more atoms within 3 A).
 * Each grain is made neutral, not only the cell, because a grain that is not is a charged plate: with formal charges
 * a periodic bicrystal whose grains carry +-q has a field across both grains (a sawtooth of several volts over
 * 10-40 A), which DFT sees and a potential with a 5 A cutoff cannot. A Li belongs to the grain it was placed with.
 * With `field` (a bicrystal's normal), rule 3 chooses among its candidates first the body whose removal lowers the
 * plane-averaged Coulomb energy of the formal charges most (field.ts), then by crowding: which Li go decides whether
 * the boundaries are left charged.
 * The removals of rule 3 are taken from bodies within BOUNDARY_ZONE of a boundary plane (`boundaryDistance`): the
 * excess is made there, and the crystal inside the grains stays untouched (in the crystal every Li is as crowded as
 * every other, so without this the rule would pick an interior one).
 * Bodies whose anchor is marked in `protect` are never removed, and contacts between two of them do not count (a
 * neighbourhood cut from MD keeps its atoms as they were; it balances the cell, since the cut may carry a charge).
 * Returns the atoms kept (ascending) and what was removed.
 */
interface Contacts {
  count: number;
  shortest: number;
  within3: number;
}

/**
 * A distance rounded to 1e-6 A for ranking overlaps. Two Li of different grains that clash with each other tie
 * exactly (same count, same shortest distance); unrounded, last-digit noise, which changes with the grains'
 * thickness, chose which grain lost one and so what the balance then removed. Rounded, the tie goes to the rule.
 * (Balance ties are between bodies of one grain, equivalent by symmetry, so noise there changes nothing physical.)
 */
const tieRound = (d: number) => Math.round(d * 1e6) / 1e6;

export function removeOverlappingBodies(
  s: Structure,
  anchor: Int32Array,
  grain: Int32Array,
  boundaryDistance: Float64Array,
  options: { protect?: Uint8Array; balance?: 'grain' | 'cell'; field?: NormalFrame } = {},
): { keep: number[]; report: UnitRemoval } {
  const { protect, balance = 'grain', field } = options;
  const n = s.types.length;
  const el = (i: number) => s.species[s.types[i]];
  const reach = Math.max(3.0, ...Object.values(CONTACT_LIMIT));
  const nl = buildNeighborList(s.positions, s.cell, reach);
  const near: Pair[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
      const j = nl.index[e];
      const d = Math.hypot(nl.vectors[3 * e], nl.vectors[3 * e + 1], nl.vectors[3 * e + 2]);
      near[i].push({ i, j, d, limit: contactLimit(el(i), el(j)) });
    }
  }
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) members.set(anchor[i], [...(members.get(anchor[i]) ?? []), i]);
  const alive = new Uint8Array(n).fill(1);
  const isUnit = (b: number) => el(b) === PS4.centre;
  const free = (b: number) => alive[b] && !protect?.[b];
  const units = () => [...members.keys()].filter((b) => isUnit(b) && free(b));
  const lithium = () => [...members.keys()].filter((b) => el(b) === 'Li' && free(b));
  // the formal charge of each grain's living atoms, kept as bodies go (kill)
  const grainCharge = new Map<number, number>();
  for (let i = 0; i < n; i++) grainCharge.set(grain[i], (grainCharge.get(grain[i]) ?? 0) + (FORMAL_CHARGE[el(i)] ?? 0));
  /** Formal charge of the living atoms, of one grain or (g undefined) of the cell. */
  const charge = (g?: number) =>
    g === undefined ? [...grainCharge.values()].reduce((q, x) => q + x, 0) : (grainCharge.get(g) ?? 0);
  // contacts of a body change only when a body near it goes: cached, and dropped for the neighbours of each removal
  const cache = [new Map<number, Contacts>(), new Map<number, Contacts>()];
  const kill = (b: number) => {
    for (const a of members.get(b)!) {
      alive[a] = 0;
      grainCharge.set(grain[a], grainCharge.get(grain[a])! - (FORMAL_CHARGE[el(a)] ?? 0));
      for (const { j } of near[a]) for (const c of cache) c.delete(anchor[j]);
    }
  };
  /** Contacts of body b with other living bodies: how many break their limit, and the shortest distance. */
  const contacts = (b: number, onlyUnits: boolean): Contacts => {
    const cached = cache[onlyUnits ? 1 : 0].get(b);
    if (cached) return cached;
    let count = 0;
    let shortest = Number.POSITIVE_INFINITY;
    let within3 = 0;
    for (const a of members.get(b)!) {
      for (const { j, d, limit } of near[a]) {
        if (!alive[j] || anchor[j] === b) continue;
        if (protect?.[b] && protect[anchor[j]]) continue;
        if (onlyUnits && !isUnit(anchor[j])) continue;
        if (d < limit) count++;
        if (d < 3) within3++;
        shortest = Math.min(shortest, d);
      }
    }
    const c = { count, shortest, within3 };
    cache[onlyUnits ? 1 : 0].set(b, c);
    return c;
  };
  /** The body whose key is largest, compared entry by entry; the first such body in index order. */
  const worst = (bodies: number[], key: (b: number) => number[]): number | null => {
    let best: number | null = null;
    let bestKey: number[] = [];
    for (const b of bodies) {
      const k = key(b);
      const m = k.findIndex((x, q) => x !== bestKey[q]);
      if (best === null || (m >= 0 && k[m] > bestKey[m])) {
        best = b;
        bestKey = k;
      }
    }
    return best;
  };
  const report: UnitRemoval = {
    overlappingUnits: 0,
    overlappingLi: 0,
    balanceUnits: 0,
    balanceLi: 0,
    removed: {},
    chargeRemoved: 0,
  };
  // Removing a body never makes a new contact, so each rule's candidates are found once and only shrink (a
  // polycrystal of 10^5 atoms would otherwise rescan every unit for every removal).
  const clashingUnits = units().filter((b) => contacts(b, true).count > 0);
  // 1. overlapping units
  for (;;) {
    const clashing = clashingUnits.filter((b) => alive[b] && contacts(b, true).count > 0);
    if (clashing.length === 0) break;
    const b = worst(clashing, (u) => {
      const c = contacts(u, true);
      return [c.count, grain[u], -tieRound(c.shortest)];
    })!;
    kill(b);
    report.overlappingUnits++;
  }
  // 1b. a protected Li (a cut neighbourhood's) too close to a unit: the unit goes
  for (;;) {
    const clash = units().find((u) =>
      members
        .get(u)!
        .some((a) =>
          near[a].some(
            ({ j, d }) => alive[j] && protect?.[anchor[j]] && el(j) === 'Li' && d < contactLimit(el(a), 'Li'),
          ),
        ),
    );
    if (clash === undefined) break;
    kill(clash);
    report.overlappingUnits++;
  }
  // 2. overlapping Li
  const clashingLi = lithium().filter((b) => contacts(b, false).count > 0);
  for (;;) {
    const clashing = clashingLi.filter((b) => alive[b] && contacts(b, false).count > 0);
    if (clashing.length === 0) break;
    const b = worst(clashing, (u) => {
      const c = contacts(u, false);
      // of two that clash alike, the Li of the grain with more positive charge: the grains stay as near neutral as
      // the overlaps allow, the same at any thickness and at both boundaries of the cell
      return [c.count, -tieRound(c.shortest), grainCharge.get(grain[u])!];
    })!;
    kill(b);
    report.overlappingLi++;
  }
  // 3. the Li3PS4 ratio, restored at the boundaries (the zone widens only if it holds no body to remove)
  const atBoundary = (bodies: number[]) => {
    for (let zone = BOUNDARY_ZONE; ; zone *= 2) {
      const near = bodies.filter((b) => Math.abs(boundaryDistance[b]) < zone);
      if (near.length > 0 || zone > 1e3) return near;
    }
  };
  const noneLeft = (what: string, g?: number) =>
    new Error(
      `${g === undefined ? 'the cell' : `grain ${g}`} has charge ${charge(g)} and no ${what} left that may be removed to make it neutral`,
    );
  // the candidates at the boundary, found again only when none of them is left (the zone then widens)
  const remaining = (found: number[], all: () => number[]) => {
    const left = found.filter((b) => alive[b]);
    return left.length > 0 ? left : atBoundary(all());
  };
  // the potential of the formal charges at every atom, kept up to date as rule 3 removes bodies
  const q0 = Float64Array.from({ length: n }, (_, i) => FORMAL_CHARGE[el(i)] ?? 0);
  const v = field ? sheetPotentials(field, q0, alive) : undefined;
  // rounded so that bodies equivalent by symmetry tie, and crowding decides between them
  const fieldCost = (b: number) => (field && v ? Math.round(1e4 * removalEnergy(field, q0, v, members.get(b)!)) : 0);
  const take = (b: number) => {
    if (field && v)
      for (const r of members.get(b)!)
        for (let i = 0; i < n; i++) v[i] -= q0[r] * sheetPotential(field.z[i] - field.z[r], field.length, field.area);
    kill(b);
  };
  const grains = balance === 'grain' ? [...new Set(grain)].sort((a, b) => a - b) : [undefined];
  report.grainCharges = grains.map((g) => charge(g));
  for (const g of grains) {
    const ofGrain = (all: () => number[]) => () => all().filter((b) => g === undefined || grain[b] === g);
    let q = charge(g);
    let candidates: number[] = [];
    while (q < 0) {
      candidates = remaining(candidates, ofGrain(units));
      const b = worst(candidates, (u) => [-fieldCost(u), -contacts(u, false).shortest]);
      if (b === null) throw noneLeft('PS4 unit', g);
      take(b);
      q -= FORMAL_CHARGE.P + PS4.ligands * FORMAL_CHARGE.S;
      report.balanceUnits++;
    }
    candidates = [];
    while (q > 0) {
      candidates = remaining(candidates, ofGrain(lithium));
      const b = worst(candidates, (u) => {
        const c = contacts(u, false);
        return [-fieldCost(u), -c.shortest, c.within3];
      });
      if (b === null) throw noneLeft('Li', g);
      take(b);
      q -= FORMAL_CHARGE.Li;
      report.balanceLi++;
    }
  }
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    if (alive[i]) keep.push(i);
    else {
      report.removed[el(i)] = (report.removed[el(i)] ?? 0) + 1;
      report.chargeRemoved += FORMAL_CHARGE[el(i)] ?? 0;
    }
  }
  return { keep, report };
}
