/**
 * The grain-boundary study's results (`lilab study`, the page's Study view): what one run measured, and what follows
 * for a system across temperatures (Arrhenius per axis, D and conductivity at 300 K, isotropy). The JSON keys are the
 * schema of `results.json` (docs/study.md); D in cm^2/s, energies in eV, conductivity in S/cm.
 */

import { A2_PER_FS_TO_CM2_PER_S } from '../model/units.ts';
import { fitArrhenius } from './arrhenius.ts';
import { nernstEinstein } from './conductivity.ts';
import { isotropy } from './diffusion.ts';

export type StudyAxis = 'x' | 'y' | 'z' | 'total';
export const STUDY_AXES: StudyAxis[] = ['x', 'y', 'z', 'total'];
export type Axes = Record<StudyAxis, number | null>;

/** Li of a bicrystal within BOUNDARY_REGION of a plane ('boundary'), the others ('bulk-like'), or all ('all'). */
export type StudyRegion = 'all' | 'boundary' | 'bulk-like';

export interface StudyRun {
  temperature_K: number;
  /** Production length, ps (the equilibration before it is discarded). */
  ps: number;
  region: StudyRegion;
  atoms: number;
  /** Mean temperature of the production, K. */
  mean_temperature_K: number;
  D_cm2_s: Axes;
  D_sigma_cm2_s: Axes;
  /** Fit window of the MSD, ps. */
  fit_window_ps: [number, number];
  /** The MSD curve's CSV, relative to the results directory. */
  msd_csv: string;
}

export interface StudyArrhenius {
  region: StudyRegion;
  temperatures_K: number[];
  Ea_eV: Axes;
  Ea_sigma_eV: Axes;
  D300_cm2_s: Axes;
  /** 1 sigma of D(300 K) from the fit's covariance; the error is symmetric in ln D, so this is D300 (e^s - 1). */
  D300_sigma_cm2_s: Axes;
  /** Why an axis has no fit (fewer than two runs with D > 0), if it has none. */
  notes?: string[];
}

export interface StudyEntry {
  id: string;
  label: string;
  atoms: number;
  li_atoms: number;
  volume_A3: number;
  /** Cartesian axis of the boundary normal (bicrystals), null for the bulk. */
  normal: 'x' | 'y' | 'z' | null;
  runs: StudyRun[];
  /** Of the headline region: Li at the boundary for bicrystals, all Li for the bulk. */
  arrhenius: StudyArrhenius | null;
  arrhenius_by_region: StudyArrhenius[];
  /** D_normal / mean in-plane D at 300 K (from the per-axis Arrhenius fits), with its 1 sigma; null for the bulk. */
  isotropy: number | null;
  isotropy_sigma: number | null;
  /** Nernst-Einstein at 300 K from D300 total of the headline region and the cell's Li density, Haven ratio 1. */
  sigma300_S_cm: number | null;
  sigma300_sigma_S_cm: number | null;
  /** Runs at 300 K for the per-axis MSD panels (too short for D to mean much there). */
  msd300?: { ps: number; region: StudyRegion; msd_csv: string }[];
  /** Failed runs: temperature and why. */
  failures?: { temperature_K: number; error: string }[];
}

export interface StudyBoundary extends StudyEntry {
  gb_energy_J_m2: number | null;
}

export interface StudyResults {
  lilab: string;
  created: string;
  command: string;
  /** LiLab version, git commit, potential and its SHA-256, seed, command line, time (as the thermo CSV heads). */
  provenance?: Record<string, string>;
  potential: Record<string, unknown>;
  settings: Record<string, unknown>;
  bulk: StudyEntry | null;
  boundaries: StudyBoundary[];
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

/** The Arrhenius fit of each axis over a region's runs with D > 0 (D enters with its 1-sigma error). */
export function studyArrhenius(runs: StudyRun[], region: StudyRegion): StudyArrhenius | null {
  const mine = runs.filter((r) => r.region === region).sort((a, b) => a.temperature_K - b.temperature_K);
  if (mine.length < 2) return null;
  const out: StudyArrhenius = {
    region,
    temperatures_K: mine.map((r) => r.temperature_K),
    Ea_eV: { x: null, y: null, z: null, total: null },
    Ea_sigma_eV: { x: null, y: null, z: null, total: null },
    D300_cm2_s: { x: null, y: null, z: null, total: null },
    D300_sigma_cm2_s: { x: null, y: null, z: null, total: null },
  };
  const notes: string[] = [];
  for (const a of STUDY_AXES) {
    const pts = mine
      .filter((r) => (r.D_cm2_s[a] ?? 0) > 0)
      .map((r) => ({ temperature: r.temperature_K, d: r.D_cm2_s[a]!, dError: r.D_sigma_cm2_s[a] ?? 0 }));
    if (pts.length < 2) {
      notes.push(`${a}: ${pts.length} of ${mine.length} runs with D > 0, no fit`);
      continue;
    }
    const f = fitArrhenius(pts);
    const d300 = f.extrapolate(300);
    out.Ea_eV[a] = finite(f.activationEnergy);
    out.Ea_sigma_eV[a] = finite(f.activationEnergyError);
    out.D300_cm2_s[a] = finite(d300.d);
    out.D300_sigma_cm2_s[a] = finite(d300.d * (Math.exp(d300.logError) - 1));
  }
  if (notes.length) out.notes = notes;
  return out;
}

/**
 * Isotropy D_normal / D_in-plane (the mean of the two in-plane axes) with its 1 sigma, propagated in ln: 1 is
 * isotropic, below 1 faster along the boundary than across it.
 */
export function studyIsotropy(
  d: Pick<Axes, 'x' | 'y' | 'z'>,
  sigma: Pick<Axes, 'x' | 'y' | 'z'>,
  normal: 'x' | 'y' | 'z',
): { value: number | null; sigma: number | null } {
  const inPlane = (['x', 'y', 'z'] as const).filter((a) => a !== normal);
  const n = d[normal];
  const p = inPlane.map((a) => d[a]);
  if (n === null || p[0] === null || p[1] === null || !(n > 0) || !(p[0] + p[1] > 0))
    return { value: null, sigma: null };
  const mean = (p[0] + p[1]) / 2;
  // the definition of diffusion.ts's isotropy (what `lilab msd --axis-normal` prints), with its error
  const value = isotropy({ x: d.x as number, y: d.y as number, z: d.z as number }, normal).isotropy;
  const sn = (sigma[normal] ?? 0) / n;
  const sp = Math.hypot(sigma[inPlane[0]] ?? 0, sigma[inPlane[1]] ?? 0) / 2 / mean;
  return { value: finite(value), sigma: finite(value * Math.hypot(sn, sp)) };
}

/** Conductivity at 300 K (S/cm) by Nernst-Einstein for Li of density liAtoms / volume, D in cm^2/s. */
export function sigma300(dCm2s: number, liAtoms: number, volumeA3: number): number {
  return nernstEinstein(dCm2s / A2_PER_FS_TO_CM2_PER_S, liAtoms, volumeA3, 300);
}

/** A system's summary from its runs: fits per region, the headline region's isotropy and conductivity. */
export function summariseEntry(
  base: Omit<
    StudyEntry,
    'arrhenius' | 'arrhenius_by_region' | 'isotropy' | 'isotropy_sigma' | 'sigma300_S_cm' | 'sigma300_sigma_S_cm'
  >,
): StudyEntry {
  const regions = [...new Set(base.runs.map((r) => r.region))];
  const byRegion = regions.map((r) => studyArrhenius(base.runs, r)).filter((a): a is StudyArrhenius => a !== null);
  const headline = base.normal ? 'boundary' : 'all';
  const main = byRegion.find((a) => a.region === headline) ?? null;
  const iso =
    main && base.normal
      ? studyIsotropy(main.D300_cm2_s, main.D300_sigma_cm2_s, base.normal)
      : { value: null, sigma: null };
  const d = main?.D300_cm2_s.total ?? null;
  const ds = main?.D300_sigma_cm2_s.total ?? null;
  const s = d !== null && d > 0 ? sigma300(d, base.li_atoms, base.volume_A3) : null;
  return {
    ...base,
    arrhenius: main,
    arrhenius_by_region: byRegion,
    isotropy: iso.value,
    isotropy_sigma: iso.sigma,
    sigma300_S_cm: s !== null ? finite(s) : null,
    sigma300_sigma_S_cm: s !== null && d !== null && ds !== null ? finite((s * ds) / d) : null,
  };
}

/**
 * Published values the report compares with (facts, cited), each with what of LiLab's it is compared to: a range of
 * conductivity (S/cm, about 300 K), an activation energy (eV), a diffusion coefficient (cm^2/s), or the bulk's
 * anisotropy.
 */
export const LITERATURE = [
  {
    quantity: 'bulk beta-Li3PS4 conductivity (MTP MD, Arrhenius to 300 K)',
    value: '~1e-5 S/cm',
    compare: { kind: 'bulk-sigma', range: [1e-5, 1e-5] },
    source: 'Jalem et al., Energy Advances 2 (2023) 2029',
  },
  {
    quantity: 'boundary and interface conductivity (MTP MD, Arrhenius to 300 K)',
    value: '1e-4 to 1e-3 S/cm',
    compare: { kind: 'boundary-sigma', range: [1e-4, 1e-3] },
    source: 'Jalem et al., Energy Advances 2 (2023) 2029',
  },
  {
    quantity: 'nanoporous beta-Li3PS4 conductivity at 25 C',
    value: '1.6e-4 S/cm',
    compare: { kind: 'bulk-sigma', range: [1.6e-4, 1.6e-4] },
    source: 'Liu et al., J. Am. Chem. Soc. 135 (2013) 975',
  },
  {
    quantity: 'Li self-diffusion at room temperature (PFG-NMR)',
    value: '~9e-10 cm^2/s',
    compare: { kind: 'bulk-d', range: [9e-10, 9e-10] },
    source: 'Stoeffler et al., J. Phys. Chem. C (2018)',
  },
  {
    quantity: 'Li self-diffusion activation energy (PFG-NMR)',
    value: '~0.24 eV',
    compare: { kind: 'bulk-ea', value: 0.24 },
    source: 'Stoeffler et al., J. Phys. Chem. C (2018)',
  },
  {
    quantity: 'long-range (conductivity) activation energy',
    value: '~0.4 eV',
    compare: { kind: 'bulk-ea', value: 0.4 },
    source: 'Liu et al., J. Am. Chem. Soc. 135 (2013) 975',
  },
  {
    quantity: 'AIMD: Li diffusion in the bulk anisotropic, slowest along one axis',
    value: 'anisotropic',
    compare: { kind: 'bulk-anisotropy' },
    source: 'de Klerk, van der Maas and Wagemaker, ACS Appl. Energy Mater. 1 (2018) 3230',
  },
] as const;
