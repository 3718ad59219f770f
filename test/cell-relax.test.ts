import { describe, expect, it } from 'vitest';
import { pressureDiagonal, relaxOrthorhombicCell } from '../src/md/cell-relax.ts';
import { nearestImage, volume } from '../src/model/cell.ts';
import type { Configuration } from '../src/model/configuration.ts';
import { EV_A3_TO_GPA } from '../src/model/units.ts';
import type { Potential } from '../src/potential/types.ts';

/**
 * A crystal reduced to its elastic energy: E = V0/2 e.C.e with e_k = L_k/L0_k - 1 (no forces on the atoms), so the
 * zero-stress cell is L0 exactly and the virial is W_kk = -dE/d(ln L_k).
 */
function elasticCell(L0: number[], stiffnessGPa: number[][]): Potential {
  const C = stiffnessGPa.map((row) => row.map((c) => c / EV_A3_TO_GPA)); // eV/A^3
  const V0 = L0[0] * L0[1] * L0[2];
  return {
    name: 'elastic cell',
    cutoff: 1,
    speciesCount: 1,
    compute(c: Configuration) {
      const L = [0, 4, 8].map((k) => c.cell!.lattice[k]);
      const e = L.map((x, k) => x / L0[k] - 1);
      const Ce = C.map((row) => row.reduce((sum, cij, j) => sum + cij * e[j], 0));
      const virial = new Float64Array(9);
      for (let k = 0; k < 3; k++) virial[4 * k] = -V0 * Ce[k] * (L[k] / L0[k]);
      return {
        energy: 0.5 * V0 * e.reduce((sum, ek, k) => sum + ek * Ce[k], 0),
        atomEnergies: new Float64Array(c.types.length),
        forces: new Float64Array(c.positions.length),
        virial,
      };
    },
  };
}

const L0 = [12.8, 8.2, 12.2];
function startCell(factors: number[]): Configuration {
  const lattice = new Float64Array(9);
  factors.forEach((f, k) => {
    lattice[4 * k] = f * L0[k];
  });
  return {
    types: Int32Array.of(0),
    positions: Float64Array.of(1, 1, 1),
    cell: { lattice, pbc: [true, true, true] },
    features: [],
  };
}

describe('orthorhombic cell relaxation', () => {
  it('reads a compressed axis as positive pressure', () => {
    const potential = elasticCell(L0, [
      [100, 0, 0],
      [0, 100, 0],
      [0, 0, 100],
    ]);
    const c = startCell([0.99, 1, 1]);
    const p = pressureDiagonal((potential.compute(c) as { virial: Float64Array }).virial, volume(c.cell!));
    expect(p[0]).toBeGreaterThan(0.9);
    expect(p[0]).toBeLessThan(1.1);
    expect(Math.abs(p[1]) + Math.abs(p[2])).toBe(0);
  });

  it('reaches the zero-stress cell of a crystal twice as stiff as its first guess, without swinging', async () => {
    // coupled axes, 300 GPa on the diagonal: a fixed step of p/100 would overshoot by a factor of two each cycle
    const potential = elasticCell(L0, [
      [300, 120, 100],
      [120, 250, 90],
      [100, 90, 280],
    ]);
    const energies: number[] = [];
    const r = await relaxOrthorhombicCell(potential, startCell([0.97, 1.03, 1.05]), {
      stiffness: 100,
      pressureTolerance: 0.01,
      onCycle: (_c, _p, _l, e) => energies.push(e),
    });
    expect(r.converged).toBe(true);
    expect(r.cycles).toBeLessThan(60);
    for (let k = 0; k < 3; k++) expect(r.config.cell!.lattice[4 * k] / L0[k] - 1).toBeCloseTo(0, 4);
    expect(Math.max(...r.pressure.map(Math.abs))).toBeLessThan(0.01);
    expect(r.energy).toBeLessThan(energies[0] * 1e-3);
  });

  it('says when it ran out of cycles', async () => {
    const potential = elasticCell(L0, [
      [100, 0, 0],
      [0, 100, 0],
      [0, 0, 100],
    ]);
    const r = await relaxOrthorhombicCell(potential, startCell([0.9, 1, 1]), { maxCycles: 2 });
    expect(r.converged).toBe(false);
    expect(r.cycles).toBe(2);
    expect(r.pressure[0]).toBeGreaterThan(1);
  });

  it('refuses a cell that is not orthorhombic', async () => {
    const c = startCell([1, 1, 1]);
    c.cell!.lattice[1] = 0.5;
    const potential = elasticCell(L0, [
      [100, 0, 0],
      [0, 100, 0],
      [0, 0, 100],
    ]);
    await expect(relaxOrthorhombicCell(potential, c)).rejects.toThrow(/orthorhombic/);
  });
});

describe('nearest periodic image', () => {
  it('finds the image across the face of a triclinic cell and agrees with a search over many images', () => {
    const lattice = Float64Array.of(10, 0, 0, 3, 9, 0, -2, 1, 8);
    const positions = Float64Array.of(0.5, 0.5, 0.5, 9.2, 8.9, 7.6);
    const r = nearestImage(lattice, positions, 0, 1);
    let brute = Number.POSITIVE_INFINITY;
    for (let a = -3; a <= 3; a++)
      for (let b = -3; b <= 3; b++)
        for (let c = -3; c <= 3; c++) {
          const v = [0, 1, 2].map(
            (k) => positions[3 + k] - positions[k] + a * lattice[k] + b * lattice[3 + k] + c * lattice[6 + k],
          );
          brute = Math.min(brute, Math.hypot(...v));
        }
    expect(r.distance).toBeCloseTo(brute, 12);
    expect(Math.hypot(...r.vector)).toBeCloseTo(r.distance, 12);
    for (let k = 0; k < 3; k++) expect(r.vector[k]).toBeCloseTo(positions[3 + k] + r.shift[k] - positions[k], 12);
    expect(r.distance).toBeLessThan(Math.hypot(8.7, 8.4, 7.1));
  });
});
