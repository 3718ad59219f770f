/**
 * Relaxation of an orthorhombic cell to zero stress: FIRE on the positions at fixed cell, then each axis scaled by
 * its own pressure, repeated. Enough for beta-Li3PS4 (Pnma stays orthorhombic); shear is not relaxed.
 *
 * The axis step is pressure times a gain (1/stiffness). A fixed gain that is too large for the material overshoots:
 * the pressure changes sign every cycle and, with the stiffness of the crystal near twice the assumed one, the cell
 * swings between two shapes for ever with the energy above its minimum. So each axis halves its gain whenever its
 * pressure changes sign (an overshoot), which converges for any stiffness.
 */
import { volume } from '../model/cell.ts';
import type { Configuration } from '../model/configuration.ts';
import { EV_A3_TO_GPA } from '../model/units.ts';
import type { Potential } from '../potential/types.ts';
import { fireMinimize } from './fire.ts';

export interface CellRelaxOptions {
  /** Converged when every diagonal pressure is below this, GPa (default 0.05). */
  pressureTolerance?: number;
  maxCycles?: number;
  /** FIRE force tolerance per cycle, eV/A (default 0.02). */
  fmax?: number;
  /** Passed to FIRE: the potential's shortest trusted distance, A. */
  minDistance?: number;
  /** First guess of the axial stiffness, GPa (default 100, of the order of sulfide electrolytes'); sets the first steps. */
  stiffness?: number;
  /** Largest relative change of an axis in one cycle (default 0.02). */
  maxStrainStep?: number;
  onCycle?: (cycle: number, pressure: number[], lengths: number[], energy: number) => void;
}

export interface CellRelaxResult {
  config: Configuration;
  /** Diagonal pressure (xx yy zz), GPa, positive = compressed. */
  pressure: number[];
  energy: number;
  cycles: number;
  converged: boolean;
}

/** Diagonal pressure (GPa, positive = compressed) from a virial (eV, MLIP's convention) and a volume (A^3). */
export function pressureDiagonal(virial: ArrayLike<number>, v: number): number[] {
  return [0, 4, 8].map((k) => (virial[k] / v) * EV_A3_TO_GPA);
}

function isOrthorhombic(lattice: Float64Array): boolean {
  const off = [1, 2, 3, 5, 6, 7].map((k) => Math.abs(lattice[k]));
  return Math.max(...off) < 1e-9 * Math.max(lattice[0], lattice[4], lattice[8]);
}

export async function relaxOrthorhombicCell(
  potential: Potential,
  start: Configuration,
  options: CellRelaxOptions = {},
): Promise<CellRelaxResult> {
  if (!start.cell || !isOrthorhombic(start.cell.lattice)) {
    throw new Error('cell relaxation: needs a periodic orthorhombic cell (lattice vectors along x, y, z)');
  }
  const tolerance = options.pressureTolerance ?? 0.05;
  const maxCycles = options.maxCycles ?? 100;
  const maxStep = options.maxStrainStep ?? 0.02;
  const gain = [1, 1, 1].map(() => 1 / (options.stiffness ?? 100));
  let config: Configuration = { ...start, positions: Float64Array.from(start.positions) };
  let previous = [0, 0, 0];
  let pressure = [0, 0, 0];
  let energy = 0;
  let cycle = 0;
  for (;;) {
    const relaxed = await fireMinimize(potential, config, {
      fmax: options.fmax ?? 0.02,
      maxSteps: 500,
      minDistance: options.minDistance,
    });
    config = { ...config, positions: relaxed.positions };
    const r = await potential.compute(config);
    const cell = config.cell!;
    pressure = pressureDiagonal(r.virial, volume(cell));
    energy = r.energy;
    options.onCycle?.(
      cycle,
      pressure,
      [0, 4, 8].map((k) => cell.lattice[k]),
      energy,
    );
    if (Math.max(...pressure.map(Math.abs)) < tolerance)
      return { config, pressure, energy, cycles: cycle, converged: true };
    if (cycle >= maxCycles) break;
    for (let k = 0; k < 3; k++) if (pressure[k] * previous[k] < 0) gain[k] *= 0.5;
    previous = pressure;
    const scale = pressure.map((p, k) => 1 + Math.max(-maxStep, Math.min(maxStep, p * gain[k])));
    config = {
      ...config,
      positions: config.positions.map((x, k) => x * scale[k % 3]),
      cell: { ...cell, lattice: cell.lattice.map((x, k) => x * scale[k % 3]) },
    };
    cycle++;
  }
  return { config, pressure, energy, cycles: cycle, converged: false };
}
