import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { FIT_WINDOW } from '../../analysis/diffusion.ts';
import {
  type Axes,
  STUDY_AXES,
  type StudyBoundary,
  type StudyEntry,
  type StudyResults,
  type StudyRun,
  summariseEntry,
} from '../../analysis/study.ts';
import { msdCsv, studyFigures, studyReportMarkdown } from '../../analysis/study-report.ts';
import { formatAdapter } from '../../gpu/device.ts';
import { nodeGpuContext } from '../../gpu/node-gpu.ts';
import { readStructureText, writeStructureText } from '../../io/structure-files.ts';
import { AMORPHOUS_ID, amorphousInterface } from '../../md/melt-quench.ts';
import { boundaryEnergy, formulaUnits, regionDiffusion, relaxStructure, runTemperature } from '../../md/study.ts';
import { volume } from '../../model/cell.ts';
import type { Structure } from '../../model/structure.ts';
import { A2_PER_FS_TO_CM2_PER_S } from '../../model/units.ts';
import { compileMtp, type MtpModel } from '../../potential/mtp/model.ts';
import { WebGpuMtp } from '../../potential/mtp/webgpu.ts';
import { buildBicrystal } from '../../structure/gb/builder.ts';
import { betaLi3PS4Standard, GB_PRESETS, presetSpec } from '../../structure/gb/presets.ts';
import { betaLi3PS4 } from '../../structure/li3ps4.ts';
import { repeatStructure } from '../../structure/supercell.ts';
import { type Command, numberOption, stringOption, UsageError } from '../command.ts';
import { potentialOrDefault } from '../default-potential.ts';
import { fileSha256, loadMtpFile, writeText } from '../files.ts';
import { provenance, VERSION } from '../provenance.ts';

const BULK_ID = 'beta-li3ps4';
/** The bulk system's repeats of the 32-atom cell: 256 atoms, every cell length above twice the 5 A cutoff. */
const BULK_REPEAT = [2, 2, 2] as const;
const ALL_BOUNDARIES = [...GB_PRESETS.map((p) => p.id), AMORPHOUS_ID];
/** What --quick changes (docs/study.md says what it gives up). */
const QUICK = {
  boundaries: ALL_BOUNDARIES.filter((id) => !/150|170/.test(id)),
  temperatures: [800, 1000, 1200],
  ps: 20,
  equilibratePs: 2,
  ps300: 10,
};
const FULL = { temperatures: [600, 700, 800, 1000], ps: 200, equilibratePs: 10 };

interface System {
  id: string;
  label: string;
  normal: 'z' | null;
  /** Area of one boundary, A^2 (bicrystals). */
  area: number | null;
  /** Builds the structure (labels and all); the amorphous interface needs the GPU and the potential. */
  build: (device: GPUDevice, model: MtpModel) => Promise<Structure>;
}

function systemOf(id: string): System {
  if (id === BULK_ID)
    return {
      id,
      label: 'bulk beta-Li3PS4',
      normal: null,
      area: null,
      build: async () => repeatStructure(betaLi3PS4(), ...BULK_REPEAT),
    };
  if (id === AMORPHOUS_ID) {
    const base = GB_PRESETS.find((p) => p.id === 'sigma5-001-120')!;
    return {
      id,
      label: 'amorphous/(120) interface',
      normal: 'z',
      area: buildBicrystal(betaLi3PS4Standard(), presetSpec(base)).report.area,
      build: async (device, model) => {
        const field = await WebGpuMtp.create(device, model);
        try {
          return await amorphousInterface(device, field, { meltTemperature: 2000, meltSteps: 4000, quenchSteps: 8000 });
        } finally {
          field.destroy();
        }
      },
    };
  }
  const p = GB_PRESETS.find((q) => q.id === id);
  if (!p) throw new UsageError(`--boundaries: no boundary '${id}' (known: ${ALL_BOUNDARIES.join(', ')})`);
  const built = buildBicrystal(betaLi3PS4Standard(), presetSpec(p));
  return {
    id,
    label: p.label,
    normal: 'z',
    area: built.report.area,
    build: async () => ({ ...built.structure, title: p.label }),
  };
}

function list(text: string | undefined, fallback: number[], name: string): number[] {
  if (text === undefined) return fallback;
  const v = text.split(',').map(Number);
  if (!v.every((x) => Number.isFinite(x) && x > 0))
    throw new UsageError(`--${name} expects positive numbers like 800,1000`);
  return v;
}

/** Writes through a temporary name, so that an interrupted study never leaves half a file where --resume looks. */
function writeAtomic(path: string, text: string): void {
  writeText(`${path}.part`, text);
  renameSync(`${path}.part`, path);
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

interface SystemRecord {
  id: string;
  atoms: number;
  li_atoms: number;
  volume_A3: number;
  energy_eV: number;
  relax_steps: number;
  relax_converged: boolean;
  gb_energy_J_m2: number | null;
}

type RunRecord =
  | { temperature_K: number; runs: StudyRun[]; seconds: number; lowest_intact: number; most_s_s: number }
  | { temperature_K: number; error: string };

const cm = (v: number) => (Number.isFinite(v) ? v * A2_PER_FS_TO_CM2_PER_S : null);

export const studyCommand: Command = {
  name: 'study',
  summary:
    'the grain-boundary study in one command: relax, boundary energies, MD per temperature, D, Arrhenius, report',
  usage:
    '--out DIR [--boundaries ID,ID,...] [--temperatures 600,700,800,1000] [--ps 200] [--equilibrate-ps 10] [--ps-300 PS] [--quick] [--resume] [--potential POT.mtp] [--seed 1] [--no-bulk]',
  help: [
    'For the bulk crystal (256 atoms) and each boundary (default: the eight CSL presets and amorphous-120): build,',
    'relax (FIRE, 0.05 eV/A, fixed cell), boundary energy in J/m^2 against the relaxed crystal; CSVR MD at 1 fs at',
    'each temperature (--equilibrate-ps discarded, then --ps of production, Li frames kept); per-axis D of all Li, the',
    'Li within 3 A of a boundary plane and the others, by generalised least squares with the MSD covariance',
    '(docs/analysis.md); Arrhenius per axis and region -> Ea and D(300 K); conductivity at 300 K by Nernst-Einstein',
    '(Haven ratio 1); isotropy D_normal / D_in-plane at 300 K; a 300 K run per system (--ps-300, default --ps) for the',
    'per-axis MSD panels. Writes DIR/results.json, DIR/msd/*.csv, DIR/figures/*.svg and DIR/report.md.',
    'Each finished step is kept in DIR (systems/, runs/): --resume continues a study where it stopped.',
    '--quick: temperatures 800,1000,1200, 20 ps (2 ps equilibration), 10 ps at 300 K, without the two large tilts',
    '(150) and (170): about 30 minutes on a laptop GPU; see docs/study.md for what it gives up.',
    'Exit status 3: the study finished but some runs failed (listed in results.json and the report).',
  ].join('\n'),
  options: {
    out: { type: 'string' },
    boundaries: { type: 'string' },
    temperatures: { type: 'string' },
    ps: { type: 'string' },
    'equilibrate-ps': { type: 'string' },
    'ps-300': { type: 'string' },
    quick: { type: 'boolean' },
    resume: { type: 'boolean' },
    potential: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'no-bulk': { type: 'boolean' },
  },
  async run(args) {
    const out = stringOption(args, 'out');
    if (!out) throw new UsageError('--out DIR is required');
    if (args.positionals.length) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const quick = Boolean(args.values.quick);
    const ids = (stringOption(args, 'boundaries')?.split(',') ?? (quick ? QUICK.boundaries : ALL_BOUNDARIES)).filter(
      Boolean,
    );
    const systems = [...(args.values['no-bulk'] ? [] : [systemOf(BULK_ID)]), ...ids.map(systemOf)];
    const temperatures = list(
      stringOption(args, 'temperatures'),
      quick ? QUICK.temperatures : FULL.temperatures,
      'temperatures',
    );
    if (temperatures.includes(300))
      throw new UsageError('--temperatures: 300 K is the extrapolation target; give the run temperatures');
    const ps = numberOption(args, 'ps', quick ? QUICK.ps : FULL.ps);
    const equilibratePs = numberOption(
      args,
      'equilibrate-ps',
      quick ? QUICK.equilibratePs : Math.min(FULL.equilibratePs, ps / 2),
    );
    const ps300 = numberOption(args, 'ps-300', quick ? QUICK.ps300 : ps);
    const seed = numberOption(args, 'seed', 1);
    for (const [k, v] of Object.entries({ ps, 'ps-300': ps300 }))
      if (!(v > 0)) throw new UsageError(`--${k} must be positive`);
    if (!(equilibratePs >= 0)) throw new UsageError('--equilibrate-ps must be zero or more');
    const potentialPath = potentialOrDefault(stringOption(args, 'potential'));
    const model = compileMtp(loadMtpFile(potentialPath));
    const sha = fileSha256(potentialPath);
    // frames for the MSD: about 2000 per production run, never closer than 10 fs
    const frameFs = (p: number) => Math.max(10, Math.round((p * 1000) / 2000 / 10) * 10);

    for (const d of ['systems', 'runs', 'msd', 'figures']) mkdirSync(join(out, d), { recursive: true });
    const settingsPath = join(out, 'settings.json');
    const settings = {
      temperatures_K: temperatures,
      ps,
      equilibrate_ps: equilibratePs,
      ps_300: ps300,
      seed,
      quick,
      potential_sha256: sha,
    };
    if (existsSync(settingsPath)) {
      if (!args.values.resume)
        throw new UsageError(`${out} holds a study already: --resume to continue it, or choose another --out`);
      const before = readJson<typeof settings>(settingsPath);
      for (const k of ['ps', 'equilibrate_ps', 'ps_300', 'seed', 'potential_sha256'] as const)
        if (before[k] !== settings[k])
          throw new UsageError(
            `--resume: ${k} was ${before[k]} in ${settingsPath}, now ${settings[k]}; runs would not match`,
          );
    }
    writeAtomic(settingsPath, `${JSON.stringify(settings, null, 2)}\n`);

    const ctx = await nodeGpuContext();
    console.log(`adapter: ${formatAdapter(ctx.report)}; potential ${potentialPath}`);
    // progress by simulated atom-femtoseconds, the unit the MD's cost is proportional to
    const plan: { system: System; temperature: number; atoms: number }[] = [];
    const t0 = performance.now();
    let doneWork = 0;
    let totalWork = 0;
    let measured = { work: 0, seconds: 0 };
    let lastPrint = 0;
    const progress = (label: string, work: number) => {
      const now = performance.now();
      if (now - lastPrint < 10_000) return;
      lastPrint = now;
      const rate = measured.seconds > 0 ? measured.work / measured.seconds : 0;
      const left = rate > 0 ? (totalWork - doneWork - work) / rate : Number.NaN;
      const eta = Number.isFinite(left) ? `, ETA ${(left / 60).toFixed(0)} min` : '';
      console.error(`study: ${((100 * (doneWork + work)) / totalWork).toFixed(0)} % (${label})${eta}`);
    };

    let bulkEnergyPerUnit: number | null = null;
    const bulkRef = async () => {
      if (bulkEnergyPerUnit === null) {
        const r = await relaxStructure(ctx.device, model, betaLi3PS4Standard());
        bulkEnergyPerUnit = r.energy / formulaUnits(r.structure);
      }
      return bulkEnergyPerUnit;
    };

    // 1. structures: built and relaxed once, kept in DIR/systems
    const prepared: { system: System; structure: Structure; record: SystemRecord }[] = [];
    for (const system of systems) {
      const recPath = join(out, 'systems', `${system.id}.json`);
      const xyzPath = join(out, 'systems', `${system.id}.extxyz`);
      let structure: Structure;
      let record: SystemRecord;
      if (existsSync(recPath) && existsSync(xyzPath)) {
        record = readJson<SystemRecord>(recPath);
        structure = readStructureText(readFileSync(xyzPath, 'utf8'), xyzPath);
        console.log(`${system.id}: relaxed structure from ${xyzPath}`);
      } else {
        const built = await system.build(ctx.device, model);
        const relaxed = await relaxStructure(ctx.device, model, built);
        structure = relaxed.structure;
        const gb = system.area !== null ? boundaryEnergy(relaxed, await bulkRef(), system.area) : null;
        record = {
          id: system.id,
          atoms: structure.types.length,
          li_atoms: structure.types.filter((t) => structure.species[t] === 'Li').length,
          volume_A3: volume(structure.cell),
          energy_eV: relaxed.energy,
          relax_steps: relaxed.steps,
          relax_converged: relaxed.converged,
          gb_energy_J_m2: gb !== null && Number.isFinite(gb) ? gb : null,
        };
        writeAtomic(xyzPath, writeStructureText(structure, xyzPath));
        writeAtomic(recPath, `${JSON.stringify(record, null, 2)}\n`);
        console.log(
          `${system.id}: ${record.atoms} atoms, relaxed in ${relaxed.steps} FIRE steps${relaxed.converged ? '' : ' (not converged)'}` +
            (record.gb_energy_J_m2 !== null ? `, E_GB ${record.gb_energy_J_m2.toFixed(3)} J/m^2` : ''),
        );
      }
      prepared.push({ system, structure, record });
      for (const temperature of [...temperatures, 300]) {
        plan.push({ system, temperature, atoms: record.atoms });
        totalWork += record.atoms * ((temperature === 300 ? ps300 : ps) + equilibratePs) * 1000;
      }
    }

    // 2. MD: one run per system and temperature, kept in DIR/runs
    const records = new Map<string, RunRecord>();
    for (const { system, temperature, atoms } of plan) {
      const { structure } = prepared.find((p) => p.system === system)!;
      const key = `${system.id}-${temperature}K`;
      const path = join(out, 'runs', `${key}.json`);
      const production = temperature === 300 ? ps300 : ps;
      const work = atoms * (production + equilibratePs) * 1000;
      if (existsSync(path)) {
        records.set(key, readJson<RunRecord>(path));
        doneWork += work;
        continue;
      }
      const dtFrame = frameFs(production);
      const start = performance.now();
      let record: RunRecord;
      try {
        const run = await runTemperature(ctx.device, model, structure, {
          temperature,
          equilibrateFs: Math.round(equilibratePs * 1000),
          productionFs: Math.round(production * 1000),
          frameFs: dtFrame,
          seed: seed + temperature,
          onProgress: (fs) => progress(`${key}, ${(fs / 1000).toFixed(1)} ps`, atoms * fs),
        });
        const regions = regionDiffusion(run, structure, dtFrame, FIT_WINDOW);
        const runs: StudyRun[] = regions.map((r) => {
          const csv = join('msd', `${key}-${r.region}.csv`);
          writeAtomic(
            join(out, csv),
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
            temperature_K: temperature,
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
          temperature_K: temperature,
          runs,
          seconds: run.seconds,
          lowest_intact: run.lowestIntact,
          most_s_s: run.mostSulfurBonds,
        };
        const all = runs.find((r) => r.region === 'all')!;
        console.log(
          `${key}: ${production} ps in ${run.seconds.toFixed(0)} s, <T> ${run.meanTemperature.toFixed(0)} K, ` +
            `D ${all.D_cm2_s.total!.toExponential(2)} +- ${all.D_sigma_cm2_s.total!.toExponential(1)} cm^2/s (all Li); ` +
            `PS4 whole >= ${(100 * run.lowestIntact).toFixed(0)} %, S-S bonds <= ${run.mostSulfurBonds}`,
        );
      } catch (err) {
        record = { temperature_K: temperature, error: (err as Error).message };
        console.error(`${key}: FAILED: ${record.error}`);
      }
      writeAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
      records.set(key, record);
      doneWork += work;
      measured = { work: measured.work + work, seconds: measured.seconds + (performance.now() - start) / 1000 };
    }
    ctx.device.destroy();

    // 3. results, figures, report
    const entryOf = (p: (typeof prepared)[number]): StudyEntry => {
      const mine = [...temperatures, 300].map((t) => records.get(`${p.system.id}-${t}K`)!);
      const ok = mine.filter((r): r is Extract<RunRecord, { runs: StudyRun[] }> => 'runs' in r);
      const runs = ok.filter((r) => r.temperature_K !== 300).flatMap((r) => r.runs);
      const at300 = ok.find((r) => r.temperature_K === 300);
      const failures = mine.flatMap((r) => ('error' in r ? [{ temperature_K: r.temperature_K, error: r.error }] : []));
      return summariseEntry({
        id: p.system.id,
        label: p.system.label,
        atoms: p.record.atoms,
        li_atoms: p.record.li_atoms,
        volume_A3: p.record.volume_A3,
        normal: p.system.normal,
        runs,
        msd300: at300?.runs
          .filter((r) => r.region === (p.system.normal ? 'boundary' : 'all'))
          .map((r) => ({ ps: r.ps, region: r.region, msd_csv: r.msd_csv })),
        ...(failures.length ? { failures } : {}),
      });
    };
    const bulkPrep = prepared.find((p) => p.system.id === BULK_ID);
    const results: StudyResults = {
      lilab: VERSION,
      created: new Date().toISOString(),
      command: Object.fromEntries(provenance({})).command,
      provenance: Object.fromEntries(provenance({ potential: potentialPath, seed })),
      potential: {
        file: potentialPath,
        sha256: sha,
        name: model.name,
        species: model.speciesCount,
        cutoff_A: model.maxDist,
        moments: model.momentsCount,
      },
      settings: {
        ...settings,
        frame_interval_fs: frameFs(ps),
        fit_window: [FIT_WINDOW.from, FIT_WINDOW.to],
        thermostat: 'csvr tau 100 fs',
        dt_fs: 1,
      },
      bulk: bulkPrep ? entryOf(bulkPrep) : null,
      boundaries: prepared
        .filter((p) => p.system.id !== BULK_ID)
        .map((p): StudyBoundary => ({ ...entryOf(p), gb_energy_J_m2: p.record.gb_energy_J_m2 })),
    };
    writeStudyOutputs(out, results);
    const failed = [results.bulk, ...results.boundaries].flatMap((e) => e?.failures ?? []).length;
    console.log(
      `-> ${join(out, 'results.json')}, ${join(out, 'report.md')} (${((performance.now() - t0) / 60000).toFixed(1)} min)`,
    );
    if (failed) {
      console.error(`study: ${failed} run(s) failed; see the report`);
      return 3;
    }
    return 0;
  },
};

/** results.json, the figures and report.md of a finished study. */
export function writeStudyOutputs(out: string, results: StudyResults): void {
  const { figures } = studyFigures(results, (path) => readFileSync(join(out, path), 'utf8'));
  for (const [name, svg] of Object.entries(figures)) writeAtomic(join(out, 'figures', `${name}.svg`), svg);
  writeAtomic(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeAtomic(
    join(out, 'report.md'),
    studyReportMarkdown(results, (name) => `figures/${name}.svg`),
  );
  // figures of systems no longer in the study are stale
  for (const f of readdirSync(join(out, 'figures')))
    if (f.endsWith('.svg') && !(f.slice(0, -4) in figures))
      console.error(`note: ${join(out, 'figures', f)} is from an earlier study`);
}
