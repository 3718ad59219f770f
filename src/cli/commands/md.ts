import { appendFileSync, writeFileSync } from 'node:fs';
import { formatAdapter } from '../../gpu/device.ts';
import { nodeGpuContext } from '../../gpu/node-gpu.ts';
import { parseCheckpoint } from '../../io/checkpoint.ts';
import { BlowUpError, type Frame, MdEngine } from '../../md/engine.ts';
import { fireMinimize } from '../../md/fire.ts';
import { STATE_FLOATS } from '../../md/layout.ts';
import {
  checkpointObserver,
  checkpointOf,
  dumpObserver,
  everyNth,
  extxyzObserver,
  frameOfCheckpoint,
  notify,
  type Observer,
  THERMO_HEADER,
  thermoObserver,
} from '../../md/observers.ts';
import { isThermostat, THERMOSTAT_DEFAULTS, THERMOSTAT_IDS, THERMOSTATS } from '../../md/thermostats/index.ts';
import { massesOf } from '../../model/system.ts';
import { MTP_KERNELS, type MtpKernel } from '../../potential/mtp/webgpu.ts';
import { type Command, numberOption, SPECIES_OPTION, speciesOption, stringOption, UsageError } from '../command.ts';
import { potentialOrDefault } from '../default-potential.ts';
import { DISPERSION_TAIL_HELP, DISPERSION_TAIL_OPTION, loadPotential, readText, writeText } from '../files.ts';
import { provenance, provenanceComment } from '../provenance.ts';
import { loadStructure, parseSupercell, STRUCTURE_PRESETS, typesForPotential } from '../structure-input.ts';

/** Thrown from a record after SIGINT/SIGTERM: the run stops there. */
class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

/** Seconds as h:mm:ss (or m:ss), '?' when unknown. */
function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const t = Math.round(seconds);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

function barostatOptions(args: Parameters<Command['run']>[0]) {
  const p = stringOption(args, 'pressure');
  if (p === undefined) return undefined;
  const axesText = stringOption(args, 'barostat-axes') ?? 'xyz';
  if (!/^[xyz]{1,3}$/.test(axesText)) throw new UsageError(`--barostat-axes takes letters from xyz, got '${axesText}'`);
  return {
    pressure: numberOption(args, 'pressure', 0),
    tau: numberOption(args, 'barostat-tau', 2000),
    axes: ['x', 'y', 'z'].map((a) => axesText.includes(a)) as [boolean, boolean, boolean],
  };
}

export const mdCommand: Command = {
  name: 'md',
  summary: 'molecular dynamics on the GPU with an MTP: NVE, CSVR or Langevin; trajectory, thermodynamics, checkpoints',
  usage:
    '--structure FILE|PRESET [--potential POT.mtp] [--supercell 2x2x2] [--temperature 800] [--dt 1] [--steps N] ' +
    `[--thermostat ${THERMOSTAT_IDS.join('|')}] [--seed S] [--out traj.extxyz] [--thermo thermo.csv]`,
  help: [
    `Presets: ${Object.entries(STRUCTURE_PRESETS)
      .map(([k, v]) => `${k} (${v.summary})`)
      .join('; ')}. Files: .extxyz/.xyz (last frame), .cfg (first configuration).`,
    "Species map onto the potential in the order of --species (default Li,P,S, as the lab's potentials).",
    'Without --potential the shipped default (public/potentials/li3ps4-default.mtp) is used.',
    `Thermostats: ${THERMOSTATS.map((t) => t.help).join('; ')} (defaults --tau ${THERMOSTAT_DEFAULTS.tau} fs, --friction ${THERMOSTAT_DEFAULTS.friction} /fs).`,
    'Units: K, fs, A. Thermodynamics every --every steps (CSV: energies eV, temperature K, pressure GPa);',
    'trajectory frames every --frame-every steps as extended XYZ with unwrapped positions (and --dump: LAMMPS dump).',
    '--relax runs FIRE (positions, fixed cell) to --fmax before MD. --resume continues a --checkpoint file.',
    '--pressure P (GPa) adds a Berendsen barostat applied every --every steps on the axes in --barostat-axes',
    '(default xyz; e.g. z for a grain boundary whose normal is z), with --barostat-tau (fs, default 2000).',
    'On a blow-up (NaN, contacts below min_dist, runaway temperature) the run stops, names atoms and step, and',
    'writes the last good state to the checkpoint file (default OUT.lastgood.json).',
    '--checkpoint-every N also writes --checkpoint every N steps (a multiple of --every); on SIGINT or SIGTERM the',
    'run stops at its next record, writes it there and exits with 130 (143); a second signal kills at once.',
    `--kernel ${MTP_KERNELS.join('|')} picks the MTP kernel (default: specialised where the model allows; block is a`,
    'workgroup per atom, for GPUs with many more lanes than atoms; docs/adr/0012-block-parallel-mtp-kernel.md).',
    DISPERSION_TAIL_HELP,
  ].join('\n'),
  options: {
    structure: { type: 'string' },
    potential: { type: 'string' },
    'dispersion-tail': DISPERSION_TAIL_OPTION,
    supercell: { type: 'string' },
    species: SPECIES_OPTION,
    temperature: { type: 'string', default: '800' },
    dt: { type: 'string', default: '1' },
    steps: { type: 'string', default: '1000' },
    thermostat: { type: 'string', default: 'csvr' },
    tau: { type: 'string', default: String(THERMOSTAT_DEFAULTS.tau) },
    friction: { type: 'string', default: String(THERMOSTAT_DEFAULTS.friction) },
    seed: { type: 'string', default: '1' },
    skin: { type: 'string', default: '0.5' },
    every: { type: 'string', default: '100' },
    'frame-every': { type: 'string' },
    out: { type: 'string' },
    thermo: { type: 'string' },
    dump: { type: 'string' },
    checkpoint: { type: 'string' },
    'checkpoint-every': { type: 'string' },
    resume: { type: 'string' },
    relax: { type: 'boolean' },
    pressure: { type: 'string' },
    'barostat-axes': { type: 'string', default: 'xyz' },
    'barostat-tau': { type: 'string', default: '2000' },
    fmax: { type: 'string', default: '0.01' },
    kernel: { type: 'string' },
  },
  async run(args) {
    const structureSpec = stringOption(args, 'structure');
    if (!structureSpec) throw new UsageError('--structure is required (a preset or a file)');
    const potentialPath = potentialOrDefault(stringOption(args, 'potential'));
    const thermostat = stringOption(args, 'thermostat') ?? '';
    if (!isThermostat(thermostat)) throw new UsageError(`--thermostat must be one of ${THERMOSTAT_IDS.join(', ')}`);
    const species = speciesOption(args);
    const steps = numberOption(args, 'steps', 1000);
    const every = numberOption(args, 'every', 100);
    const frameEvery = numberOption(args, 'frame-every', every);
    if (frameEvery % every !== 0) throw new UsageError('--frame-every must be a multiple of --every');
    const out = stringOption(args, 'out');
    const thermoPath = stringOption(args, 'thermo');
    const dumpPath = stringOption(args, 'dump');
    const checkpointPath =
      stringOption(args, 'checkpoint') ?? (out ? `${out}.lastgood.json` : 'lilab-md.lastgood.json');

    const potential = loadPotential(potentialPath, stringOption(args, 'dispersion-tail'), species);
    const { model, tailPath } = potential;
    const kernel = stringOption(args, 'kernel') as MtpKernel | undefined;
    if (kernel !== undefined && !MTP_KERNELS.includes(kernel))
      throw new UsageError(`--kernel must be one of ${MTP_KERNELS.join(', ')}`);
    if (species.length !== model.speciesCount) {
      throw new UsageError(`--species lists ${species.length} species, the potential has ${model.speciesCount}`);
    }
    const structure = loadStructure(structureSpec, parseSupercell(stringOption(args, 'supercell')), species);
    const types = typesForPotential(structure, species);
    const masses = massesOf(types, species);

    const ctx = await nodeGpuContext();
    console.log(`adapter: ${formatAdapter(ctx.report)}`);
    console.log(
      `system:  ${structure.title ?? structureSpec}, ${types.length} atoms; potential ${potentialPath}${tailPath ? ` + ${tailPath}` : ''}`,
    );
    const field = await potential.gpu(ctx.device, kernel);
    console.log(`kernel:  ${field.kernel}`);
    let positions = structure.positions;
    if (args.values.relax) {
      const fmax = numberOption(args, 'fmax', 0.01);
      const r = await fireMinimize(
        field,
        { types, positions, cell: structure.cell, features: [] },
        {
          fmax,
          maxSteps: 5000,
          minDistance: model.minDist,
          onStep: (s, e, f) => {
            if (s % 50 === 0) console.log(`relax ${s}: E = ${e.toFixed(6)} eV, max |F| = ${f.toFixed(4)} eV/A`);
          },
        },
      );
      console.log(
        `relax: ${r.converged ? 'converged' : 'NOT converged'} after ${r.steps} steps, max |F| = ${r.fmax.toFixed(4)} eV/A`,
      );
      positions = r.positions;
    }
    const seed = numberOption(args, 'seed', 1);
    const engine = await MdEngine.create(
      ctx.device,
      field,
      { types, positions, cell: structure.cell, masses },
      {
        dt: numberOption(args, 'dt', 1),
        temperature: numberOption(args, 'temperature', 800),
        thermostat,
        seed,
        tau: numberOption(args, 'tau', THERMOSTAT_DEFAULTS.tau),
        friction: numberOption(args, 'friction', THERMOSTAT_DEFAULTS.friction),
        skin: numberOption(args, 'skin', 0.5),
        barostat: barostatOptions(args),
      },
    );
    const resume = stringOption(args, 'resume');
    if (resume) {
      const cp = parseCheckpoint(readText(resume), resume, types.length, STATE_FLOATS);
      if (cp.types.some((t, i) => cp.species[t] !== species[types[i]]))
        throw new UsageError(`${resume} is a checkpoint of other atoms (its species differ from the structure's)`);
      await engine.restore(frameOfCheckpoint(cp, engine.options.dt));
      console.log(`resumed from ${resume} at step ${cp.step}`);
    }

    if (out && !resume) writeFileSync(out, '');
    if (thermoPath && !resume)
      writeFileSync(
        thermoPath,
        `${provenanceComment({ potential: potentialPath, dispersionTail: tailPath, seed })}${THERMO_HEADER}\n`,
      );
    if (dumpPath && !resume) writeFileSync(dumpPath, '');
    const tty = process.stdout.isTTY && !process.env.CI;
    const t0 = performance.now();
    const startStep = engine.step;
    let lastFrame: Frame | null = null;
    const dispatches = engine.dispatchesPerStep();
    const saveCheckpoint = (frame: Frame) =>
      writeText(checkpointPath, JSON.stringify(checkpointOf(frame, species, types, engine.system.cell.lattice)));
    const checkpointEvery = numberOption(args, 'checkpoint-every', 0);
    if (checkpointEvery && (checkpointEvery % every !== 0 || checkpointEvery < 0))
      throw new UsageError('--checkpoint-every must be a positive multiple of --every');
    // what the run writes: each output an observer with its interval (frames also at the run's last step)
    const append = (path: string) => (text: string) => appendFileSync(path, text);
    const lastStep = startStep + steps;
    const frameDue = everyNth(frameEvery, 0, lastStep);
    const observers: Observer[] = [];
    if (thermoPath) observers.push(thermoObserver(append(thermoPath), () => true));
    if (out)
      observers.push(
        extxyzObserver(
          append(out),
          frameDue,
          { ...structure, species, types },
          Object.fromEntries(provenance({ potential: potentialPath, dispersionTail: tailPath, seed })),
        ),
      );
    if (dumpPath) observers.push(dumpObserver(append(dumpPath), frameDue, types));
    if (checkpointEvery)
      observers.push(
        checkpointObserver(
          (cp) => writeText(checkpointPath, JSON.stringify(cp)),
          everyNth(checkpointEvery, startStep),
          species,
          types,
        ),
      );
    // an interrupted run stops at its next record and keeps it: the GPU's work is drained and the device closed
    // before the command returns (leaving the process under the GPU's feet crashes Dawn); a second signal kills
    let interrupted: NodeJS.Signals | null = null;
    let interruptedBy: NodeJS.Signals | null = null;
    const onSignal = (signal: NodeJS.Signals) => {
      interrupted = signal;
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await engine.run(steps, every, (t, frame) => {
        lastFrame = frame;
        const elapsed = (performance.now() - t0) / 1000;
        const done = t.step - startStep;
        const nsPerDay = ((done * engine.options.dt * 1e-6) / elapsed) * 86400;
        const atomSteps = (done * types.length) / elapsed;
        const eta = done > 0 ? ((steps - done) * elapsed) / done : Number.NaN;
        const line =
          `step ${t.step}/${startStep + steps} (${((100 * done) / Math.max(1, steps)).toFixed(1)} %, ETA ${clock(eta)})  ` +
          `T ${t.temperature.toFixed(1)} K  E ${t.total.toFixed(4)} eV  ` +
          `conserved ${t.conserved.toFixed(4)} eV  ${nsPerDay.toFixed(3)} ns/day  ${atomSteps.toExponential(2)} atom-steps/s`;
        if (tty) process.stdout.write(`\r${line}   `);
        else console.log(line);
        // the engine's cell is the current one: a barostat rescales it at every record
        notify(observers, t, frame, engine.system.cell);
        if (interrupted) throw new Interrupted(interrupted);
      });
    } catch (err) {
      if (tty) process.stdout.write('\n');
      if (err instanceof Interrupted) {
        if (lastFrame) saveCheckpoint(lastFrame);
        console.error(
          `${err.signal}: stopped at step ${lastFrame ? (lastFrame as Frame).step : startStep}` +
            `${lastFrame ? `, state written to ${checkpointPath}` : ''}`,
        );
        interruptedBy = err.signal;
      } else if (err instanceof BlowUpError) {
        const good = err.lastGood;
        if (good) {
          saveCheckpoint(good);
          console.error(`last good state (step ${good.step}) written to ${checkpointPath}`);
        }
      }
      if (!(err instanceof Interrupted)) throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      engine.destroy();
      field.destroy();
    }
    if (interruptedBy) {
      ctx.device.destroy();
      return interruptedBy === 'SIGINT' ? 130 : 143;
    }
    if (tty) process.stdout.write('\n');
    // the performance summary, as LAMMPS prints one at the end of a run
    const wall = (performance.now() - t0) / 1000;
    console.log(
      `performance: ${steps} steps of ${types.length} atoms in ${clock(wall)} (${wall.toFixed(1)} s): ` +
        `${((steps * engine.options.dt * 1e-6 * 86400) / Math.max(wall, 1e-9)).toFixed(3)} ns/day, ` +
        `${(steps / Math.max(wall, 1e-9)).toFixed(1)} steps/s, ` +
        `${((steps * types.length) / Math.max(wall, 1e-9)).toExponential(2)} atom-steps/s, ` +
        `${dispatches.direct} GPU dispatches per step (${dispatches.withRebuild} with a list rebuild, ` +
        `every ${engine.listSchedule.interval} steps at the end)`,
    );
    if (stringOption(args, 'checkpoint') && lastFrame) {
      saveCheckpoint(lastFrame);
      console.log(`checkpoint: ${checkpointPath}`);
    }
    ctx.device.destroy();
    return 0;
  },
};
