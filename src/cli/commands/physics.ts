import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { formatAdapter } from '../../gpu/device.ts';
import { nodeGpuContext } from '../../gpu/node-gpu.ts';
import {
  boundaryStability,
  currentBoundaryStarts,
  diffusionCheck,
  isCheckedBoundary,
  latticeChecks,
  limitsOf,
  type MeasuredCheck,
  mergeChecks,
  type RunCheck,
  type RunKeeping,
} from '../../md/physics-checks.ts';
import { parseRunProgress, type RunIdentity } from '../../md/run-progress.ts';
import { STUDY_BOUNDARIES, systemStart } from '../../md/study-pipeline.ts';
import { modelLevel } from '../../potential/mtp/model.ts';
import { readLabelled } from '../../train/dataset.ts';
import { type Command, numberOption, type ParsedArgs, stringOption, UsageError } from '../command.ts';
import { potentialOrDefault } from '../default-potential.ts';
import {
  DISPERSION_TAIL_HELP,
  DISPERSION_TAIL_OPTION,
  loadPotential,
  readText,
  potentialSha256 as runIdentity,
  writeText,
  writeTextAtomic,
} from '../files.ts';

/** The defaults, one place: the options' help shows them and the run falls back on them. */
const DEFAULTS = { data: 'data/li3ps4-dft.extxyz', gbRuns: '800:100,1000:50', diffusionPs: 20, gb: 'all' } as const;

export const physicsCommand: Command = {
  name: 'physics',
  summary: 'physical checks of a potential: lattice against DFT, Li diffusion, every boundary in MD (PS4 census)',
  usage:
    '[--potential POT.mtp] [--gb ID,ID] [--gb-runs 800:100,1000:50] [--diffusion-ps 20] [--report FILE.json] [--resume-dir DIR]',
  help: [
    'Physical checks of --potential (default: the shipped one): the lattice against the DFT labels in --data, Li',
    'diffusion in bulk at 800 and 300 K (--diffusion-ps), and every grain-boundary preset and the amorphous/(120)',
    'interface (melt-quenched with this potential; --gb ID,ID for some) from its FIRE-relaxed positions at each',
    '--gb-runs T:ps (default 800:100,1000:50; --gb-ps N: one run at 800 K) with',
    'CSVR at 1 fs: no collapse, and in every frame after the first picosecond at least 99 % of the PS4 units whole',
    'and no S-S pair under 2.3 A. A length of 0 (or --skip-lattice) leaves that check out. --report FILE.json (the',
    "potential's training report) records the MD checks in it and the limits they found, which the lab shows.",
    "--resume-dir DIR keeps each boundary run's progress in DIR/ID-TK-Nps.json at every picosecond; the same command",
    'again goes on from there, and takes the runs that ended from their files (for runs longer than one sitting).',
    DISPERSION_TAIL_HELP,
  ].join('\n'),
  options: {
    potential: { type: 'string' },
    'dispersion-tail': DISPERSION_TAIL_OPTION,
    data: { type: 'string', default: DEFAULTS.data },
    'gb-ps': { type: 'string' },
    'gb-runs': { type: 'string', default: DEFAULTS.gbRuns },
    'diffusion-ps': { type: 'string', default: String(DEFAULTS.diffusionPs) },
    'skip-lattice': { type: 'boolean' },
    gb: { type: 'string', default: DEFAULTS.gb },
    report: { type: 'string' },
    'resume-dir': { type: 'string' },
  },
  run: runPhysics,
};

/**
 * The boundary runs of the physical checks: --gb-runs T:ps,... (default 800 K for 100 ps and 1000 K for 50 ps), or
 * --gb-ps N alone for one run at 800 K; a length of 0 leaves the boundaries out.
 */
function boundaryRuns(args: ParsedArgs): { temperature: number; ps: number }[] {
  const single = stringOption(args, 'gb-ps');
  const text = single !== undefined ? `800:${single}` : (stringOption(args, 'gb-runs') ?? DEFAULTS.gbRuns);
  const runs = text.split(',').map((pair) => {
    const [t, p] = pair.split(':').map(Number);
    if (!(t > 0) || !(p >= 0)) throw new UsageError(`--gb-runs expects T:ps pairs like 800:100,1000:50, not '${pair}'`);
    return { temperature: t, ps: p };
  });
  return runs.filter((r) => r.ps > 0);
}

/** A run's progress file in DIR: read if there (refused if it is another run's), rewritten at every record. */
function runKeeping(dir: string, id: RunIdentity): RunKeeping {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${id.preset}-${id.temperature}K-${id.targetPs}ps.json`);
  const resume = existsSync(file) ? parseRunProgress(readText(file), file, id) : null;
  return {
    potentialSha256: id.potentialSha256,
    resume,
    save: (p) => writeTextAtomic(file, `${JSON.stringify(p)}\n`),
  };
}

async function runPhysics(args: ParsedArgs): Promise<number> {
  const path = potentialOrDefault(stringOption(args, 'potential'));
  const potential = loadPotential(path, stringOption(args, 'dispersion-tail'));
  const { tailPath } = potential;
  const { model } = potential;
  const potentialSha256 = runIdentity(path, tailPath);
  const ctx = await nodeGpuContext();
  const out = (line: string) => console.log(line);
  out(`# lilab physics  node ${process.version}  ${new Date().toISOString()}`);
  out(`# adapter: ${formatAdapter(ctx.report)}`);
  out(
    `# potential: ${path} (${model.name}, level ${modelLevel(model)}, cutoff ${model.maxDist} A)` +
      (tailPath ? ` + dispersion tail ${tailPath} to ${potential.tail?.taper[1]} A` : ''),
  );
  if (!args.values['skip-lattice']) {
    out('# lattice');
    const dataPath = stringOption(args, 'data') ?? DEFAULTS.data;
    const data = readLabelled(readText(dataPath), dataPath);
    for (const row of await latticeChecks(potential, data, dataPath)) out(row);
  }
  // a length of 0 skips that check (e.g. to run the long boundary run on its own)
  const checks: RunCheck[] = [];
  const lines: string[] = [];
  const record = (r: { line: string; check: RunCheck }) => {
    out(r.line);
    lines.push(r.line);
    checks.push(r.check);
  };
  const ps = numberOption(args, 'diffusion-ps', DEFAULTS.diffusionPs);
  if (ps > 0) {
    out('# Li diffusion in bulk');
    for (const T of [800, 300]) record(await diffusionCheck(ctx, potential, T, ps));
  }
  const runs = boundaryRuns(args);
  if (runs.length > 0) {
    const gb = stringOption(args, 'gb') ?? DEFAULTS.gb;
    const presets = gb === 'all' ? STUDY_BOUNDARIES : gb.split(',');
    for (const preset of presets)
      if (!isCheckedBoundary(preset))
        throw new UsageError(`--gb: no boundary '${preset}' (one of ${STUDY_BOUNDARIES.join(', ')})`);
    out(`# grain boundaries: ${runs.map((r) => `${r.ps} ps at ${r.temperature} K`).join(', ')}`);
    // every progress file is read before the first run, so a bad one stops the command before hours of MD
    const keep = stringOption(args, 'resume-dir');
    const planned = presets.flatMap((preset) =>
      runs.map((r) => ({
        preset,
        ...r,
        keeping: keep
          ? runKeeping(keep, {
              preset,
              temperature: r.temperature,
              targetPs: r.ps,
              potentialSha256,
              structure: systemStart(preset)!,
            })
          : undefined,
      })),
    );
    for (const r of planned)
      record(await boundaryStability(ctx, potential, r.preset, r.temperature, r.ps, out, r.keeping));
  }
  const reportPath = stringOption(args, 'report');
  if (reportPath) {
    // the report the training wrote, with what MD found; `limits` is what the lab's status line says
    const report = JSON.parse(readText(reportPath)) as Record<string, unknown>;
    const adapter = formatAdapter(ctx.report);
    const measured = new Date().toISOString();
    const fresh: MeasuredCheck[] = checks.map((c, k) => ({ ...c, line: lines[k], adapter, measured }));
    const all = mergeChecks(report.physics, potentialSha256, fresh, currentBoundaryStarts());
    report.physics = {
      measured,
      potentialSha256,
      ...(tailPath ? { dispersionTail: basename(tailPath) } : {}),
      adapter,
      checks: all,
      lines: all.map((c) => c.line ?? ''),
    };
    const limits = limitsOf(all);
    report.limits = limits || null;
    writeText(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    out(`-> ${reportPath} (limits: ${limits || 'none found'})`);
  }
  ctx.device.destroy();
  return 0;
}
