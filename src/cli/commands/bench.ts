import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StreamingMsd } from '../../analysis/streaming-msd.ts';
import { storageBuffer } from '../../gpu/compute.ts';
import { formatAdapter, type GpuContext, isSoftwareAdapter } from '../../gpu/device.ts';
import { nodeGpuContext } from '../../gpu/node-gpu.ts';
import { MdEngine } from '../../md/engine.ts';
import type { Configuration } from '../../model/configuration.ts';
import { buildNeighborList } from '../../model/neighbors.ts';
import { seededUniform } from '../../model/random.ts';
import { LI_P_S } from '../../model/species.ts';
import { toConfiguration } from '../../model/structure.ts';
import { massesOf } from '../../model/system.ts';
import { flopsPerAtom, type MtpModel, modelLevel } from '../../potential/mtp/model.ts';
import { type MtpPotential, mtpPotential } from '../../potential/mtp/potential.ts';
import { softSphereMtpFile } from '../../potential/mtp/soft-sphere.ts';
import { MTP_KERNELS, type MtpKernel, WebGpuMtp } from '../../potential/mtp/webgpu.ts';
import { packPositions } from '../../potential/neighbors-gpu.ts';
import { betaLi3PS4 } from '../../structure/li3ps4.ts';
import { STRUCTURE_PRESETS } from '../../structure/presets.ts';
import { repeatStructure } from '../../structure/supercell.ts';
import { type Command, stringOption, UsageError } from '../command.ts';
import { DEFAULT_POTENTIAL } from '../default-potential.ts';
import { loadPotential } from '../files.ts';

/** MLIP's reference potentials, carried in the checkout (test/fixtures/README.md); used when --potential is not given. */
/** The D3 tail fitted to the labels (data/README.md), for the MD step's cost with it. */
const FITTED_TAIL = fileURLToPath(new URL('../../../data/potentials/d3-tail.json', import.meta.url));
const REFERENCE_L16 = fileURLToPath(new URL('../../../test/fixtures/mtp-vectors/l16.mtp', import.meta.url));
const REFERENCE_L08 = fileURLToPath(new URL('../../../test/fixtures/mtp-vectors/l08.mtp', import.meta.url));

export function jitteredSupercell(reps: [number, number, number], seed: number, amplitude = 0.1): Configuration {
  const s = repeatStructure(betaLi3PS4(), ...reps);
  // Small deterministic displacements so no symmetry makes terms vanish.
  const rand = seededUniform(seed);
  for (let k = 0; k < s.positions.length; k++) s.positions[k] += amplitude * (rand() - 0.5);
  return { types: s.types, positions: s.positions, cell: s.cell, features: [] };
}

/** Seconds per call of `fn`, from repeats until at least `minSeconds` have passed (after one warm-up call). */
async function timeIt(fn: () => unknown, minSeconds: number, maxCalls = 1000): Promise<number> {
  await fn();
  let calls = 0;
  const t0 = performance.now();
  do {
    await fn();
    calls++;
  } while (performance.now() - t0 < minSeconds * 1000 && calls < maxCalls);
  return (performance.now() - t0) / 1000 / calls;
}

interface Row {
  backend: string;
  potential: string;
  level: number;
  atoms: number;
  neighbours: number;
  seconds: number;
  flops: number;
}

function formatRow(r: Row, cpuSeconds?: number): string {
  const rate = r.atoms / r.seconds;
  const gflops = (r.flops * r.atoms) / r.seconds / 1e9;
  const ratio = cpuSeconds ? `${(cpuSeconds / r.seconds).toFixed(2)}x` : '';
  return [
    r.backend.padEnd(10),
    r.potential.padEnd(8),
    String(r.level).padStart(5),
    String(r.atoms).padStart(7),
    r.neighbours.toFixed(1).padStart(7),
    (r.seconds * 1000).toFixed(1).padStart(10),
    rate.toExponential(2).padStart(11),
    (r.flops / 1e3).toFixed(1).padStart(9),
    gflops.toFixed(2).padStart(8),
    ratio.padStart(8),
  ].join(' ');
}

const HEADER = [
  'backend'.padEnd(10),
  'pot'.padEnd(8),
  'level'.padStart(5),
  'atoms'.padStart(7),
  'neigh'.padStart(7),
  'ms/eval'.padStart(10),
  'atom-ev/s'.padStart(11),
  'kFLOP/at'.padStart(9),
  'GFLOP/s'.padStart(8),
  'GPU/CPU'.padStart(8),
].join(' ');

async function benchCpu(mtp: MtpPotential, label: string, config: Configuration, minSeconds: number): Promise<Row> {
  const { model } = mtp;
  const n = config.types.length;
  const nl = buildNeighborList(config.positions, config.cell, model.maxDist);
  const neighbours = nl.index.length / n;
  const potential = mtp.cpu();
  const seconds = await timeIt(() => potential.compute(config), minSeconds, 3);
  return row('cpu-f64', model, label, n, neighbours, seconds);
}

function row(backend: string, model: MtpModel, label: string, atoms: number, neighbours: number, seconds: number): Row {
  return {
    backend,
    potential: label,
    level: modelLevel(model),
    atoms,
    neighbours,
    seconds,
    flops: flopsPerAtom(model, neighbours),
  };
}

/** GPU evaluation only (positions and neighbour list already on the device), as MD uses it. */
async function benchGpu(
  ctx: GpuContext,
  mtp: MtpPotential,
  label: string,
  config: Configuration,
  minSeconds: number,
): Promise<Row> {
  const { model } = mtp;
  const d = ctx.device;
  const n = config.types.length;
  // the MTP's own kernel, timed alone (a tail, if any, is not part of this row)
  const gpu = await WebGpuMtp.create(d, model);
  const positions = storageBuffer(d, 'positions', packPositions(config.positions, config.types));
  gpu.neighbors.configure(config.cell, config.positions, model.maxDist);
  await gpu.neighbors.build(positions);
  const out = gpu.allocateOutputs(n);
  const counts = new Uint32Array((await gpu.neighbors.read()).count);
  const neighbours = counts.reduce((s, c) => s + c, 0) / n;
  const seconds = await timeIt(async () => {
    const encoder = d.createCommandEncoder();
    gpu.encodeEvaluation(encoder, out, n);
    d.queue.submit([encoder.finish()]);
    await d.queue.onSubmittedWorkDone();
  }, minSeconds);
  for (const b of [positions, ...Object.values(out)]) b.destroy();
  gpu.destroy();
  return row('webgpu-f32', model, label, n, neighbours, seconds);
}

/** Streaming MSD of many frames in bounded memory (the live analysis path). */
function benchAnalysis(frames: number, atoms: number): string {
  const s = new StreamingMsd(atoms, 16, 8);
  const frame = new Float64Array(3 * atoms);
  const rand = seededUniform(12345);
  const t0 = performance.now();
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k < frame.length; k++) frame[k] += (rand() - 0.5) * 0.1;
    s.push(frame);
  }
  const seconds = (performance.now() - t0) / 1000;
  const r = s.result();
  return (
    `streaming MSD: ${frames} frames x ${atoms} atoms in ${seconds.toFixed(1)} s (${(frames / seconds).toFixed(0)} frames/s), ` +
    `memory ${(s.bytes / 1024 / 1024).toFixed(2)} MiB (bounded: 8 levels x 16 frames), longest lag ${r.lagFrames.at(-1)} frames`
  );
}

/** The soft-sphere stand-in: stable MD figures when no physical potential is given. */
export function softSphereStandIn(): MtpPotential {
  return mtpPotential(softSphereMtpFile(3, 0.5, 3.0, 'soft_sphere_stand_in'));
}

/**
 * NVE on beta-Li3PS4 2x2x2 (256 atoms) at 300 K, dt = 1 fs: drift of the total energy, its fluctuation at dt and
 * dt/2, and the speed. Without --md-potential the stand-in is soft spheres on a 25 %-expanded cell (stable, not
 * physical); the figure then measures the integrator and float32 arithmetic, not the material.
 */
async function benchNve(
  ctx: GpuContext,
  potential: MtpPotential,
  label: string,
  expand: number,
  picoseconds: number,
): Promise<string[]> {
  const s = repeatStructure(betaLi3PS4(), 2, 2, 2);
  const system = {
    types: s.types,
    positions: s.positions.map((x) => x * expand),
    cell: { lattice: s.cell.lattice.map((x) => x * expand), pbc: s.cell.pbc },
    masses: massesOf(s.types, s.species),
  };
  const rows: string[] = [];
  const sds: number[] = [];
  for (const dt of [1, 0.5]) {
    const field = await potential.gpu(ctx.device);
    const md = await MdEngine.create(
      ctx.device,
      field,
      { ...system, cell: { ...system.cell } },
      { dt, temperature: 300, thermostat: 'nve', seed: 1 },
    );
    const e: number[] = [];
    const t0 = performance.now();
    const steps = Math.round((picoseconds * 1000) / dt);
    await md.run(steps, Math.round(10 / dt), (t) => {
      e.push(t.conserved);
    });
    const seconds = (performance.now() - t0) / 1000;
    const n = system.types.length;
    const mean = e.reduce((a, b) => a + b, 0) / e.length;
    const sd = Math.sqrt(e.reduce((a, b) => a + (b - mean) ** 2, 0) / e.length);
    sds.push(sd);
    const drift = ((e[e.length - 1] - e[0]) / n) * (10 / picoseconds) * 1000;
    const nsDay = ((steps * dt * 1e-6) / seconds) * 86400;
    rows.push(
      `nve ${label} 256 atoms dt=${dt} fs: ${picoseconds} ps, drift ${drift.toFixed(3)} meV/atom per 10 ps, ` +
        `fluctuation ${((sd / n) * 1000).toFixed(4)} meV/atom, ${nsDay.toFixed(2)} ns/day, ${((steps * n) / seconds).toExponential(2)} atom-steps/s`,
    );
    md.destroy();
    field.destroy();
  }
  rows.push(
    `nve fluctuation ratio dt=1 / dt=0.5: ${(sds[0] / sds[1]).toFixed(2)} (4 expected for a second-order integrator)`,
  );
  return rows;
}

/**
 * MD steps (CSVR, default kernel): steps/s, atom-steps/s and dispatches per step, with the float64 CPU reference's
 * single evaluation of the same structure beside it (an MD step is one evaluation plus the rest). `dt` is small for
 * the reference vectors' random coefficients, whose forces are not physical: the figure is the step's cost.
 */
async function benchMdStep(
  ctx: GpuContext,
  potential: MtpPotential,
  label: string,
  what: string,
  config: Configuration,
  steps: number,
  run: { temperature: number; dt: number },
  kernel?: MtpKernel,
): Promise<string> {
  const species = LI_P_S;
  const field = await potential.gpu(ctx.device, kernel);
  const system = {
    types: config.types,
    positions: Float64Array.from(config.positions),
    cell: { ...config.cell! },
    masses: massesOf(config.types, species),
  };
  const md = await MdEngine.create(ctx.device, field, system, { ...run, thermostat: 'csvr', seed: 1 });
  const { direct, indirect, withRebuild } = md.dispatchesPerStep();
  await md.run(Math.max(5, Math.round(steps / 10)), steps, () => {}); // warm-up: pipelines, first rebuilds
  let rebuilds0 = 0;
  let rebuilds = 0;
  await md.run(1, 1, (t) => {
    rebuilds0 = t.rebuilds;
  });
  const t0 = performance.now();
  await md.run(steps, steps, (t) => {
    rebuilds = t.rebuilds;
  });
  const seconds = (performance.now() - t0) / 1000;
  const { staleRedos } = md.listSchedule;
  md.destroy();
  field.destroy();
  const n = config.types.length;
  const cpu = await timeIt(() => potential.cpu().compute(config), 0.5, 3);
  const ms = (1000 * seconds) / steps;
  return (
    `md ${what}, ${label} (${field.kernel} kernel, ${run.temperature} K, dt ${run.dt} fs), ${n} atoms: ` +
    `${ms.toFixed(2)} ms/step, ` +
    `${(steps / seconds).toFixed(1)} steps/s, ${((steps * n) / seconds).toExponential(2)} atom-steps/s, ` +
    `${direct} dispatches/step (${withRebuild} with a list rebuild, ${indirect} indirect), ` +
    `list rebuilt every ${(steps / Math.max(1, rebuilds - rebuilds0)).toFixed(1)} steps (${staleRedos} batches redone); ` +
    `cpu-f64 evaluation ${(1000 * cpu).toFixed(1)} ms (step/evaluation ${(ms / 1000 / cpu).toFixed(2)})`
  );
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'speed figures: MTP energy+forces+virial on the GPU (WebGPU) and the float64 CPU reference',
  usage: '[--potential POT.mtp] [--quick]',
  help: [
    'Prints a table: atoms, neighbours per atom, time per evaluation (energy, forces, virial), atom-evaluations per',
    'second, the estimated FLOPs per atom-evaluation (so figures can be held against the device peak), achieved',
    'GFLOP/s, and the speed ratio GPU/CPU on the same cell. Cells: beta-Li3PS4 4x4x4 (2,048 atoms) and 8x8x10',
    `(20,480 atoms). Potentials: ${REFERENCE_L08} and ${REFERENCE_L16} (MLIP reference vectors, random coefficients:`,
    'timing workloads only), or --potential. On a software adapter (SwiftShader) the GPU column is CPU work too.',
    'MD: NVE drift and fluctuation on beta-Li3PS4 2x2x2 at 300 K with --md-potential (default: the shipped',
    'potential; a soft-sphere stand-in on an expanded cell when there is none). Analysis: streaming MSD of',
    '100,000 frames x 500 atoms in bounded memory.',
    'MD steps with each of --kernels (default specialised,block: a thread or a workgroup per atom).',
    'Physical checks of a potential (lattice, diffusion, boundaries in MD) are `lilab physics`.',
  ].join('\n'),
  options: {
    potential: { type: 'string' },
    'md-potential': { type: 'string' },
    kernels: { type: 'string' },
    quick: { type: 'boolean' },
  },
  async run(args) {
    const custom = stringOption(args, 'potential');
    const paths = custom ? [custom] : [REFERENCE_L08, REFERENCE_L16];
    for (const p of paths) {
      if (!existsSync(p)) {
        console.error(`bench: no potential at ${p}; pass --potential POT.mtp`);
        return 1;
      }
    }
    const ctx = await nodeGpuContext();
    const quick = Boolean(args.values.quick);
    console.log(`# lilab bench  node ${process.version}  ${new Date().toISOString()}`);
    console.log(
      `# adapter: ${formatAdapter(ctx.report)}${isSoftwareAdapter(ctx.report) ? '  (software: GPU figures are CPU work)' : ''}`,
    );
    console.log('# MTP evaluation (energy, forces, virial)');
    console.log(HEADER);
    const cells: [number, number, number][] = quick
      ? [[4, 4, 4]]
      : [
          [4, 4, 4],
          [8, 8, 10],
        ];
    for (const path of paths) {
      const potential = loadPotential(path);
      const label = path
        .split('/')
        .pop()!
        .replace(/\.mtp$/, '');
      for (const reps of cells) {
        const config = jitteredSupercell(reps, 7);
        const cpu = await benchCpu(potential, label, config, quick ? 0.5 : 2);
        console.log(formatRow(cpu));
        const gpu = await benchGpu(ctx, potential, label, config, quick ? 0.5 : 2);
        console.log(formatRow(gpu, cpu.seconds));
      }
    }
    const mdPath =
      stringOption(args, 'md-potential') ?? (existsSync(DEFAULT_POTENTIAL) ? DEFAULT_POTENTIAL : undefined);
    const mdPotential = mdPath ? loadPotential(mdPath) : softSphereStandIn();
    const l16 = loadPotential(REFERENCE_L16);
    const kernels = (stringOption(args, 'kernels') ?? 'specialised,block').split(',') as MtpKernel[];
    for (const k of kernels)
      if (!MTP_KERNELS.includes(k)) throw new UsageError(`--kernels: '${k}' is not one of ${MTP_KERNELS.join(', ')}`);
    const mdName = mdPotential.model.name;
    console.log('# MD steps (CSVR)');
    for (const kernel of kernels) {
      if (mdPath) {
        const gb = STRUCTURE_PRESETS['sigma5-001-120'].build();
        const config = toConfiguration(gb, LI_P_S);
        const steps = quick ? 100 : 500;
        const run = { temperature: 800, dt: 1 };
        console.log(await benchMdStep(ctx, mdPotential, mdName, 'S5 (120) bicrystal', config, steps, run, kernel));
        if (existsSync(FITTED_TAIL)) {
          // the same with the D3 tail beyond the cutoff (ADR 0018): its 14.5 A list and pair kernel's share
          const tailed = loadPotential(mdPath, FITTED_TAIL);
          const label = `${mdName} + dispersion tail`;
          console.log(await benchMdStep(ctx, tailed, label, 'S5 (120) bicrystal', config, steps, run, kernel));
        }
      }
      if (mdPath && !quick) {
        // the page's polycrystal preset at 3x3x2 (about 94,000 atoms)
        const poly = toConfiguration(STRUCTURE_PRESETS.polycrystal.build({ a: 3, b: 3, c: 2 }), LI_P_S);
        const run = { temperature: 800, dt: 1 };
        console.log(await benchMdStep(ctx, mdPotential, mdName, 'polycrystal 3x3x2', poly, 10, run, kernel));
      }
      const bulk = jitteredSupercell(quick ? [4, 4, 4] : [8, 8, 10], 7, 0.02);
      const what = `bulk ${quick ? '4x4x4' : '8x8x10'}`;
      const run = { temperature: 300, dt: 0.2 };
      console.log(await benchMdStep(ctx, l16, 'l16', what, bulk, quick ? 10 : 20, run, kernel));
    }
    console.log('# MD (NVE, velocity Verlet, float32 state)');
    for (const row of await benchNve(
      ctx,
      mdPotential,
      mdPath ? mdName : 'soft-sphere stand-in',
      mdPath ? 1 : 1.25,
      quick ? 1 : 10,
    )) {
      console.log(row);
    }
    console.log('# analysis');
    console.log(benchAnalysis(quick ? 10000 : 100000, 500));
    ctx.device.destroy();
    return 0;
  },
};
