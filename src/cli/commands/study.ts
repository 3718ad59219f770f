import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StudyResults } from '../../analysis/study.ts';
import { studyFigures, studyReportMarkdown } from '../../analysis/study-report.ts';
import { formatAdapter } from '../../gpu/device.ts';
import { nodeGpuContext } from '../../gpu/node-gpu.ts';
import { readStructureText, writeStructureText } from '../../io/structure-files.ts';
import {
  BULK_ID,
  type RunRecord,
  runStudy,
  STUDY_BOUNDARIES,
  STUDY_MODES,
  type StudyStore,
  type SystemRecord,
  studySystem,
} from '../../md/study-pipeline.ts';
import { type Command, numberOption, stringOption, UsageError } from '../command.ts';
import { potentialOrDefault } from '../default-potential.ts';
import {
  DISPERSION_TAIL_HELP,
  DISPERSION_TAIL_OPTION,
  loadPotential,
  potentialSha256,
  writeTextAtomic,
} from '../files.ts';
import { provenance, VERSION } from '../provenance.ts';

const QUICK = STUDY_MODES.quick;
const FULL = STUDY_MODES.full;

function list(text: string | undefined, fallback: number[], name: string): number[] {
  if (text === undefined) return fallback;
  const v = text.split(',').map(Number);
  if (!v.every((x) => Number.isFinite(x) && x > 0))
    throw new UsageError(`--${name} expects positive numbers like 800,1000`);
  return v;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** The study kept in DIR: systems/ID.{json,extxyz}, runs/KEY.json, msd/*.csv. */
function fileStore(out: string): StudyStore {
  return {
    getSystem(id) {
      const rec = join(out, 'systems', `${id}.json`);
      const xyz = join(out, 'systems', `${id}.extxyz`);
      if (!existsSync(rec) || !existsSync(xyz)) return null;
      return { record: readJson<SystemRecord>(rec), structure: readStructureText(readFileSync(xyz, 'utf8'), xyz) };
    },
    putSystem(id, record, structure) {
      const xyz = join(out, 'systems', `${id}.extxyz`);
      writeTextAtomic(xyz, writeStructureText(structure, xyz));
      writeTextAtomic(join(out, 'systems', `${id}.json`), `${JSON.stringify(record, null, 2)}\n`);
    },
    getRun(key) {
      const path = join(out, 'runs', `${key}.json`);
      return existsSync(path) ? readJson<RunRecord>(path) : null;
    },
    putRun(key, record) {
      writeTextAtomic(join(out, 'runs', `${key}.json`), `${JSON.stringify(record, null, 2)}\n`);
    },
    putCsv(path, text) {
      writeTextAtomic(join(out, path), text);
    },
  };
}

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
    DISPERSION_TAIL_HELP,
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
    'dispersion-tail': DISPERSION_TAIL_OPTION,
    seed: { type: 'string', default: '1' },
    'no-bulk': { type: 'boolean' },
  },
  async run(args) {
    const out = stringOption(args, 'out');
    if (!out) throw new UsageError('--out DIR is required');
    if (args.positionals.length) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const quick = Boolean(args.values.quick);
    const ids = (
      stringOption(args, 'boundaries')?.split(',') ?? (quick ? [...QUICK.boundaries] : STUDY_BOUNDARIES)
    ).filter(Boolean);
    const systems = [...(args.values['no-bulk'] ? [] : [BULK_ID]), ...ids].map((id) => {
      const s = studySystem(id);
      if (!s) throw new UsageError(`--boundaries: no boundary '${id}' (known: ${STUDY_BOUNDARIES.join(', ')})`);
      return s;
    });
    const temperatures = list(
      stringOption(args, 'temperatures'),
      [...(quick ? QUICK.temperatures : FULL.temperatures)],
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
    const potential = loadPotential(potentialPath, stringOption(args, 'dispersion-tail'));
    const { tailPath } = potential;
    const { model } = potential;
    // with a tail the study's identity is the pair's, so that --resume refuses a run made without it or with another
    const sha = potentialSha256(potentialPath, tailPath);

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
    writeTextAtomic(settingsPath, `${JSON.stringify(settings, null, 2)}\n`);

    const ctx = await nodeGpuContext();
    console.log(`adapter: ${formatAdapter(ctx.report)}; potential ${potentialPath}`);
    const t0 = performance.now();
    let lastPrint = 0;
    const results = await runStudy(
      ctx.device,
      potential,
      systems,
      { temperatures, ps, ps300, equilibratePs, seed },
      fileStore(out),
      {
        lilab: VERSION,
        command: Object.fromEntries(provenance({})).command,
        provenance: Object.fromEntries(provenance({ potential: potentialPath, dispersionTail: tailPath, seed })),
        potential: {
          file: potentialPath,
          sha256: sha,
          name: model.name,
          species: model.speciesCount,
          cutoff_A: model.maxDist,
          moments: model.momentsCount,
        },
      },
      {
        onLog: (line, kind) => (kind === 'error' ? console.error : console.log)(line),
        onProgress: (p) => {
          const now = performance.now();
          if (now - lastPrint < 10_000) return;
          lastPrint = now;
          const eta = Number.isFinite(p.secondsLeft) ? `, ETA ${(p.secondsLeft / 60).toFixed(0)} min` : '';
          console.error(`study: ${(100 * p.fraction).toFixed(0)} % (${p.label})${eta}`);
        },
      },
    );
    ctx.device.destroy();
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
  for (const [name, svg] of Object.entries(figures)) writeTextAtomic(join(out, 'figures', `${name}.svg`), svg);
  writeTextAtomic(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeTextAtomic(
    join(out, 'report.md'),
    studyReportMarkdown(results, (name) => `figures/${name}.svg`),
  );
  // figures of systems no longer in the study are stale
  for (const f of readdirSync(join(out, 'figures')))
    if (f.endsWith('.svg') && !(f.slice(0, -4) in figures))
      console.error(`note: ${join(out, 'figures', f)} is from an earlier study`);
}
