/**
 * The potentials the page starts with: the shipped default (public/potentials/, with its training report and
 * active set) or, when it cannot be fetched, a soft-sphere placeholder that says what it is; and a potential loaded
 * from a file.
 */
import { writeMtp } from '../io/mtp.ts';
import { LI_P_S } from '../model/species.ts';
import { mtpPotential, parseMtpPotential } from '../potential/mtp/potential.ts';
import { softSphereMtpFile } from '../potential/mtp/soft-sphere.ts';
import type { LoadedPotential } from './lab.ts';

/** The shipped potential, its training report and its active set, fetched so the offline cache keeps them. */
export const DEFAULT_POTENTIAL_URL = './potentials/li3ps4-default.mtp';
const DEFAULT_REPORT_URL = './potentials/li3ps4-default.json';
export const DEFAULT_ACTIVE_SET_URL = `${DEFAULT_POTENTIAL_URL}.als.json`;
export const DEFAULT_POTENTIAL_NAME = 'li3ps4-default.mtp';

export interface TrainingReport {
  /** What the MD checks found wrong with it, said in the status line (written by `lilab physics --report`). */
  limits?: string | null;
  /** Present once the MD checks have run on this potential. */
  physics?: { measured: string };
  start?: { level?: number };
  configurations?: { training: number; validation: number };
  /** Training configurations by kind (written by `lilab train`; reports before it lack it). */
  coverage?: Record<string, number>;
  errors?: { validation?: { forceMeVPerA: { mae: number }; energyMeVPerAtom: { mae: number } } | null };
}

/** When the default potential cannot be had, the lab runs this, and says so everywhere. */
export function placeholderPotential(): LoadedPotential {
  return {
    ...mtpPotential(softSphereMtpFile()),
    label: 'PLACEHOLDER soft spheres (not a model of Li3PS4)',
    provenance:
      'The default potential could not be loaded, so the lab runs soft spheres that keep atoms apart and nothing ' +
      'more: no chemistry, no diffusion worth measuring. Load a trained .mtp (files) or reload with the network.',
    species: [...LI_P_S],
    text: writeMtp(softSphereMtpFile()),
  };
}

/** The default potential's name in the status line. */
export function shortDefault(report: TrainingReport | null): string {
  return `default MTP (${report?.start?.level ? `level ${report.start.level}, ` : ''}preliminary)`;
}

/** The status line's details on the default potential: what it was trained on and how well it validates. */
export function describeDefault(report: TrainingReport | null): string {
  const level = report?.start?.level ? `level ${report.start.level}` : 'MTP';
  const n = report?.configurations;
  const v = report?.errors?.validation;
  const kinds = report?.coverage
    ? Object.entries(report.coverage)
        .sort((a, b) => b[1] - a[1])
        .map(([kind, count]) => `${count} ${count === 1 ? kind.replace(/s$/, '') : kind}`)
        .join(', ')
    : '';
  return (
    `default MTP (${level}) trained on ${n ? n.training : '?'} CP2K PBE-D3(BJ) configurations of beta-Li3PS4${kinds ? ` (${kinds})` : ''}, ` +
    'preliminary' +
    (v
      ? `; validation MAE ${v.energyMeVPerAtom.mae.toFixed(1)} meV/atom, ${v.forceMeVPerA.mae.toFixed(0)} meV/A`
      : '') +
    (report?.limits
      ? `; known limits: ${report.limits}`
      : report?.physics
        ? '; the bench MD checks found no collapse; boundaries extrapolate (colour by grade)'
        : '; not yet checked in MD; boundaries extrapolate (colour by grade)')
  );
}

/** The default potential, or null when it is not there (the placeholder then runs, labelled as such). */
export async function fetchDefaultPotential(): Promise<LoadedPotential | null> {
  const response = await fetch(DEFAULT_POTENTIAL_URL).catch(() => null);
  if (!response?.ok) return null;
  const text = await response.text();
  const report = await fetch(DEFAULT_REPORT_URL)
    .then((r) => (r.ok ? (r.json() as Promise<TrainingReport>) : null))
    .catch(() => null);
  return {
    ...parseMtpPotential(text, DEFAULT_POTENTIAL_NAME),
    label: shortDefault(report),
    provenance: describeDefault(report),
    species: [...LI_P_S],
    text,
  };
}

/** A potential from a file's text: parsed and checked (three species, Li, P, S) before anything changes. */
export function potentialFromFile(text: string, name: string): LoadedPotential {
  const potential = parseMtpPotential(text, name);
  const { model } = potential;
  if (model.speciesCount !== 3)
    throw new Error(
      `${name}: the lab expects 3 species in the order Li, P, S; this potential has ${model.speciesCount}`,
    );
  return {
    ...potential,
    label: `${name} (loaded)`,
    provenance: `${name}: ${model.name}, loaded from a file (no training report with it)`,
    species: [...LI_P_S],
    text,
  };
}
