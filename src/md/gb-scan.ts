/**
 * The rigid-body translation of a grain boundary: grain B is shifted in the plane (a grid over the CSL cell) and
 * along the normal (the extra spacing at each boundary); each candidate is built with whole PS4 units, relaxed with
 * FIRE at fixed cell, and the one with the lowest boundary energy is kept, as is done for ionic bicrystals (the
 * boundary energy depends on the translation as much as on the misorientation).
 *
 * Relaxing every candidate fully costs too much for the large cells, so the scan has two stages: every candidate is
 * relaxed for a few FIRE steps (enough to take the contact energy out) and ranked; the best few are relaxed to
 * convergence. Energies are compared per Li3PS4 formula unit: every candidate is stoichiometric, so
 * E_GB = (E - N_fu e_fu) / 2A is exact for each.
 */
import { grainBoundaryEnergy } from '../analysis/gb-energy.ts';
import { type Ps4Census, ps4Census, ps4Problem } from '../analysis/ps4.ts';
import { MAX_GRAIN_FIELD, PS4 } from '../model/ps4.ts';
import { type Structure, toConfiguration } from '../model/structure.ts';
import type { Potential } from '../potential/types.ts';
import { buildBicrystal, type GbReport, type GbSpec } from '../structure/gb/builder.ts';
import { ContactError, fireMinimize } from './fire.ts';

export interface ScanOptions {
  /** The potential's species order. */
  species: readonly string[];
  /** In-plane shifts: an n x n grid over the CSL cell (fractions k/n). */
  grid: number;
  /** Extra spacings at each boundary, A. */
  gaps: number[];
  /** FIRE steps of the screening stage. */
  screenSteps: number;
  /** Candidates relaxed to convergence. */
  relaxTop: number;
  /** Convergence of the final relaxations, eV/A. */
  fmax: number;
  maxSteps: number;
  /** The potential's shortest trusted distance (MTP min_dist): a relaxation that closes a pair below it fails. */
  minDistance?: number;
  /**
   * Candidates that remove more than this fraction of the PS4 units are screened but never chosen (default 0.2): a
   * thin cell whose grains lost a layer is a different bicrystal, with boundaries too close to be apart. Nor is a
   * candidate whose grains carry MAX_GRAIN_FIELD or more (a polar termination the builder's Li choice could not undo).
   */
  maxRemovedFraction?: number;
  /** The field limit of the choice, V/A (default MAX_GRAIN_FIELD). */
  maxGrainField?: number;
  onCandidate?: (c: ScanCandidate, done: number, total: number) => void;
}

export interface ScanCandidate {
  shift: [number, number];
  gap: number;
  atoms: number;
  formulaUnits: number;
  /** Whole units and Li removed where the grains overlap (and for the Li3PS4 ratio). */
  removedUnits: number;
  removedLi: number;
  /** Shortest distance as built, A. */
  minDistance: number;
  /** Mean formal-charge field across grains A and B as built, V/A (GbReport.grainFields). */
  grainFields: [number, number];
  /** Boundary energy after the screening steps, J/m^2 (null if the screening relaxation failed). */
  screenGbEnergy: number | null;
  failed?: string;
  relaxed?: {
    energy: number;
    gbEnergy: number;
    steps: number;
    converged: boolean;
    fmax: number;
    census: Ps4Census;
  };
}

export interface ScanResult {
  bulkEnergyPerFormulaUnit: number;
  candidates: ScanCandidate[];
  /** The relaxed candidate with the lowest boundary energy whose PS4 units all stayed whole (else the lowest). */
  best: ScanCandidate;
  /** The best candidate's structure, relaxed, and its build report. */
  structure: Structure;
  report: GbReport;
}

function formulaUnits(s: Structure): number {
  return s.types.filter((t) => s.species[t] === PS4.centre).length;
}

/**
 * The energy of one Li3PS4 formula unit of the bulk crystal with the same potential: the given crystal (the lab's
 * beta-Li3PS4 at its experimental lattice, as the bicrystals are built on it) relaxed in its positions.
 */
export async function bulkEnergyPerFormulaUnit(
  potential: Potential,
  crystal: Structure,
  species: readonly string[],
  fmax: number,
): Promise<number> {
  const r = await fireMinimize(potential, toConfiguration(crystal, species), { fmax, maxSteps: 2000 });
  return r.energy / formulaUnits(crystal);
}

async function relax(
  potential: Potential,
  s: Structure,
  species: readonly string[],
  fmax: number,
  maxSteps: number,
  minDistance: number | undefined,
) {
  return fireMinimize(potential, toConfiguration(s, species), { fmax, maxSteps, minDistance });
}

export async function scanTranslations(
  potential: Potential,
  crystal: Structure,
  spec: GbSpec,
  options: ScanOptions,
): Promise<ScanResult> {
  const eFu = await bulkEnergyPerFormulaUnit(potential, crystal, options.species, 0.01);
  const candidates: { c: ScanCandidate; s: Structure; report: GbReport }[] = [];
  const total = options.grid * options.grid * options.gaps.length;
  for (const gap of options.gaps) {
    for (let i = 0; i < options.grid; i++) {
      for (let j = 0; j < options.grid; j++) {
        const shift: [number, number] = [i / options.grid, j / options.grid];
        const { structure, report } = buildBicrystal(crystal, { ...spec, cut: 'units', shift, gap });
        const c: ScanCandidate = {
          shift,
          gap,
          atoms: structure.types.length,
          formulaUnits: formulaUnits(structure),
          removedUnits: (report.units?.overlappingUnits ?? 0) + (report.units?.balanceUnits ?? 0),
          removedLi: (report.units?.overlappingLi ?? 0) + (report.units?.balanceLi ?? 0),
          minDistance: report.minDistance,
          grainFields: report.grainFields,
          screenGbEnergy: null,
        };
        try {
          const r = await relax(
            potential,
            structure,
            options.species,
            options.fmax,
            options.screenSteps,
            options.minDistance,
          );
          c.screenGbEnergy = grainBoundaryEnergy(r.energy, c.formulaUnits, eFu, report.area);
        } catch (err) {
          if (!(err instanceof ContactError)) throw err;
          c.failed = err.message;
        }
        candidates.push({ c, s: structure, report });
        options.onCandidate?.(c, candidates.length, total);
      }
    }
  }
  const maxRemoved = options.maxRemovedFraction ?? 0.2;
  const maxField = options.maxGrainField ?? MAX_GRAIN_FIELD;
  const ranked = candidates
    .filter((x) => x.c.screenGbEnergy !== null)
    .filter((x) => x.c.removedUnits <= maxRemoved * (x.c.formulaUnits + x.c.removedUnits))
    .filter((x) => x.c.grainFields.every((f) => Math.abs(f) < maxField))
    .sort((a, b) => (a.c.screenGbEnergy as number) - (b.c.screenGbEnergy as number));
  if (ranked.length === 0)
    throw new Error(
      `no candidate translation relaxed, kept ${100 * (1 - maxRemoved)} % of the units and left under ` +
        `${maxField} V/A of formal-charge field in its grains (see the candidates)`,
    );
  let best: { c: ScanCandidate; s: Structure; report: GbReport; positions: Float64Array } | null = null;
  const whole = (c: ScanCandidate) => c.relaxed !== undefined && ps4Problem(c.relaxed.census) === null;
  for (const x of ranked.slice(0, options.relaxTop)) {
    try {
      const r = await relax(potential, x.s, options.species, options.fmax, options.maxSteps, options.minDistance);
      x.c.relaxed = {
        energy: r.energy,
        gbEnergy: grainBoundaryEnergy(r.energy, x.c.formulaUnits, eFu, x.report.area),
        steps: r.steps,
        converged: r.converged,
        fmax: r.fmax,
        census: ps4Census(x.s, r.positions),
      };
      const better =
        !best ||
        (whole(x.c) && !whole(best.c)) ||
        (whole(x.c) === whole(best.c) && x.c.relaxed.gbEnergy < (best.c.relaxed as { gbEnergy: number }).gbEnergy);
      if (better) best = { ...x, positions: r.positions };
    } catch (err) {
      if (!(err instanceof ContactError)) throw err;
      x.c.failed = err.message;
    }
    options.onCandidate?.(x.c, candidates.length, total);
  }
  if (!best) throw new Error('every relaxed candidate failed (see the candidates)');
  return {
    bulkEnergyPerFormulaUnit: eFu,
    candidates: candidates.map((x) => x.c),
    best: best.c,
    structure: { ...best.s, positions: best.positions },
    report: best.report,
  };
}
