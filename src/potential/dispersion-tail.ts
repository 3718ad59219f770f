/**
 * The long-range tail of the dispersion energy, as a pair sum the MTP does not have to learn.
 *
 * The labels are PBE + D3(BJ), whose pair terms reach about 21 A in CP2K; an MTP sees 5 A. In the bulk crystal the
 * D3 energy beyond 5 A is a near-constant 61 meV/atom that the MTP absorbs into its site energies, but a cell with
 * excess volume (a grain boundary's neighbourhood) has less of it, and the MTP, seeing bulk-like spheres of 5 A
 * around most atoms, cannot tell (docs/training.md, "The dispersion beyond the cutoff"). So the tail is split off:
 * phi(r) = -C6_ij S(r) / r^6, switched on smoothly between `switchOn[0]` and `switchOn[1]` (inside the MTP's reach,
 * so the seam between the two is learnt) and tapered to zero between `taper[0]` and `taper[1]`. The C6 are effective
 * coefficients fitted to CP2K's own D3 energies beyond 5 A (data/README.md, "D3 energies and the dispersion tail"),
 * not D3's coordination-dependent ones: what matters is that the tail varies with the density beyond the cutoff as
 * D3 does. On the GPU it is dispersion-tail-gpu.ts, a second pair kernel beside the MTP's (ADR 0018).
 *
 * Energies eV, distances A, C6 eV A^6; the virial in MLIP's PlusStress convention like every potential here.
 */
import { ParseError } from '../io/errors.ts';
import type { LammpsPairTable } from '../io/lammps.ts';
import type { Configuration } from '../model/configuration.ts';
import { buildNeighborList } from '../model/neighbors.ts';
import { addEfs, type EfsResult, type SyncPotential } from './types.ts';

export interface DispersionTail {
  /** Species order of `c6`'s rows and columns. */
  species: string[];
  /** Symmetric, eV A^6. */
  c6: number[][];
  /** The switch: 0 at or below the first, 1 from the second on, A. */
  switchOn: [number, number];
  /** The truncation: 1 up to the first, 0 from the second on, A. */
  taper: [number, number];
  /** Where the coefficients came from (free text, kept with the file). */
  source?: string;
}

export const DISPERSION_TAIL_FORMAT = 'lilab-dispersion-tail-1';

/** Quintic smoothstep on [a, b] and its derivative: C2, so forces and their first derivative are continuous. */
function smoothstep(r: number, a: number, b: number): [number, number] {
  if (r <= a) return [0, 0];
  if (r >= b) return [1, 0];
  const w = b - a;
  const x = (r - a) / w;
  return [x * x * x * (10 + x * (-15 + 6 * x)), (30 * x * x * (1 - x) * (1 - x)) / w];
}

/** phi(r) and dphi/dr for one pair with coefficient c6. */
export function tailPair(tail: DispersionTail, c6: number, r: number): [number, number] {
  const [on, don] = smoothstep(r, tail.switchOn[0], tail.switchOn[1]);
  const [off, doff] = smoothstep(r, tail.taper[0], tail.taper[1]);
  const s = on * (1 - off);
  if (s === 0) return [0, 0];
  const ds = don * (1 - off) - on * doff;
  const r6 = r ** 6;
  return [(-c6 * s) / r6, -c6 * (ds / r6 - (6 * s) / (r6 * r))];
}

/** Energy, forces and virial of the tail (float64, every periodic image within `taper[1]`). */
export function dispersionTailEfs(
  tail: DispersionTail,
  /** the tail's species index of each of the configuration's types */
  speciesIndex: ArrayLike<number>,
  config: Configuration,
): EfsResult {
  const n = config.types.length;
  const nl = buildNeighborList(config.positions, config.cell, tail.taper[1]);
  const atomEnergies = new Float64Array(n);
  const forces = new Float64Array(3 * n);
  const virial = new Float64Array(9);
  for (let i = 0; i < n; i++) {
    const ti = speciesIndex[config.types[i]];
    for (let e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
      const j = nl.index[e];
      const v0 = nl.vectors[3 * e];
      const v1 = nl.vectors[3 * e + 1];
      const v2 = nl.vectors[3 * e + 2];
      const r = Math.hypot(v0, v1, v2);
      const [phi, dphi] = tailPair(tail, tail.c6[ti][speciesIndex[config.types[j]]], r);
      if (phi === 0 && dphi === 0) continue;
      // every pair is listed from both ends: half of it here
      atomEnergies[i] += 0.5 * phi;
      const g = (0.5 * dphi) / r; // dE/dr_ij along r_ij, this listing's half
      for (let a = 0; a < 3; a++) {
        const u = nl.vectors[3 * e + a] * g;
        forces[3 * i + a] += u;
        forces[3 * j + a] -= u;
        virial[3 * a] -= u * v0;
        virial[3 * a + 1] -= u * v1;
        virial[3 * a + 2] -= u * v2;
      }
    }
  }
  return { energy: atomEnergies.reduce((s, x) => s + x, 0), atomEnergies, forces, virial };
}

/** A potential with the tail added (the float64 side: reference evaluations, relaxations, checks). */
export class TailedPotential implements SyncPotential {
  readonly name: string;
  readonly cutoff: number;
  readonly speciesCount: number;

  constructor(
    readonly inner: SyncPotential,
    readonly tail: DispersionTail,
    private readonly speciesIndex: readonly number[],
  ) {
    this.name = `${inner.name} + dispersion tail to ${tail.taper[1]} A`;
    this.cutoff = Math.max(inner.cutoff, tail.taper[1]);
    this.speciesCount = inner.speciesCount;
  }

  compute(config: Configuration): EfsResult {
    return addEfs(this.inner.compute(config), dispersionTailEfs(this.tail, this.speciesIndex, config));
  }
}

/** The tail's species index of each of a potential's species; an error names a species the tail lacks. */
export function tailSpeciesIndex(tail: DispersionTail, species: readonly string[]): number[] {
  return species.map((s) => {
    const k = tail.species.indexOf(s);
    if (k < 0) throw new Error(`the dispersion tail has no coefficients for ${s} (it has ${tail.species.join(', ')})`);
    return k;
  });
}

/** Reads and checks a tail file: format, square symmetric finite C6, ordered radii. */
export function parseDispersionTail(text: string, file: string): DispersionTail {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ParseError(file, 0, `not JSON: ${(e as Error).message}`);
  }
  const o = raw as Partial<DispersionTail> & { format?: unknown };
  const bad = (why: string) => new ParseError(file, 0, why);
  if (o.format !== DISPERSION_TAIL_FORMAT) throw bad(`format must be "${DISPERSION_TAIL_FORMAT}"`);
  const sp = o.species;
  if (!Array.isArray(sp) || sp.length === 0 || !sp.every((s) => typeof s === 'string'))
    throw bad('species must be a list of element symbols');
  const c6 = o.c6;
  if (
    !Array.isArray(c6) ||
    c6.length !== sp.length ||
    !c6.every((row) => Array.isArray(row) && row.length === sp.length)
  )
    throw bad(`c6 must be ${sp.length} x ${sp.length}`);
  for (let a = 0; a < sp.length; a++)
    for (let b = 0; b < sp.length; b++) {
      if (!Number.isFinite(c6[a][b]) || c6[a][b] < 0) throw bad(`c6 ${sp[a]}-${sp[b]} must be a number >= 0`);
      if (c6[a][b] !== c6[b][a]) throw bad(`c6 must be symmetric (${sp[a]}-${sp[b]})`);
    }
  const radii = [...(o.switchOn ?? []), ...(o.taper ?? [])];
  if (radii.length !== 4 || !radii.every(Number.isFinite) || !radii.every((r, k) => k === 0 || r > radii[k - 1]))
    throw bad('switchOn and taper must be two radii each, increasing: on0 < on1 < taper0 < taper1 (A)');
  if (radii[0] <= 0) throw bad('the switch must start above 0 A');
  return {
    species: sp,
    c6,
    switchOn: [radii[0], radii[1]],
    taper: [radii[2], radii[3]],
    ...(typeof o.source === 'string' ? { source: o.source } : {}),
  };
}

/** Where a tail's LAMMPS table starts, A: below any pair an MTP allows (LAMMPS stops on a pair inside its table). */
const TABLE_INNER_A = 0.5;

/**
 * The tail as a LAMMPS `pair_style table` file (energies eV, forces -dphi/dr eV/A, on `points` evenly spaced radii
 * from 0.5 A to the taper's end; zero below the switch), one section per pair of the types `species` lists.
 */
export function lammpsTailTable(tail: DispersionTail, species: readonly string[], points = 4000): LammpsPairTable {
  const index = tailSpeciesIndex(tail, species);
  const r0 = TABLE_INNER_A;
  const r1 = tail.taper[1];
  const lines = [
    `# dispersion tail beyond the MTP's cutoff (${DISPERSION_TAIL_FORMAT}): phi = -C6 S(r) / r^6, eV and eV/A`,
    `# switched on ${tail.switchOn[0]}-${tail.switchOn[1]} A, tapered off ${tail.taper[0]}-${tail.taper[1]} A${tail.source ? `; ${tail.source}` : ''}`,
  ];
  const sections: LammpsPairTable['sections'] = [];
  for (let a = 0; a < species.length; a++)
    for (let b = a; b < species.length; b++) {
      const keyword = `${species[a]}_${species[b]}`.toUpperCase();
      const c6 = tail.c6[index[a]][index[b]];
      lines.push('', keyword, `N ${points} R ${r0} ${r1}`, '');
      for (let k = 0; k < points; k++) {
        const r = r0 + ((r1 - r0) * k) / (points - 1);
        const [phi, dphi] = tailPair(tail, c6, r);
        lines.push(`${k + 1} ${r.toPrecision(12)} ${phi.toExponential(12)} ${(-dphi).toExponential(12)}`);
      }
      sections.push({ i: a + 1, j: b + 1, keyword });
    }
  return { text: `${lines.join('\n')}\n`, cutoff: r1, points, sections };
}
