/**
 * Configurations to label with DFT.
 *
 * Round 1 (bulk): the beta-Li3PS4 1x1x2 supercell (64 atoms, the smallest cell for
 * which Gamma-point sampling is adequate) unstrained, isotropically strained -5..+5 %, and randomly displaced
 * ("rattled") with amplitudes of thermal motion at 300, 800 and 2000 K. The rattled cells stand in for MD snapshots
 * until the lab's own potential can make real ones (later rounds, picked by the extrapolation grade).
 *
 * Round 2 (bulk, thermal): round 1's DFT energies showed its amplitudes far too large (independent displacements
 * strain the stiff P-S bonds, which Debye-Waller factors do not: the "300 K" cells lie 0.19 eV/atom above the ideal
 * cell, the "800 K" ones 0.67, the "2000 K" ones 1.7, where MD at T sits ~1.5 k_B T = 0.04/0.10/0.26 eV/atom above).
 * Round 2 scales round 1's 300 K amplitude set by A(T) = sqrt(1.5 k_B T / 0.2 eV) (harmonic equipartition, 0.2
 * eV/atom measured at A = 1), on the ideal cell and on cells strained isotropically or along one axis.
 *
 * Round 3 slabs: the 64-atom cell opened by 8 A of vacuum along x, y or z (PS4 units kept whole), at 300 and 800 K
 * thermal amplitudes: free surfaces, the nearest thing to a boundary that a 64-atom cell affords.
 *
 * Round 6 (cell shape): the stress labels so far are isotropic strains and 3 % along one axis, too little to pin the
 * cell (the first default potential relaxed c by +7 %). Pure shears of +-3 % (symmetric strain, one pair of axes at a
 * time) and strains of +-5 % along each axis, with 300 K thermal displacements.
 *
 * Round 7 (short contacts): every potential fitted so far could bring atoms closer than any label shows (P-P at
 * 1.5 A and S/P at 1.2 A at a relaxed grain boundary), where the radial polynomials are extrapolated and the energy
 * falls without bound. Each cell is a 300 K thermal cell in which one pair of atoms of a given kind (not bonded to
 * each other) is pushed together to a set distance, both atoms moving half the way: the repulsive walls of S-S, P-S,
 * Li-S, Li-P, Li-Li, and P-P by moving two PS4 units rigidly towards each other.
 */

import { writeFileSync } from 'node:fs';
import { type Command, numberOption, numberValue, UsageError } from '../../src/cli/command.ts';
import { formatExtxyzFrame } from '../../src/io/extxyz.ts';
import { applyStrain, nearestImage } from '../../src/model/cell.ts';
import { seededNormal } from '../../src/model/random.ts';
import type { Structure } from '../../src/model/structure.ts';
import { KB } from '../../src/model/units.ts';
import { betaLi3PS4 } from '../../src/structure/li3ps4.ts';
import { repeatStructure } from '../../src/structure/supercell.ts';

/** RMS displacement per Cartesian component (A) for Li and for P/S at each temperature: from the Debye-Waller factors
 * of sulfide electrolytes (U_iso of Li ~0.03-0.05 A^2 near room temperature, ~3x less for the PS4 framework), scaled
 * as sqrt(T). */
const AMPLITUDE: Record<number, { li: number; framework: number }> = {
  300: { li: 0.18, framework: 0.1 },
  800: { li: 0.29, framework: 0.16 },
  2000: { li: 0.46, framework: 0.26 },
};

function strained(s: Structure, e: number): Structure {
  return {
    ...s,
    cell: { ...s.cell, lattice: s.cell.lattice.map((x) => x * (1 + e)) },
    positions: s.positions.map((x) => x * (1 + e)),
  };
}

function rattled(s: Structure, li: number, framework: number, normal: () => number): Structure {
  const positions = Float64Array.from(s.positions);
  for (let i = 0; i < s.types.length; i++) {
    const a = s.species[s.types[i]] === 'Li' ? li : framework;
    for (let d = 0; d < 3; d++) positions[3 * i + d] += a * normal();
  }
  return { ...s, positions };
}

/** The rounds' generators over the 64-atom cell `base`, each adding its configurations with `add`. */
function roundsOf(base: Structure, normal: () => number, add: (s: Structure, id: string, source: string) => void) {
  /** Strain along one Cartesian axis (the cell is orthorhombic). */
  function strainedAxis(s: Structure, axis: number, e: number): Structure {
    const scale = (v: Float64Array | number[], k: number) => (k % 3 === axis ? v[k] * (1 + e) : v[k]);
    return {
      ...s,
      cell: { ...s.cell, lattice: s.cell.lattice.map((_, k) => scale(s.cell.lattice, k)) },
      positions: s.positions.map((_, k) => scale(s.positions, k)),
    };
  }

  function roundTwo(): void {
    // interleaved so that a partial run covers every kind
    for (let k = 0; k < 12; k++) {
      const n = String(k).padStart(2, '0');
      add(thermalAt(base, 300), `r2-thermal300-${n}`, 'thermal rattle 300 K');
      add(thermalAt(base, 800), `r2-thermal800-${n}`, 'thermal rattle 800 K');
      add(thermalAt(base, 2000), `r2-thermal2000-${n}`, 'thermal rattle 2000 K');
      const e = [-0.04, -0.02, 0.02, 0.04][k % 4];
      if (k < 8) {
        add(
          thermalAt(strained(base, e), 800),
          `r2-iso${e > 0 ? '+' : ''}${e * 100}-800-${n}`,
          `strain ${e * 100}% 800 K`,
        );
      }
      if (k < 6) {
        const axis = k % 3;
        const ea = k < 3 ? -0.03 : 0.03;
        add(
          thermalAt(strainedAxis(base, axis, ea), 300),
          `r2-axis${'xyz'[axis]}${ea > 0 ? '+' : ''}${ea * 100}-300-${n}`,
          `strain ${ea * 100}% along ${'xyz'[axis]} 300 K`,
        );
      }
    }
  }

  /**
   * A slab: the cell opened along one axis by `vacuum` A, with every S atom first moved to the image nearest its P so
   * that no PS4 unit is cut (Li stay where they are). Two free surfaces: undercoordinated Li and PS4, the nearest
   * thing to a boundary that a 64-atom DFT cell affords.
   */
  function slab(s: Structure, axis: number, vacuum: number): Structure {
    const L = s.cell.lattice;
    const pos = Float64Array.from(s.positions);
    const isS = (i: number) => s.species[s.types[i]] === 'S';
    const n = s.types.length;
    for (let j = 0; j < n; j++) {
      if (!isS(j)) continue;
      const { shift } = nearestP(s, pos, j);
      for (let d = 0; d < 3; d++) pos[3 * j + d] += shift[d];
    }
    const lattice = Float64Array.from(L);
    const len = Math.hypot(L[3 * axis], L[3 * axis + 1], L[3 * axis + 2]);
    for (let d = 0; d < 3; d++) lattice[3 * axis + d] *= (len + vacuum) / len;
    // centre the atoms in the opened cell along the axis
    for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) pos[3 * i + d] += (vacuum / 2) * (L[3 * axis + d] / len);
    return { ...s, positions: pos, cell: { ...s.cell, lattice } };
  }

  /** The cell and the atoms strained by the symmetric strain eps (row-major 3x3): r -> (I + eps) r. */
  function strainedBy(s: Structure, eps: number[]): Structure {
    return {
      ...s,
      cell: { ...s.cell, lattice: applyStrain(s.cell.lattice, eps) },
      positions: applyStrain(s.positions, eps),
    };
  }

  /** Round 2's thermal displacements at T: round 1's 300 K amplitude set scaled by sqrt(1.5 k_B T / 0.2 eV). */
  function thermalAt(s: Structure, T: number): Structure {
    const a = Math.sqrt((1.5 * KB * T) / 0.2);
    return rattled(s, a * AMPLITUDE[300].li, a * AMPLITUDE[300].framework, normal);
  }

  function roundCellShape(): void {
    const pairs: [number, number][] = [
      [0, 1],
      [0, 2],
      [1, 2],
    ];
    let n = 0;
    for (const sign of [1, -1]) {
      for (let axis = 0; axis < 3; axis++) {
        const [i, j] = pairs[axis];
        const shear = Array(9).fill(0);
        shear[3 * i + j] = shear[3 * j + i] = sign * 0.03;
        const id = String(n++).padStart(2, '0');
        add(
          thermalAt(strainedBy(base, shear), 300),
          `r6-shear${'xyz'[i]}${'xyz'[j]}${sign > 0 ? '+' : '-'}3-300-${id}`,
          `shear ${'xyz'[i]}${'xyz'[j]} ${sign * 3}% 300 K`,
        );
        const axial = Array(9).fill(0);
        axial[4 * axis] = sign * 0.05;
        add(
          thermalAt(strainedBy(base, axial), 300),
          `r6-axis${'xyz'[axis]}${sign > 0 ? '+' : '-'}5-300-${id}`,
          `strain ${sign * 5}% along ${'xyz'[axis]} 300 K`,
        );
      }
    }
  }

  function roundSlabs(): void {
    for (const T of [300, 800]) {
      for (let axis = 0; axis < 3; axis++) {
        const s = thermalAt(slab(base, axis, 8), T);
        add(s, `r3-slab${'xyz'[axis]}-${T}-00`, `slab (8 A vacuum along ${'xyz'[axis]}) ${T} K`);
      }
    }
  }

  function roundOne(): void {
    add(base, 'r1-bulk-ideal', 'ideal');
    for (const pct of [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5]) {
      add(
        rattled(strained(base, pct / 100), 0.03, 0.03, normal),
        `r1-strain${pct > 0 ? '+' : ''}${pct}`,
        `strain ${pct}% rattled 0.03`,
      );
    }
    for (const T of [300, 800, 2000]) {
      for (let k = 0; k < 20; k++) {
        const a = AMPLITUDE[T];
        add(
          rattled(base, a.li, a.framework, normal),
          `r1-rattle${T}-${String(k).padStart(2, '0')}`,
          `rattled like ${T} K`,
        );
      }
    }
  }

  /** The P atom nearest atom j (over periodic images), with the translation to add to j to reach that image. */
  function nearestP(s: Structure, pos: ArrayLike<number>, j: number) {
    let p = -1;
    let best = { distance: Number.POSITIVE_INFINITY, shift: [0, 0, 0] };
    for (let i = 0; i < s.types.length; i++) {
      if (s.species[s.types[i]] !== 'P') continue;
      const image = nearestImage(s.cell.lattice, pos, i, j);
      if (image.distance < best.distance) {
        best = image;
        p = i;
      }
    }
    return { p, ...best };
  }

  /**
   * Groups gi and gj (atoms moved rigidly with i and with j) translated along the line from i to j (nearest images),
   * each by half, so that i and j end at the distance `target`.
   */
  function pushedTogether(s: Structure, i: number, j: number, gi: number[], gj: number[], target: number): Structure {
    const pos = Float64Array.from(s.positions);
    const { distance: r, shift } = nearestImage(s.cell.lattice, pos, i, j);
    const u = [0, 1, 2].map((d) => (pos[3 * j + d] + shift[d] - pos[3 * i + d]) / r);
    const half = (r - target) / 2;
    for (let d = 0; d < 3; d++) {
      for (const k of gi) pos[3 * k + d] += half * u[d];
      for (const k of gj) pos[3 * k + d] -= half * u[d];
    }
    return { ...s, positions: pos };
  }

  /** Shortest distance between atoms of the structure other than the pair (i, j). */
  function shortestOther(s: Structure, i: number, j: number): number {
    let r = Number.POSITIVE_INFINITY;
    for (let a = 0; a < s.types.length; a++)
      for (let b = a + 1; b < s.types.length; b++) {
        if ((a === i && b === j) || (a === j && b === i)) continue;
        r = Math.min(r, nearestImage(s.cell.lattice, s.positions, a, b).distance);
      }
    return r;
  }

  /**
   * Round 7: pairs of a kind pushed together in 300 K thermal cells. The pair is the nearest one of that kind whose
   * atoms are not bonded (S of different PS4 units, P and the S of another unit) seen from a random first atom. S-S
   * and P-P contacts move whole PS4 units rigidly (a contact, no bond stretched); for P-S the P's unit moves and the
   * foreign S alone (the S leaves its own P, as in the collapses seen in MD); Li moves alone.
   */
  function roundShortContacts(): void {
    const kinds: { a: string; b: string; targets: number[] }[] = [
      { a: 'S', b: 'S', targets: [1.5, 1.8, 2.1] },
      { a: 'P', b: 'S', targets: [1.6, 2.0, 2.4] },
      { a: 'P', b: 'P', targets: [3.4, 4.0] },
      { a: 'Li', b: 'S', targets: [1.6, 1.9] },
      { a: 'Li', b: 'P', targets: [1.9, 2.3] },
      { a: 'Li', b: 'Li', targets: [1.5, 1.9] },
    ];
    const L = base.cell.lattice;
    const n = base.types.length;
    const of = (el: string) => [...Array(n).keys()].filter((i) => base.species[base.types[i]] === el);
    const ownP = (i: number) => nearestP(base, base.positions, i).p;
    /** The P of a P or S atom, -1 for Li. */
    const unit = (i: number) => {
      const el = base.species[base.types[i]];
      return el === 'P' ? i : el === 'S' ? ownP(i) : -1;
    };
    /** A PS4 unit: its P and the S whose nearest P it is (a rigid translation moves every periodic image alike). */
    const members = (p: number) => [p, ...of('S').filter((k) => ownP(k) === p)];
    let n0 = 0;
    for (let copy = 0; copy < 2; copy++) {
      for (const kind of kinds) {
        for (const target of kind.targets) {
          const first = of(kind.a);
          const i = first[Math.floor(((normal() + 4) / 8) * first.length) % first.length];
          let j = -1;
          let r = Number.POSITIVE_INFINITY;
          for (const k of of(kind.b)) {
            if (k === i || (unit(i) >= 0 && unit(k) === unit(i))) continue;
            const image = nearestImage(L, base.positions, i, k);
            if (image.distance < r) {
              r = image.distance;
              j = k;
            }
          }
          const rigid = kind.a !== 'Li' && kind.b !== 'Li';
          const gi = rigid ? members(unit(i)) : [i];
          const gj = rigid && kind.b === kind.a ? members(unit(j)) : [j];
          const s = pushedTogether(thermalAt(base, 300), i, j, gi, gj, target);
          const id = `r7-${kind.a}${kind.b}-${target.toFixed(1)}-${String(n0++).padStart(2, '0')}`;
          const other = shortestOther(s, i, j).toFixed(2);
          add(
            s,
            id,
            `${kind.a}${i + 1}-${kind.b}${j + 1} pushed from ${r.toFixed(2)} to ${target} A (next shortest ${other} A), 300 K`,
          );
        }
      }
    }
  }

  return { 1: roundOne, 2: roundTwo, 3: roundSlabs, 6: roundCellShape, 7: roundShortContacts } as Record<
    number,
    () => void
  >;
}

export const sampleCommand: Command = {
  name: 'sample',
  summary: 'strained, rattled, slab, cell-shape and short-contact 64-atom cells of the early rounds, to label',
  usage: 'OUT.extxyz [--round 1|2|3|6|7] [--seed N]',
  help: 'What each round holds is said in the head of tools/dft/sample.ts. The seed defaults to the round number.',
  options: { round: { type: 'string', default: '1' }, seed: { type: 'string' } },
  async run(args) {
    if (args.positionals.length !== 1) throw new UsageError('expected one output file, OUT.extxyz');
    const [out] = args.positionals;
    const round = numberValue(args, 'round');
    const frames: string[] = [];
    const rounds = roundsOf(
      repeatStructure(betaLi3PS4(), 1, 1, 2),
      seededNormal(numberOption(args, 'seed', round)),
      (s, id, source) => {
        frames.push(formatExtxyzFrame(s, { config_id: id, source }));
      },
    );
    const generate = rounds[round];
    if (!generate) throw new UsageError(`--round ${round}: one of ${Object.keys(rounds).join(', ')}`);
    generate();
    writeFileSync(out, frames.join(''));
    console.log(`${frames.length} configurations -> ${out}`);
    return 0;
  },
};
