/**
 * Molecular dynamics on the GPU: the state (positions, velocities, image counters, forces) stays on the device, many
 * steps are recorded per submission, and thermodynamics and frames come back through double-buffered staging copies
 * while the next batch runs. The neighbour list is rebuilt at steps the engine schedules from the displacements the
 * GPU measures; every step checks on the GPU that no atom outran the list (moved more than skin/2), and a batch in
 * which one did is redone from the last record with rebuilds twice as often (docs/adr/0013-scheduled-list-rebuilds.md).
 * A step without a rebuild is the thermostat's kernels, the force field's and one closing kick.
 *
 * Ensembles: NVE (velocity Verlet), Langevin (BAOAB), CSVR (Bussi velocity rescaling). Units: A, fs, eV, amu, K.
 */

import randomWgsl from '../../shaders/common/random.wgsl?raw';
import integrateWgsl from '../../shaders/integrate.wgsl?raw';
import {
  bindGroup,
  checked,
  compileModule,
  computePipeline,
  readBuffer,
  storageBuffer,
  uniformBuffer,
  workgroups,
} from '../gpu/compute.ts';
import { withCellCommon } from '../gpu/shader-source.ts';
import { type Cell, volume } from '../model/cell.ts';
import { EV_A3_TO_GPA, KB, MVV_TO_EV } from '../model/units.ts';
import {
  CELL_PARAMS_BYTES,
  type GpuNeighborList,
  LIST_WORD_COUNT,
  LIST_WORDS,
  OVERFLOW_WORDS,
  packPositions,
} from '../potential/neighbors-gpu.ts';
import type { GpuForceField } from '../potential/types.ts';
import {
  decodeRecord,
  packMdParams,
  type RecordLayout,
  type RecordName,
  recordLayout,
  STATE_FLOATS,
} from './layout.ts';
import {
  type IntegratorKernel,
  THERMOSTAT_DEFAULTS,
  type Thermostat,
  thermostat as thermostatModule,
} from './thermostats/index.ts';
import { maxwellBoltzmann } from './velocities.ts';

export type { Thermostat } from './thermostats/index.ts';

export interface MdOptions {
  /** Time step, fs. */
  dt: number;
  /** Target (and initial) temperature, K. */
  temperature: number;
  thermostat: Thermostat;
  seed: number;
  /** CSVR relaxation time / Nose-Hoover chain period, fs (default 100). */
  tau?: number;
  /** Langevin friction, 1/fs (default 0.01, i.e. 100 fs). */
  friction?: number;
  /** Neighbour-list skin, A (default 0.5). */
  skin?: number;
  /** Initial velocities (A/fs); default Maxwell-Boltzmann at `temperature` from `seed`. */
  velocities?: Float64Array;
  /** Berendsen barostat, applied at every record (see MdEngine.run). */
  barostat?: BarostatOptions;
  /**
   * The list-rebuild schedule: the first interval (steps; default from the initial velocities) and the longest
   * (default LIST_INTERVAL_MAX). { first: 1, max: 1 } rebuilds at every step.
   */
  listInterval?: { first?: number; max?: number };
}

/**
 * Berendsen pressure coupling (Berendsen et al., J. Chem. Phys. 81 (1984) 3684), anisotropic: each Cartesian axis
 * marked free is scaled by mu_a = 1 - kappa (dt_c / tau) (P_target - P_aa) / 3, applied once per record interval
 * dt_c with the pressure of that record. Positions scale with the cell; velocities are kept. For relaxing cells
 * (e.g. a grain boundary with only its normal free), not for sampling an NPT ensemble.
 */
export interface BarostatOptions {
  /** Target pressure, GPa. */
  pressure: number;
  /** Relaxation time, fs (default 2000). */
  tau?: number;
  /** Isothermal compressibility, 1/GPa (default 0.04, about right for sulfide electrolytes). */
  compressibility?: number;
  /** Which Cartesian axes may change (default all three). */
  axes?: [boolean, boolean, boolean];
}

export interface MdSystem {
  types: Int32Array;
  positions: Float64Array;
  cell: Cell;
  /** Mass of each atom, amu. */
  masses: Float64Array;
  /** Atoms held fixed (1): no velocity, no kick, outside the thermostat (melt-quench of one grain, slabs). */
  frozen?: Uint8Array;
}

/** Velocities as the GPU holds them: vec4f, w = 1 / (m 103.64) so that dv = dt F w; frozen atoms get v = 0, w = 0. */
function packVelocities(v: ArrayLike<number>, masses: ArrayLike<number>, frozen?: Uint8Array): Float32Array {
  const n = masses.length;
  const out = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    if (frozen?.[i]) continue;
    out.set([v[3 * i], v[3 * i + 1], v[3 * i + 2], 1 / (masses[i] * MVV_TO_EV)], 4 * i);
  }
  return out;
}

/**
 * What the lab asks of an MD engine, on the GPU (MdEngine) or the CPU (CpuMdEngine, the page's fallback): run steps
 * with a record every so many, and let go of its resources. Each engine refuses at creation what it cannot do (the
 * CPU one: thermostats other than those whose module says `cpu`).
 */
export interface Engine {
  /** Steps done since the start. */
  readonly step: number;
  /** `steps` steps; every `every` steps a record (thermodynamics and the frame) goes to `onRecord`. */
  run(steps: number, every: number, onRecord: (t: ThermoRecord, f: Frame) => void | Promise<void>): Promise<void>;
  destroy(): void;
}

export interface ThermoRecord {
  step: number;
  time: number;
  potential: number;
  kinetic: number;
  total: number;
  temperature: number;
  /** Total energy minus the energy the thermostat added: constant for a correct integrator. */
  conserved: number;
  /** Pressure tensor (kinetic + virial) / V, GPa, row-major 3x3. */
  pressure: Float64Array;
  /** Shortest interatomic distance and one atom (0-based) at it. */
  minDistance: number;
  minDistanceAtom: number;
  rebuilds: number;
}

export interface Frame {
  step: number;
  time: number;
  /** Unwrapped Cartesian positions, A (position in the cell + image counters x lattice). */
  positions: Float64Array;
  velocities: Float64Array;
  images: Int32Array;
  /** The engine's GPU bookkeeping (step counter bits, thermostat energy), for exact restarts. */
  state: Float32Array;
}

/** Internal: a neighbour list (the field's or its follower) ran out of slots during a batch; the run redoes it with a larger list. */
class ListOverflow extends Error {
  constructor(
    readonly list: GpuNeighborList,
    readonly needed: number,
  ) {
    super(`neighbour list overflow (${needed} neighbours)`);
  }
}

/** Internal: an atom outran the neighbour list before its scheduled rebuild; the run redoes the batch. */
class StaleList extends Error {
  constructor() {
    super('an atom moved more than skin/2 before the scheduled list rebuild');
  }
}

/** Rebuild intervals (steps) the schedule keeps to: at least every step, at most this many. */
export const LIST_INTERVAL_MAX = 100;
/** The schedule aims for the largest displacement at a rebuild to be this fraction of skin/2. */
const LIST_INTERVAL_MARGIN = 0.7;

/**
 * The first rebuild interval, before any displacement was measured: the fastest atom at its speed covers a third of
 * skin/2, at most 10 steps (forces accelerate atoms; the schedule then follows what the GPU measures).
 */
function firstInterval(velocities: ArrayLike<number>, dt: number, skin: number): number {
  let v2 = 0;
  for (let i = 0; i < velocities.length; i += 3)
    v2 = Math.max(v2, velocities[i] ** 2 + velocities[i + 1] ** 2 + velocities[i + 2] ** 2);
  const perStep = Math.sqrt(v2) * dt;
  return perStep > 0 ? Math.max(1, Math.min(10, Math.floor(skin / 6 / perStep))) : 10;
}

export class BlowUpError extends Error {
  override name = 'BlowUpError';
  constructor(
    message: string,
    readonly step: number,
    readonly atoms: number[],
    readonly lastGood: Frame | null,
  ) {
    super(message);
  }
}

/** Kernels of every step, whatever the thermostat; the thermostat adds its own (src/md/thermostats). */
const STEP_KERNELS = ['kick_end', 'wrap_rebuild'] as const;
type Kernel = IntegratorKernel | (typeof STEP_KERNELS)[number];

interface Staging {
  buffer: GPUBuffer;
  step: number;
  frame: boolean;
  pending: Promise<void> | null;
}

export class MdEngine implements Engine {
  step = 0;
  readonly natoms: number;
  readonly ndof: number;
  private readonly positions: GPUBuffer;
  private readonly velocities: GPUBuffer;
  private readonly images: GPUBuffer;
  private readonly state: GPUBuffer;
  private readonly params: GPUBuffer;
  /** Stand in for the neighbour list's bookkeeping, cell and fractional positions when the field has no list. */
  private readonly noList: { words: GPUBuffer; cell: GPUBuffer; frac: GPUBuffer; fracRef: GPUBuffer };
  /** The list generation the cached bind groups name (a new list replaces its buffers). */
  private groupsGeneration = -1;
  /** Steps between scheduled list rebuilds, and steps since the last one as encoded. */
  private listInterval: number;
  private sinceBuild = 0;
  /** Batches redone because an atom outran the list. */
  private staleRedos = 0;
  private readonly out: ReturnType<GpuForceField['allocateOutputs']>;
  private readonly groups: Map<Kernel, GPUBindGroup> = new Map();
  private readonly staging: Staging[];
  /** Where each field of a record sits in the staging buffers (fixed for the engine's atoms). */
  private readonly layout: RecordLayout;
  private lastGood: Frame | null = null;
  private volume: number;

  private constructor(
    readonly device: GPUDevice,
    readonly field: GpuForceField,
    readonly system: MdSystem,
    readonly options: Required<Omit<MdOptions, 'velocities' | 'barostat' | 'listInterval'>> & {
      barostat?: BarostatOptions;
      listInterval: { first?: number; max: number };
    },
    private readonly pipelines: Record<Kernel, GPUComputePipeline>,
    velocities: Float64Array,
  ) {
    const n = system.types.length;
    this.natoms = n;
    // a thermostat that keeps the total momentum (zero) removes 3 degrees of freedom, unless atoms are held fixed
    const mobile = system.frozen ? system.frozen.reduce((c, f) => c + (f ? 0 : 1), 0) : n;
    const keepsMomentum = thermostatModule(options.thermostat).conservesMomentum;
    this.ndof = !keepsMomentum || mobile < n ? 3 * mobile : Math.max(1, 3 * mobile - 3);
    this.volume = volume(system.cell);
    const d = device;
    this.positions = storageBuffer(d, 'md positions', packPositions(system.positions, system.types));
    const v4 = packVelocities(velocities, system.masses, system.frozen);
    this.velocities = storageBuffer(d, 'md velocities', v4);
    this.images = storageBuffer(d, 'md images', 16 * n);
    this.state = storageBuffer(d, 'md state', STATE_FLOATS * 4);
    const p = packMdParams({
      natoms: n,
      seed_lo: options.seed >>> 0,
      seed_hi: Math.floor(options.seed / 4294967296),
      ndof: this.ndof,
      dt: options.dt,
      kT: KB * options.temperature,
      decay: thermostatModule(options.thermostat).decay(options),
      tau: options.tau,
      has_list: field.neighbors ? 1 : 0,
      half_skin2: (options.skin / 2) ** 2,
      _pad0: 0,
      _pad1: 0,
    });
    this.params = uniformBuffer(d, 'md params', p);
    this.noList = {
      words: storageBuffer(d, 'no neighbour list', 4 * LIST_WORD_COUNT),
      cell: uniformBuffer(d, 'no list cell', new ArrayBuffer(CELL_PARAMS_BYTES)),
      frac: storageBuffer(d, 'no list fractions', 16),
      fracRef: storageBuffer(d, 'no list reference', 16),
    };
    this.listInterval = Math.min(
      options.listInterval.first ?? firstInterval(velocities, options.dt, options.skin),
      options.listInterval.max,
    );
    this.out = field.allocateOutputs(n);
    this.layout = recordLayout(n);
    this.staging = [0, 1].map((k) => ({
      buffer: d.createBuffer({
        label: `md staging ${k}`,
        size: this.layout.bytes,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      }),
      step: -1,
      frame: false,
      pending: null,
    }));
  }

  static async create(
    device: GPUDevice,
    field: GpuForceField,
    system: MdSystem,
    options: MdOptions,
  ): Promise<MdEngine> {
    const opts = {
      dt: options.dt,
      temperature: options.temperature,
      thermostat: options.thermostat,
      seed: options.seed,
      tau: options.tau ?? THERMOSTAT_DEFAULTS.tau,
      friction: options.friction ?? THERMOSTAT_DEFAULTS.friction,
      skin: options.skin ?? 0.5,
      barostat: options.barostat,
      listInterval: { first: options.listInterval?.first, max: options.listInterval?.max ?? LIST_INTERVAL_MAX },
    };
    for (const [what, v] of Object.entries(opts.listInterval))
      if (v !== undefined && !(Number.isInteger(v) && v >= 1))
        throw new Error(`list interval ${what} ${v} must be a whole number of steps >= 1`);
    if (!(opts.dt > 0 && opts.dt <= 10)) throw new Error(`time step ${opts.dt} fs is outside (0, 10] fs`);
    if (!(opts.temperature >= 0)) throw new Error(`temperature ${opts.temperature} K must be >= 0`);
    const steps = thermostatModule(opts.thermostat).gpu;
    const kernels = [
      ...new Set<Kernel>([...STEP_KERNELS, ...[...steps.start, ...steps.advance, ...steps.end].map(([k]) => k)]),
    ];
    const module = await compileModule(
      device,
      'integrate',
      withCellCommon(['common/random.wgsl', randomWgsl], ['integrate.wgsl', integrateWgsl]),
    );
    const list = await Promise.all(kernels.map((k) => computePipeline(device, module, k)));
    const pipelines = Object.fromEntries(kernels.map((k, i) => [k, list[i]])) as Record<Kernel, GPUComputePipeline>;
    const velocities = options.velocities ?? maxwellBoltzmann(system.masses, opts.temperature, opts.seed);
    const engine = new MdEngine(device, field, system, opts, pipelines, velocities);
    await engine.initialForces();
    engine.initial = {
      step: 0,
      time: 0,
      positions: Float64Array.from(system.positions),
      velocities: Float64Array.from(velocities),
      images: new Int32Array(3 * system.types.length),
      state: new Float32Array(STATE_FLOATS),
    };
    return engine;
  }

  private group(k: Kernel): GPUBindGroup {
    const nl = this.field.neighbors;
    // the drifts, the closing kick and the wrap bind the list's buffers, which a new list replaces
    if (nl && nl.generation !== this.groupsGeneration) {
      this.groups.clear();
      this.groupsGeneration = nl.generation;
    }
    let g = this.groups.get(k);
    if (g) return g;
    const all: Record<number, GPUBuffer> = {
      0: this.params,
      1: this.positions,
      2: this.velocities,
      3: this.out.forces,
      4: this.images,
      5: this.state,
      6: nl?.cellUniform ?? this.noList.cell,
      7: nl?.rebuildCounter ?? this.noList.words,
      8: nl?.frac ?? this.noList.frac,
      9: nl?.fracRef ?? this.noList.fracRef,
    };
    const used: Record<Kernel, number[]> = {
      kick_half: [0, 2, 3],
      kick_drift: [0, 1, 2, 3, 6, 7, 8, 9],
      drift_half: [0, 1, 2, 6, 7, 8, 9],
      langevin_o: [0, 2, 5],
      kinetic_before: [0, 2, 5],
      kinetic_after: [0, 2, 5],
      csvr_factor: [0, 2, 5],
      csvr_scale: [0, 2, 5],
      nhc_half: [0, 2, 5],
      kick_end: [0, 2, 3, 5, 7],
      wrap_rebuild: [0, 1, 4, 6, 7],
    };
    g = bindGroup(this.device, this.pipelines[k], Object.fromEntries(used[k].map((b) => [b, all[b]])));
    this.groups.set(k, g);
    return g;
  }

  private async initialForces(): Promise<void> {
    const nl = this.field.neighbors;
    if (nl) {
      nl.configure(this.system.cell, this.system.positions, this.field.cutoff + this.options.skin);
    }
    await this.rebuildListAndForces('initial forces');
    if (nl) {
      // Bad input (atoms on top of each other) is refused before the first step.
      const minDist = new Float32Array(await readBuffer(this.device, this.out.atomMinDist, 4 * this.natoms));
      const close: number[] = [];
      minDist.forEach((r, i) => {
        if (!(r >= this.field.minDist)) close.push(i);
      });
      if (close.length > 0) {
        const i = close[0];
        throw new BlowUpError(
          `the starting structure has atoms closer than the potential's min_dist (${this.field.minDist} A): ` +
            `atom ${i + 1} is ${minDist[i].toFixed(3)} A from a neighbour (${close.length} atoms affected, 1-based: ` +
            `${close
              .slice(0, 10)
              .map((k) => k + 1)
              .join(', ')}${close.length > 10 ? ', ...' : ''})`,
          0,
          close,
          null,
        );
      }
    }
  }

  private dispatch(pass: GPUComputePassEncoder, k: Kernel, groups: number): void {
    pass.setPipeline(this.pipelines[k]);
    pass.setBindGroup(0, this.group(k));
    pass.dispatchWorkgroups(groups);
  }

  /** Records one step; `rebuild`: the list is rebuilt before the forces (a scheduled rebuild). */
  private encodeStep(pass: GPUComputePassEncoder, rebuild: boolean): void {
    const atoms = workgroups(this.natoms, 64);
    const nl = this.field.neighbors;
    const { start, advance, end } = thermostatModule(this.options.thermostat).gpu;
    const run = (list: readonly [IntegratorKernel, 'atoms' | 'one'][]) => {
      for (const [k, grid] of list) this.dispatch(pass, k, grid === 'atoms' ? atoms : 1);
    };
    run(start);
    run(advance);
    if (nl && rebuild) {
      this.dispatch(pass, 'wrap_rebuild', atoms);
      nl.encodeRebuild(pass, this.positions);
    }
    this.field.encodeInPass(pass, this.out, this.natoms);
    this.dispatch(pass, 'kick_end', atoms);
    run(end);
  }

  /** Whether the next step encoded rebuilds the list: every `listInterval` steps. */
  private scheduleStep(): boolean {
    if (!this.field.neighbors) return false;
    this.sinceBuild++;
    if (this.sinceBuild < this.listInterval) return false;
    this.sinceBuild = 0;
    return true;
  }

  /**
   * The next rebuild interval from a good record's list words: the largest displacement per step over the last
   * complete interval and over the current one, extrapolated linearly (displacements grow at most that fast while
   * atoms fly freely, slower once they collide) to LIST_INTERVAL_MARGIN of skin/2; at most twice the interval before.
   */
  private adaptInterval(words: Uint32Array): void {
    const f = new Float32Array(words.buffer, words.byteOffset, words.length);
    const rate = (d2: number, steps: number) => (steps > 0 ? Math.sqrt(d2) / steps : 0);
    const perStep = Math.max(
      rate(f[LIST_WORDS.lastMaxDisp2], words[LIST_WORDS.lastSteps]),
      rate(f[LIST_WORDS.maxDisp2], words[LIST_WORDS.steps]),
    );
    const target = perStep > 0 ? Math.floor((LIST_INTERVAL_MARGIN * this.options.skin) / 2 / perStep) : Infinity;
    this.listInterval = Math.max(1, Math.min(target, 2 * this.listInterval, this.options.listInterval.max));
  }

  /** The list schedule: steps between rebuilds now, and batches redone because an atom outran the list. */
  get listSchedule(): { interval: number; staleRedos: number } {
    return { interval: this.listInterval, staleRedos: this.staleRedos };
  }

  /**
   * Dispatches a step records without and with a scheduled rebuild, counted on a stand-in pass (nothing is
   * submitted): for the benchmark, and so that a test holds the step loop free of indirect dispatches.
   */
  dispatchesPerStep(): { direct: number; indirect: number; withRebuild: number } {
    const count = (rebuild: boolean) => {
      const c = { direct: 0, indirect: 0 };
      const pass = {
        setPipeline() {},
        setBindGroup() {},
        dispatchWorkgroups() {
          c.direct++;
        },
        dispatchWorkgroupsIndirect() {
          c.indirect++;
        },
      } as unknown as GPUComputePassEncoder;
      this.encodeStep(pass, rebuild);
      return c;
    };
    const plain = count(false);
    const rebuilding = count(true);
    return {
      direct: plain.direct,
      indirect: plain.indirect + rebuilding.indirect,
      withRebuild: this.field.neighbors ? rebuilding.direct : plain.direct,
    };
  }

  private encodeRecord(encoder: GPUCommandEncoder, dst: GPUBuffer): void {
    const nl = this.field.neighbors;
    const source: Record<RecordName, GPUBuffer | null> = {
      state: this.state,
      atomEnergy: this.out.atomEnergy,
      atomMinDist: this.out.atomMinDist,
      velocities: this.velocities,
      atomVirial: this.out.atomVirial,
      overflow: nl?.overflow ?? null,
      rebuildCounter: nl?.rebuildCounter ?? null,
      positions: this.positions,
      images: this.images,
    };
    // a field without a source (the list's, for a field without one) stays as the staging buffer has it: zeros
    for (const { field, offset, bytes } of this.layout.fields) {
      const src = source[field.name];
      if (src) encoder.copyBufferToBuffer(src, 0, dst, offset, bytes);
    }
  }

  /** Thermodynamics and the frame from a staging copy (f64 sums on the host). */
  private decode(
    data: ArrayBuffer,
    step: number,
  ): { thermo: ThermoRecord; frame: Frame; overflow: Uint32Array; list: Uint32Array } {
    const n = this.natoms;
    const {
      state,
      atomEnergy: energies,
      atomMinDist: minDist,
      velocities: vel,
      atomVirial: vir,
      overflow,
      rebuildCounter,
      positions: pos,
      images: img,
    } = decodeRecord(data, this.layout);
    let potential = 0;
    for (let i = 0; i < n; i++) potential += energies[i];
    let kinetic = 0;
    const pressure = new Float64Array(9);
    for (let i = 0; i < n; i++) {
      const w = vel[4 * i + 3];
      for (let k = 0; k < 9; k++) pressure[k] += vir[9 * i + k];
      if (w === 0) continue; // a frozen atom has no kinetic energy
      const o = 4 * i;
      kinetic += (0.5 * (vel[o] * vel[o] + vel[o + 1] * vel[o + 1] + vel[o + 2] * vel[o + 2])) / w;
      // kinetic part of the pressure tensor: m v_a v_b, in eV
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) pressure[3 * a + b] += (vel[o + a] * vel[o + b]) / w;
    }
    for (let k = 0; k < 9; k++) pressure[k] *= EV_A3_TO_GPA / this.volume;
    let minDistance = Infinity;
    let minDistanceAtom = -1;
    for (let i = 0; i < n; i++) {
      if (minDist[i] < minDistance) {
        minDistance = minDist[i];
        minDistanceAtom = i;
      }
    }
    const L = this.system.cell.lattice;
    const positions = new Float64Array(3 * n);
    const velocities = new Float64Array(3 * n);
    const images = new Int32Array(3 * n);
    for (let i = 0; i < n; i++) {
      const m0 = img[4 * i];
      const m1 = img[4 * i + 1];
      const m2 = img[4 * i + 2];
      for (let d = 0; d < 3; d++) {
        images[3 * i + d] = img[4 * i + d];
        positions[3 * i + d] = pos[4 * i + d] + m0 * L[d] + m1 * L[3 + d] + m2 * L[6 + d];
        velocities[3 * i + d] = vel[4 * i + d];
      }
    }
    const total = potential + kinetic;
    const rebuilds = rebuildCounter[LIST_WORDS.rebuilds];
    return {
      thermo: {
        step,
        time: step * this.options.dt,
        potential,
        kinetic,
        total,
        temperature: (2 * kinetic) / (this.ndof * KB),
        conserved: total - state[4],
        pressure,
        minDistance,
        minDistanceAtom,
        rebuilds,
      },
      frame: { step, time: step * this.options.dt, positions, velocities, images, state: Float32Array.from(state) },
      overflow,
      list: rebuildCounter,
    };
  }

  /**
   * Runs `steps` steps; every `every` steps a record (thermodynamics and the frame) goes to `onRecord`. Throws
   * BlowUpError (NaN, contacts below the potential's min_dist, runaway temperature) naming atoms and step; the last
   * good frame is kept in the error and in `lastGoodFrame`.
   */
  async run(
    steps: number,
    every: number,
    onRecord: (thermo: ThermoRecord, frame: Frame) => void | Promise<void>,
  ): Promise<void> {
    if (!Number.isInteger(steps) || steps < 0) throw new Error('steps must be a whole number >= 0');
    const target = this.step + steps;
    const barostat = this.options.barostat;
    for (;;) {
      try {
        if (!barostat) {
          await this.runBatches(target - this.step, every, onRecord);
          return;
        }
        // With a barostat the cell changes at every record, so batches run one at a time.
        while (this.step < target) {
          let last: ThermoRecord | null = null;
          await this.runBatches(Math.min(every, target - this.step), every, async (t, f) => {
            last = t;
            await onRecord(t, f);
          });
          if (last && this.lastGood) await this.applyBarostat(barostat, last, this.lastGood, every);
        }
        return;
      } catch (err) {
        const nl = this.field.neighbors;
        if (!nl || !(err instanceof ListOverflow || err instanceof StaleList)) throw err;
        // Redo from the last good record: nothing computed with a truncated or outrun list is kept. A list too
        // small grows; a list outrun is rebuilt twice as often.
        if (err instanceof ListOverflow) err.list.growTo(Math.ceil(err.needed * 1.25) + 8);
        else {
          this.listInterval = Math.max(1, Math.floor(this.listInterval / 2));
          this.staleRedos++;
        }
        await this.restore(this.lastGood ?? this.initial);
      }
    }
  }

  private async runBatches(
    steps: number,
    every: number,
    onRecord: (thermo: ThermoRecord, frame: Frame) => void | Promise<void>,
  ): Promise<void> {
    const chunk = Math.max(1, Math.floor(every));
    let slot = 0;
    const inFlight: Staging[] = [];
    const finish = async (s: Staging) => {
      await s.pending;
      s.pending = null;
      const data = s.buffer.getMappedRange().slice(0);
      s.buffer.unmap();
      const { thermo, frame, overflow, list } = this.decode(data, s.step);
      const nl = this.field.neighbors;
      if (nl && overflow[OVERFLOW_WORDS.needed] > nl.capacity)
        throw new ListOverflow(nl, overflow[OVERFLOW_WORDS.needed]);
      const follower = nl?.follower?.list;
      if (follower && overflow[OVERFLOW_WORDS.followerNeeded] > follower.capacity)
        throw new ListOverflow(follower, overflow[OVERFLOW_WORDS.followerNeeded]);
      if (nl && list[LIST_WORDS.stale] !== 0) throw new StaleList();
      this.check(thermo, frame);
      if (this.field.neighbors) this.adaptInterval(list);
      this.lastGood = frame;
      await onRecord(thermo, frame);
    };
    const drain = async () => {
      for (const s of inFlight.splice(0)) {
        try {
          await s.pending;
          s.buffer.unmap();
        } catch {
          // the copy is dropped; a failed map leaves the buffer unmapped
        }
        s.pending = null;
      }
    };
    let done = 0;
    try {
      while (done < steps) {
        const k = Math.min(chunk - (this.step % chunk) || chunk, steps - done);
        const s = this.staging[slot];
        if (s.pending) {
          inFlight.splice(inFlight.indexOf(s), 1);
          await finish(s);
        }
        const encoder = this.device.createCommandEncoder({ label: 'md batch' });
        const pass = encoder.beginComputePass({ label: 'md steps' });
        for (let t = 0; t < k; t++) this.encodeStep(pass, this.scheduleStep());
        pass.end();
        this.step += k;
        done += k;
        const record = this.step % chunk === 0 || done === steps;
        if (record) this.encodeRecord(encoder, s.buffer);
        this.device.queue.submit([encoder.finish()]);
        if (record) {
          s.step = this.step;
          s.pending = s.buffer.mapAsync(GPUMapMode.READ);
          inFlight.push(s);
          slot = 1 - slot;
        }
      }
      inFlight.sort((a, b) => a.step - b.step);
      while (inFlight.length > 0) await finish(inFlight.shift()!);
    } catch (err) {
      await drain();
      throw err;
    }
  }

  private async applyBarostat(b: BarostatOptions, t: ThermoRecord, frame: Frame, every: number): Promise<void> {
    const kappa = b.compressibility ?? 0.04;
    const tau = b.tau ?? 2000;
    const axes = b.axes ?? [true, true, true];
    const dtc = every * this.options.dt;
    const mu = [0, 1, 2].map((a) => {
      if (!axes[a]) return 1;
      const m = 1 - ((kappa * dtc) / tau) * ((b.pressure - t.pressure[4 * a]) / 3);
      // never more than 1 % per application: a far-from-target start must not tear the structure
      return Math.min(1.01, Math.max(0.99, m));
    });
    const scale = (v: Float64Array) => v.map((x, k) => x * mu[k % 3]);
    const cell: Cell = { lattice: scale(this.system.cell.lattice), pbc: this.system.cell.pbc };
    await this.setCell(cell, { ...frame, positions: scale(frame.positions) });
  }

  /** Replaces the cell (and the state, given in the new cell): barostat steps, deformation protocols. */
  async setCell(cell: Cell, frame: Frame): Promise<void> {
    this.system.cell = cell;
    this.volume = volume(cell);
    const nl = this.field.neighbors;
    if (nl) {
      nl.configure(cell, frame.positions, this.field.cutoff + this.options.skin, nl.capacity);
    }
    await this.restore(frame);
    this.lastGood = frame;
  }

  /** The state at creation, for a redo before the first record. */
  private initial!: Frame;

  /** Puts a frame back on the GPU (checkpoint restart, redo after a list overflow, a lost device's last record). */
  async restore(frame: Frame): Promise<void> {
    const n = this.natoms;
    const L = this.system.cell.lattice;
    const wrapped = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const m = [frame.images[3 * i], frame.images[3 * i + 1], frame.images[3 * i + 2]];
      for (let d = 0; d < 3; d++)
        wrapped[3 * i + d] = frame.positions[3 * i + d] - (m[0] * L[d] + m[1] * L[3 + d] + m[2] * L[6 + d]);
    }
    const q = this.device.queue;
    q.writeBuffer(this.positions, 0, packPositions(wrapped, this.system.types));
    const v4 = packVelocities(frame.velocities, this.system.masses, this.system.frozen);
    q.writeBuffer(this.velocities, 0, v4);
    const img = new Int32Array(4 * n);
    for (let i = 0; i < n; i++)
      img.set([frame.images[3 * i], frame.images[3 * i + 1], frame.images[3 * i + 2], 0], 4 * i);
    q.writeBuffer(this.images, 0, img);
    q.writeBuffer(this.state, 0, frame.state);
    this.step = frame.step;
    await this.rebuildListAndForces('forces after restore');
  }

  /** A full neighbour-list build from the current positions, then forces: the start of every run segment. */
  private async rebuildListAndForces(what: string): Promise<void> {
    const nl = this.field.neighbors;
    if (nl) {
      await nl.build(this.positions);
      this.sinceBuild = 0;
    }
    await checked(this.device, what, () => {
      const encoder = this.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      this.field.encodeInPass(pass, this.out, this.natoms);
      pass.end();
      this.device.queue.submit([encoder.finish()]);
    });
  }

  get lastGoodFrame(): Frame | null {
    return this.lastGood;
  }

  private check(t: ThermoRecord, f: Frame): void {
    const bad: number[] = [];
    for (let i = 0; i < this.natoms && bad.length < 10; i++) {
      const p = f.positions;
      const v = f.velocities;
      if (![p[3 * i], p[3 * i + 1], p[3 * i + 2], v[3 * i], v[3 * i + 1], v[3 * i + 2]].every(Number.isFinite))
        bad.push(i);
    }
    if (bad.length > 0 || !Number.isFinite(t.total)) {
      throw new BlowUpError(
        `NaN in the run at step ${t.step}: atoms ${bad.map((i) => i + 1).join(', ') || '(energy)'} (1-based); the last good frame is kept`,
        t.step,
        bad,
        this.lastGood,
      );
    }
    if (this.field.neighbors && t.minDistance < this.field.minDist) {
      throw new BlowUpError(
        `atoms closer than the potential's min_dist (${this.field.minDist} A) at step ${t.step}: atom ${t.minDistanceAtom + 1} ` +
          `is ${t.minDistance.toFixed(3)} A from a neighbour; the last good frame is kept`,
        t.step,
        [t.minDistanceAtom],
        this.lastGood,
      );
    }
    const limit = Math.max(10 * this.options.temperature, 5000);
    if (t.temperature > limit) {
      throw new BlowUpError(
        `temperature ${t.temperature.toFixed(0)} K at step ${t.step} is far over the target ${this.options.temperature} K; the last good frame is kept`,
        t.step,
        [],
        this.lastGood,
      );
    }
  }

  destroy(): void {
    for (const b of [
      this.positions,
      this.velocities,
      this.images,
      this.state,
      this.params,
      ...Object.values(this.noList),
      ...Object.values(this.out),
    ])
      b.destroy();
    for (const s of this.staging) s.buffer.destroy();
  }
}
