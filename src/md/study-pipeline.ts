/**
 * The study as a pipeline over its systems (docs/study.md): build and relax each, its boundary energy, then one MD run
 * per system and temperature, then the results. What each step finishes goes to a store (files for `lilab study`,
 * memory for the page's Study view), and a step whose record the store already holds is not run again: that is how a
 * study resumes, and how the page redraws its figures after every run.
 */
import { FIT_WINDOW } from '../analysis/diffusion.ts';
import {
  type Axes,
  STUDY_AXES,
  type StudyBoundary,
  type StudyEntry,
  type StudyResults,
  type StudyRun,
  summariseEntry,
} from '../analysis/study.ts';
import { msdCsv } from '../analysis/study-report.ts';
import { volume } from '../model/cell.ts';
import { structureFingerprint } from '../model/fingerprint.ts';
import type { Structure } from '../model/structure.ts';
import { A2_PER_FS_TO_CM2_PER_S } from '../model/units.ts';
import type { MtpPotential } from '../potential/mtp/potential.ts';
import { buildBicrystal } from '../structure/gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS, type GbPreset, presetSpec } from '../structure/gb/presets.ts';
import { betaLi3PS4 } from '../structure/li3ps4.ts';
import { repeatStructure } from '../structure/supercell.ts';
import { AMORPHOUS_BASE, AMORPHOUS_ID, amorphousInterface, MELT_QUENCH } from './melt-quench.ts';
import { boundaryEnergy, formulaUnits, regionDiffusion, relaxStructure, runTemperature } from './study.ts';

export const BULK_ID = 'beta-li3ps4';
/** The bulk system's repeats of the 32-atom cell: 256 atoms, every cell length above twice the 5 A cutoff. */
const BULK_REPEAT = [2, 2, 2] as const;
/** Every boundary the study knows: the CSL presets and the amorphous interface. */
export const STUDY_BOUNDARIES = [...GB_PRESETS.map((p) => p.id), AMORPHOUS_ID];

export interface StudySystem {
  id: string;
  label: string;
  normal: 'z' | null;
  /** Area of one boundary, A^2 (bicrystals). */
  area: number | null;
  /** Builds the structure (labels and all); the amorphous interface needs the GPU and the potential. */
  build: (device: GPUDevice, potential: MtpPotential) => Promise<Structure>;
}

/** The study's system of that id (the bulk, a boundary preset, the amorphous interface); null if there is none. */
export function studySystem(id: string): StudySystem | null {
  if (id === BULK_ID)
    return {
      id,
      label: 'bulk beta-Li3PS4',
      normal: null,
      area: null,
      build: async () => repeatStructure(betaLi3PS4(), ...BULK_REPEAT),
    };
  if (id === AMORPHOUS_ID) {
    const base = GB_PRESETS.find((p) => p.id === AMORPHOUS_BASE)!;
    return {
      id,
      label: 'amorphous/(120) interface',
      normal: 'z',
      area: buildBicrystal(betaLi3PS4Standard(), presetSpec(base)).report.area,
      build: (device, potential) =>
        potential.withGpu(device, (field) => amorphousInterface(device, field, MELT_QUENCH)),
    };
  }
  const p = GB_PRESETS.find((q) => q.id === id);
  if (!p) return null;
  const built = buildBicrystal(betaLi3PS4Standard(), presetSpec(p));
  return {
    id,
    label: p.label,
    normal: 'z',
    area: built.report.area,
    build: async () => ({ ...built.structure, title: p.label }),
  };
}

/**
 * How a system's start structure is made, in words that change when it does (a preset moved to another translation,
 * or built otherwise by a changed rule: the bicrystal's atom count and fingerprint), null for no such system. An MD
 * check or its saved progress names it, so that no result of one structure is taken for another's.
 */
export function systemStart(id: string): string | null {
  if (id === BULK_ID) return `${id} ${BULK_REPEAT.join('x')}`;
  // the fingerprint of the bicrystal as built: the builder's rules can change what a translation gives
  const presetStart = (p: GbPreset) =>
    `${p.id}, grain B at shift ${p.translation.shift.map((x) => +x.toFixed(6)).join(', ')} and gap ` +
    `${p.translation.gap} A (${builtFingerprint(p)})`;
  if (id === AMORPHOUS_ID)
    return (
      `${id}: grain A of ${presetStart(GB_PRESETS.find((p) => p.id === AMORPHOUS_BASE)!)} melted ` +
      `${MELT_QUENCH.meltSteps / 1000} ps at ${MELT_QUENCH.meltTemperature} K, quenched in ${MELT_QUENCH.quenchSteps / 1000} ps`
    );
  const p = GB_PRESETS.find((q) => q.id === id);
  return p ? presetStart(p) : null;
}

const fingerprints = new Map<string, string>();
/** The atom count and fingerprint of a preset as built, computed once per process. */
function builtFingerprint(p: GbPreset): string {
  let f = fingerprints.get(p.id);
  if (f === undefined) {
    const s = buildBicrystal(betaLi3PS4Standard(), presetSpec(p)).structure;
    f = `${s.types.length} atoms, ${structureFingerprint(s)}`;
    fingerprints.set(p.id, f);
  }
  return f;
}

/**
 * The study's sizes (docs/study.md): the full study, `--quick` (a laptop GPU, about 30 minutes) and the page's default
 * (two systems, a few minutes on a laptop GPU). Boundaries null: all of them.
 */
export const STUDY_MODES = {
  full: { boundaries: null, temperatures: [600, 700, 800, 1000], ps: 200, equilibratePs: 10, ps300: 200 },
  quick: {
    boundaries: STUDY_BOUNDARIES.filter((id) => !/150|170/.test(id)),
    temperatures: [800, 1000, 1200],
    ps: 20,
    equilibratePs: 2,
    ps300: 10,
  },
  page: { boundaries: ['sigma5-001-120'], temperatures: [1000, 1200], ps: 5, equilibratePs: 1, ps300: 3 },
} as const;

export interface StudySettings {
  temperatures: number[];
  /** Production per run, ps; at 300 K `ps300`. */
  ps: number;
  ps300: number;
  equilibratePs: number;
  seed: number;
}

export interface SystemRecord {
  id: string;
  atoms: number;
  li_atoms: number;
  volume_A3: number;
  energy_eV: number;
  relax_steps: number;
  relax_converged: boolean;
  gb_energy_J_m2: number | null;
}

export type RunRecord =
  | {
      temperature_K: number;
      runs: StudyRun[];
      seconds: number;
      /** The lowest fraction of whole PS4 units in the picosecond census (CENSUS_WINDOW_FS means), and in single frames. */
      lowest_intact: number;
      lowest_intact_single_frame?: number;
      most_s_s: number;
    }
  | { temperature_K: number; error: string };

/** Where the pipeline keeps what it finished; `get*` null means "not done yet". */
export interface StudyStore {
  getSystem(id: string): { record: SystemRecord; structure: Structure } | null;
  putSystem(id: string, record: SystemRecord, structure: Structure): void;
  getRun(key: string): RunRecord | null;
  putRun(key: string, record: RunRecord): void;
  /** An MSD curve's CSV at a path relative to the study (`msd/KEY-REGION.csv`). */
  putCsv(path: string, text: string): void;
}

export interface StudyProgress {
  /** Fraction of the study's atom-femtoseconds done. */
  fraction: number;
  /** Seconds left at the rate measured so far (NaN until a run has finished). */
  secondsLeft: number;
  label: string;
}

export interface StudyHooks {
  onProgress?: (p: StudyProgress) => void;
  /** A line worth printing (a system relaxed, a run done or failed). */
  onLog?: (line: string, kind: 'info' | 'error') => void;
  /** After each run: the results so far (for figures that fill in). */
  onResults?: (r: StudyResults) => void;
}

/** Frames for the MSD: about 2000 per production run, never closer than 10 fs. */
export const frameInterval = (ps: number) => Math.max(10, Math.round((ps * 1000) / 2000 / 10) * 10);

const cm = (v: number) => (Number.isFinite(v) ? v * A2_PER_FS_TO_CM2_PER_S : null);

/** Runs (or resumes) a study and returns its results; `header` gives results.json its provenance keys. */
export async function runStudy(
  device: GPUDevice,
  potential: MtpPotential,
  systems: StudySystem[],
  settings: StudySettings,
  store: StudyStore,
  header: Pick<StudyResults, 'lilab' | 'command' | 'potential'> & { provenance?: Record<string, string> },
  hooks: StudyHooks = {},
): Promise<StudyResults> {
  const { temperatures, ps, ps300, equilibratePs, seed } = settings;
  const log = hooks.onLog ?? (() => {});
  let bulkEnergyPerUnit: number | null = null;
  const bulkRef = async () => {
    if (bulkEnergyPerUnit === null) {
      const r = await relaxStructure(device, potential, betaLi3PS4Standard());
      bulkEnergyPerUnit = r.energy / formulaUnits(r.structure);
    }
    return bulkEnergyPerUnit;
  };

  // 1. structures: built and relaxed once
  const prepared: { system: StudySystem; structure: Structure; record: SystemRecord }[] = [];
  for (const system of systems) {
    const kept = store.getSystem(system.id);
    if (kept) {
      prepared.push({ system, ...kept });
      continue;
    }
    const relaxed = await relaxStructure(device, potential, await system.build(device, potential));
    const structure = relaxed.structure;
    const gb = system.area !== null ? boundaryEnergy(relaxed, await bulkRef(), system.area) : null;
    const record: SystemRecord = {
      id: system.id,
      atoms: structure.types.length,
      li_atoms: structure.types.filter((t) => structure.species[t] === 'Li').length,
      volume_A3: volume(structure.cell),
      energy_eV: relaxed.energy,
      relax_steps: relaxed.steps,
      relax_converged: relaxed.converged,
      gb_energy_J_m2: gb !== null && Number.isFinite(gb) ? gb : null,
    };
    store.putSystem(system.id, record, structure);
    prepared.push({ system, structure, record });
    log(
      `${system.id}: ${record.atoms} atoms, relaxed in ${relaxed.steps} FIRE steps${relaxed.converged ? '' : ' (not converged)'}` +
        (record.gb_energy_J_m2 !== null ? `, E_GB ${record.gb_energy_J_m2.toFixed(3)} J/m^2` : ''),
      'info',
    );
  }

  // 2. MD: one run per system and temperature; progress by simulated atom-femtoseconds, which the cost follows
  const plan = prepared.flatMap((p) => [...temperatures, 300].map((temperature) => ({ ...p, temperature })));
  const workOf = (p: (typeof plan)[number]) =>
    p.record.atoms * ((p.temperature === 300 ? ps300 : ps) + equilibratePs) * 1000;
  const totalWork = plan.reduce((s, p) => s + workOf(p), 0);
  let doneWork = 0;
  let measured = { work: 0, seconds: 0 };
  const records = new Map<string, RunRecord>();
  const results = () => assemble(prepared, records, settings, header);
  for (const p of plan) {
    const key = `${p.system.id}-${p.temperature}K`;
    const work = workOf(p);
    const kept = store.getRun(key);
    if (kept) {
      records.set(key, kept);
      doneWork += work;
      continue;
    }
    const production = p.temperature === 300 ? ps300 : ps;
    const dtFrame = frameInterval(production);
    const start = performance.now();
    let record: RunRecord;
    try {
      const run = await runTemperature(device, potential, p.structure, {
        temperature: p.temperature,
        equilibrateFs: Math.round(equilibratePs * 1000),
        productionFs: Math.round(production * 1000),
        frameFs: dtFrame,
        seed: seed + p.temperature,
        onProgress: (fs) => {
          const rate = measured.seconds > 0 ? measured.work / measured.seconds : Number.NaN;
          hooks.onProgress?.({
            fraction: (doneWork + p.record.atoms * fs) / totalWork,
            secondsLeft: (totalWork - doneWork - p.record.atoms * fs) / rate,
            label: `${key}, ${(fs / 1000).toFixed(1)} ps`,
          });
        },
      });
      const runs: StudyRun[] = regionDiffusion(run, p.structure, dtFrame, FIT_WINDOW).map((r) => {
        const csv = `msd/${key}-${r.region}.csv`;
        store.putCsv(
          csv,
          msdCsv({
            lag_fs: [...r.msd.lag],
            x: [...r.msd.x],
            y: [...r.msd.y],
            z: [...r.msd.z],
            total: [...r.msd.total],
          }),
        );
        const axes = (k: 'value' | 'error') => Object.fromEntries(STUDY_AXES.map((a) => [a, cm(r.d[a][k])])) as Axes;
        const D = axes('value');
        if (STUDY_AXES.some((a) => D[a] === null)) throw new Error(`non-finite D for the ${r.region} Li`);
        return {
          temperature_K: p.temperature,
          ps: production,
          region: r.region,
          atoms: r.atoms,
          mean_temperature_K: run.meanTemperature,
          D_cm2_s: D,
          D_sigma_cm2_s: axes('error'),
          fit_window_ps: [r.window[0] / 1000, r.window[1] / 1000],
          msd_csv: csv,
        };
      });
      record = {
        temperature_K: p.temperature,
        runs,
        seconds: run.seconds,
        lowest_intact: run.lowestIntact,
        lowest_intact_single_frame: run.lowestIntactInstant,
        most_s_s: run.mostSulfurBonds,
      };
      const all = runs.find((r) => r.region === 'all')!;
      log(
        `${key}: ${production} ps in ${run.seconds.toFixed(0)} s, <T> ${run.meanTemperature.toFixed(0)} K, ` +
          `D ${all.D_cm2_s.total!.toExponential(2)} +- ${all.D_sigma_cm2_s.total!.toExponential(1)} cm^2/s (all Li); ` +
          `PS4 whole >= ${(100 * run.lowestIntact).toFixed(0)} %, S-S bonds <= ${run.mostSulfurBonds}`,
        'info',
      );
    } catch (err) {
      record = { temperature_K: p.temperature, error: (err as Error).message };
      log(`${key}: FAILED: ${record.error}`, 'error');
    }
    store.putRun(key, record);
    records.set(key, record);
    doneWork += work;
    measured = { work: measured.work + work, seconds: measured.seconds + (performance.now() - start) / 1000 };
    hooks.onResults?.(results());
  }
  return results();
}

/** results.json from the systems and the runs finished so far (a system without runs yet has empty runs). */
function assemble(
  prepared: { system: StudySystem; record: SystemRecord }[],
  records: Map<string, RunRecord>,
  settings: StudySettings,
  header: Pick<StudyResults, 'lilab' | 'command' | 'potential'> & { provenance?: Record<string, string> },
): StudyResults {
  const entryOf = (p: (typeof prepared)[number]): StudyEntry => {
    const mine = [...settings.temperatures, 300]
      .map((t) => records.get(`${p.system.id}-${t}K`))
      .filter((r): r is RunRecord => r !== undefined);
    const ok = mine.filter((r): r is Extract<RunRecord, { runs: StudyRun[] }> => 'runs' in r);
    const at300 = ok.find((r) => r.temperature_K === 300);
    const failures = mine.flatMap((r) => ('error' in r ? [{ temperature_K: r.temperature_K, error: r.error }] : []));
    return summariseEntry({
      id: p.system.id,
      label: p.system.label,
      atoms: p.record.atoms,
      li_atoms: p.record.li_atoms,
      volume_A3: p.record.volume_A3,
      normal: p.system.normal,
      runs: ok.filter((r) => r.temperature_K !== 300).flatMap((r) => r.runs),
      msd300: at300?.runs
        .filter((r) => r.region === (p.system.normal ? 'boundary' : 'all'))
        .map((r) => ({ ps: r.ps, region: r.region, msd_csv: r.msd_csv })),
      ...(failures.length ? { failures } : {}),
    });
  };
  const bulk = prepared.find((p) => p.system.id === BULK_ID);
  return {
    ...header,
    created: new Date().toISOString(),
    settings: {
      temperatures_K: settings.temperatures,
      ps: settings.ps,
      equilibrate_ps: settings.equilibratePs,
      ps_300: settings.ps300,
      seed: settings.seed,
      frame_interval_fs: frameInterval(settings.ps),
      fit_window: [FIT_WINDOW.from, FIT_WINDOW.to],
      thermostat: 'csvr tau 100 fs',
      dt_fs: 1,
    },
    bulk: bulk ? entryOf(bulk) : null,
    boundaries: prepared
      .filter((p) => p.system.id !== BULK_ID)
      .map((p): StudyBoundary => ({ ...entryOf(p), gb_energy_J_m2: p.record.gb_energy_J_m2 })),
  };
}
