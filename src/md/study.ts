/**
 * The grain-boundary study's steps for one system (docs/study.md): relax it, its boundary energy, and MD at one
 * temperature with the Li trajectory kept for the MSD. `lilab study` strings them together and keeps what each step
 * finished, so that a long study resumes where it stopped.
 */
import { grainBoundaryEnergy } from '../analysis/gb-energy.ts';
import { computeMsd } from '../analysis/msd.ts';
import { regressDiffusion } from '../analysis/msd-regression.ts';
import { MdCensus } from '../analysis/ps4.ts';
import type { StudyRegion } from '../analysis/study.ts';
import { CENSUS_SAMPLE_FS, PS4 } from '../model/ps4.ts';
import { LI_P_S } from '../model/species.ts';
import { BOUNDARY_REGION, type Structure, toConfiguration } from '../model/structure.ts';
import { toAtomicSystem } from '../model/system.ts';
import type { MtpPotential } from '../potential/mtp/potential.ts';
import { gcd } from '../structure/gb/index-math.ts';
import { BlowUpError, MdEngine } from './engine.ts';
import { fireMinimize } from './fire.ts';

export const formulaUnits = (s: Structure) => s.types.filter((t) => s.species[t] === PS4.centre).length;

/** Li indices of each region: all Li, and for a bicrystal those within BOUNDARY_REGION of a plane and the others. */
export function liRegions(s: Structure): { region: StudyRegion; atoms: number[] }[] {
  const li = [...s.types.keys()].filter((i) => s.species[s.types[i]] === 'Li');
  const dist = s.labels?.boundaryDistance;
  if (!dist) return [{ region: 'all', atoms: li }];
  return [
    { region: 'all', atoms: li },
    { region: 'boundary', atoms: li.filter((i) => Math.abs(dist[i]) < BOUNDARY_REGION) },
    { region: 'bulk-like', atoms: li.filter((i) => Math.abs(dist[i]) >= BOUNDARY_REGION) },
  ];
}

export interface Relaxed {
  structure: Structure;
  /** float64 energy of the relaxed structure, eV. */
  energy: number;
  steps: number;
  converged: boolean;
}

/**
 * FIRE at fixed cell on the GPU (float32 forces suffice for 0.05 eV/A), then the energy in float64: the boundary
 * energy is a small difference of large totals.
 */
export async function relaxStructure(
  device: GPUDevice,
  potential: MtpPotential,
  s: Structure,
  fmax = 0.05,
  maxSteps = 3000,
): Promise<Relaxed> {
  return potential.withGpu(device, async (field) => {
    const minDistance = potential.model.minDist;
    const r = await fireMinimize(field, toConfiguration(s, LI_P_S), { fmax, maxSteps, minDistance });
    const structure = { ...s, positions: r.positions };
    const energy = potential.cpu().compute(toConfiguration(structure, LI_P_S)).energy;
    return { structure, energy, steps: r.steps, converged: r.converged };
  });
}

/** E_GB (J/m^2) of a relaxed stoichiometric bicrystal against the relaxed crystal's energy per formula unit. */
export function boundaryEnergy(relaxed: Relaxed, bulkEnergyPerUnit: number, area: number): number {
  return grainBoundaryEnergy(relaxed.energy, formulaUnits(relaxed.structure), bulkEnergyPerUnit, area);
}

export interface RunOptions {
  temperature: number;
  equilibrateFs: number;
  productionFs: number;
  /** Interval of the frames kept for the MSD, fs (a multiple of the 1 fs step). */
  frameFs: number;
  seed: number;
  /** Called every record with the simulated time done, fs. */
  onProgress?: (fs: number) => void;
}

export interface RunTrajectory {
  /** Unwrapped positions of the Li (in the order of `li`) every frameFs of the production. */
  frames: Float64Array[];
  li: number[];
  meanTemperature: number;
  /**
   * The worst of the PS4 census each picosecond: the lowest fraction of whole units (of the positions averaged over
   * CENSUS_WINDOW_FS, model/ps4.ts), the same in a single frame, and the most S-S bonds in a single frame.
   */
  lowestIntact: number;
  lowestIntactInstant: number;
  mostSulfurBonds: number;
  seconds: number;
}

/** CSVR MD at 1 fs: equilibration (discarded), then production with Li frames every frameFs. */
export async function runTemperature(
  device: GPUDevice,
  potential: MtpPotential,
  s: Structure,
  o: RunOptions,
): Promise<RunTrajectory> {
  const system = toAtomicSystem(s, LI_P_S);
  const li = [...s.types.keys()].filter((i) => s.species[s.types[i]] === 'Li');
  const field = await potential.gpu(device);
  const t0 = performance.now();
  const out: RunTrajectory = {
    frames: [],
    li,
    meanTemperature: 0,
    lowestIntact: 1,
    lowestIntactInstant: 1,
    mostSulfurBonds: 0,
    seconds: 0,
  };
  let positions = system.positions;
  let velocities: Float64Array | undefined;
  let tSum = 0;
  try {
    const stages: [number, number][] = [
      [o.equilibrateFs, 0],
      [o.productionFs, o.equilibrateFs],
    ];
    for (const [k, [steps, offset]] of stages.entries()) {
      if (steps <= 0) continue;
      const md = await MdEngine.create(
        device,
        field,
        { ...system, positions },
        { dt: 1, temperature: o.temperature, thermostat: 'csvr', tau: 100, seed: o.seed + 7919 * k, velocities },
      );
      try {
        // production records every frameFs for the Li and every CENSUS_SAMPLE_FS for the averaged census
        const every = k === 0 ? Math.min(steps, 1000) : gcd(o.frameFs, CENSUS_SAMPLE_FS);
        const census = new MdCensus(s);
        if (k === 1) out.frames.push(Float64Array.from(li.flatMap((i) => [0, 1, 2].map((d) => positions[3 * i + d]))));
        await md.run(steps, every, (t, f) => {
          positions = f.positions;
          velocities = f.velocities;
          o.onProgress?.(offset + t.time);
          if (k === 0) return;
          census.add(t.time, f.positions);
          if (t.step % 1000 === 0 || t.step === steps) {
            census.take(f.positions);
            out.lowestIntact = census.lowestIntact;
            out.lowestIntactInstant = census.lowestIntactInstant;
            out.mostSulfurBonds = census.mostSulfurBonds;
          }
          if (Math.round(t.time) % o.frameFs !== 0) return;
          tSum += t.temperature;
          const sel = new Float64Array(3 * li.length);
          li.forEach((i, a) => {
            for (let d = 0; d < 3; d++) sel[3 * a + d] = f.positions[3 * i + d];
          });
          out.frames.push(sel);
        });
      } finally {
        md.destroy();
      }
    }
  } catch (err) {
    if (err instanceof BlowUpError) throw new Error(`MD blew up at ${o.temperature} K: ${err.message}`);
    throw err;
  } finally {
    field.destroy();
  }
  out.meanTemperature = tSum / Math.max(1, out.frames.length - 1);
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}

export interface RegionDiffusion {
  region: StudyRegion;
  atoms: number;
  /** A^2/fs, 1 sigma. */
  d: Record<'x' | 'y' | 'z' | 'total', { value: number; error: number }>;
  window: [number, number];
  msd: { lag: Float64Array; x: Float64Array; y: Float64Array; z: Float64Array; total: Float64Array };
}

/**
 * Per-axis D of each region's Li from a run's frames, fitted over `window` (fractions of the production). No centre of
 * mass is removed: CSVR scales all velocities alike, so the whole cell's momentum stays zero and nothing drifts, and
 * removing the Li's own centre would take out their collective motion.
 */
export function regionDiffusion(
  run: RunTrajectory,
  s: Structure,
  frameFs: number,
  window: { from: number; to: number },
): RegionDiffusion[] {
  const local = new Map(run.li.map((i, a) => [i, a]));
  const span = (run.frames.length - 1) * frameFs;
  const start = window.from * span;
  const end = window.to * span;
  return liRegions(s)
    .filter((r) => r.atoms.length > 0)
    .map((r) => {
      const atoms = r.atoms.map((i) => local.get(i)!);
      const curves = computeMsd(run.frames, frameFs, { atoms });
      const f = regressDiffusion(curves, { dt: frameFs, frames: run.frames.length, atoms: atoms.length, start, end });
      return {
        region: r.region,
        atoms: atoms.length,
        d: { x: f.x, y: f.y, z: f.z, total: f.total },
        window: [start, end],
        msd: curves,
      };
    });
}
