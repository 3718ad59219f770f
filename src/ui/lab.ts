/**
 * The running lab: one structure, one potential, one MD engine on the GPU, the viewport, the plots and the analysis
 * worker. Commands from the panel are queued and applied between MD batches (a safe point); a failed command (a bad
 * file, a blow-up) leaves the running simulation and everything loaded as it was.
 */
import type * as Comlink from 'comlink';
import { ArrheniusRuns, type AxisDiffusion, MIN_RUN_FS } from '../analysis/arrhenius-runs.ts';
import { CpuMdEngine } from '../md/cpu-engine.ts';
import { BlowUpError, type Engine, type Frame, MdEngine, type ThermoRecord } from '../md/engine.ts';
import { fireMinimize } from '../md/fire.ts';
import { notify } from '../md/observers.ts';
import { boundaryAtoms, type Structure } from '../model/structure.ts';
import { massesOf } from '../model/system.ts';
import type { MtpPotential } from '../potential/mtp/potential.ts';
import type { GpuPotential } from '../potential/types.ts';
import { STRUCTURE_PRESETS } from '../structure/presets.ts';
import { repeatStructure } from '../structure/supercell.ts';
import { transferFrame } from '../worker/analysis-client.ts';
import type { AnalysisService } from '../worker/analysis-service.ts';
import { diffusionText, type Plots } from './plots.ts';
import type { LabSettings } from './settings.ts';
import { TrajectoryRecorder } from './trajectory-recorder.ts';
import type { Viewport } from './viewport.ts';

export interface LoadedPotential extends MtpPotential {
  /** Its short name in the status line (placeholder potentials say so). */
  label: string;
  /** Where it came from and what it is good for: the status line's details. */
  provenance: string;
  /** Species order of the potential's types. */
  species: string[];
  /** The .mtp text, for exports (LAMMPS runs need the file). */
  text: string;
}

export interface LabStatus {
  atoms: number;
  step: number;
  stepsPerSecond: number;
  nsPerDay: number;
  temperature: number;
  energy: number;
}

/** About one display frame of MD per batch (ms), and at most this many records per batch. */
const FRAME_BUDGET_MS = 16;
const MAX_RECORDS_PER_BATCH = 50;

export class Lab {
  structure: Structure;
  potential: LoadedPotential;
  private engine: Engine | null = null;
  private field: GpuPotential | null = null;
  private queue: (() => Promise<void>)[] = [];
  private busy = false;
  playing = true;
  private lastFrame: Frame | null = null;
  private e0: number | null = null;
  private rate = { t: performance.now(), step: 0, value: 0 };
  status: LabStatus = { atoms: 0, step: 0, stepsPerSecond: 0, nsPerDay: 0, temperature: 0, energy: 0 };
  /** What is simulated, for grouping runs in the Arrhenius plot (the app names presets and loaded files). */
  sceneName: string;
  /** D of finished runs per scene and temperature; a run counts as finished when the lab restarts. */
  readonly arrhenius = new ArrheniusRuns();
  /** The scene key and temperature of the run in progress, and its latest D estimate. */
  private run: { scene: string; temperature: number; d: AxisDiffusion | null; time: number } | null = null;
  /** Called after a finished run's D was added to `arrhenius`. */
  onArrhenius: (() => void) | null = null;
  /** While set, every record's frame is kept for export. */
  recorder: TrajectoryRecorder | null = null;

  /** Whether MD runs on the GPU (else the float64 CPU engine, small systems only). */
  get onGpu(): boolean {
    return this.device !== null;
  }

  constructor(
    /** null: no WebGPU, the float64 CPU engine runs instead (small systems). */
    private device: GPUDevice | null,
    readonly settings: LabSettings,
    potential: LoadedPotential,
    private readonly viewport: Viewport,
    private readonly plots: Plots,
    private readonly analysis: Comlink.Remote<AnalysisService>,
    private readonly report: (msg: string, kind: 'error' | 'info') => void,
    private readonly onStatus: (s: LabStatus) => void,
  ) {
    this.potential = potential;
    this.structure = STRUCTURE_PRESETS[settings.preset].build(settings.cells);
    this.sceneName = settings.preset;
  }

  /** Runs of the same structure and potential at different temperatures belong in one Arrhenius plot. */
  get sceneKey(): string {
    return `${this.sceneName} (${this.status.atoms || this.structure.types.length} atoms) | ${this.potential.label}`;
  }

  private finishRun(): void {
    const r = this.run;
    this.run = null;
    if (!r?.d || r.time < MIN_RUN_FS) return;
    this.arrhenius.record(r.scene, { temperature: r.temperature, d: r.d, time: r.time });
    this.onArrhenius?.();
  }

  /** Queues work to run between MD batches. */
  command(fn: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push(async () => {
        try {
          await fn();
          resolve();
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  private typesForPotential(s: Structure): Int32Array {
    return Int32Array.from(s.types, (t) => {
      const k = this.potential.species.indexOf(s.species[t]);
      if (k < 0)
        throw new Error(
          `the structure has ${s.species[t]}, which the potential (${this.potential.species.join(', ')}) does not know`,
        );
      return k;
    });
  }

  /** (Re)starts MD for the current structure, potential and settings. Throws, leaving the old run intact, on failure. */
  /** The structure as a file gave it, before the size settings repeat it; null while a preset is shown. */
  private fileBase: Structure | null = null;

  /** The structure the settings ask for: the file's or the preset's, at the size settings. */
  private sized(): Structure {
    const n = this.settings.cells;
    return this.fileBase
      ? repeatStructure(this.fileBase, n.a, n.b, n.c)
      : STRUCTURE_PRESETS[this.settings.preset].build(n);
  }

  /** Shows `settings.preset` at the size settings (the next restart runs it). */
  showPreset(): void {
    this.fileBase = null;
    this.structure = this.sized();
    this.sceneName = this.settings.preset;
  }

  /** The size settings changed: the same structure, repeated anew (the next restart runs it). */
  resize(): void {
    this.structure = this.sized();
  }

  /** Runs a structure read from a file, at the size settings; if it cannot run, the previous one runs on. */
  async loadStructure(s: Structure, name: string): Promise<void> {
    const old = { structure: this.structure, name: this.sceneName, base: this.fileBase };
    this.fileBase = s;
    this.structure = this.sized();
    this.sceneName = name;
    try {
      await this.restart();
    } catch (err) {
      this.structure = old.structure;
      this.sceneName = old.name;
      this.fileBase = old.base;
      throw err;
    }
  }

  /** Runs with another potential; if it cannot run (a species it lacks, a GPU limit), the previous one runs on. */
  async usePotential(p: LoadedPotential): Promise<void> {
    const old = this.potential;
    this.potential = p;
    try {
      await this.restart();
    } catch (err) {
      this.potential = old;
      throw err;
    }
  }

  async restart(): Promise<void> {
    const s = this.structure;
    const types = this.typesForPotential(s);
    const system = {
      types,
      positions: s.positions,
      cell: { ...s.cell, lattice: Float64Array.from(s.cell.lattice) },
      masses: massesOf(types, this.potential.species),
    };
    let engine: Engine;
    let field: GpuPotential | null = null;
    if (this.device) {
      field = await this.potential.gpu(this.device, this.settings.kernel);
      try {
        engine = await MdEngine.create(this.device, field, system, {
          dt: this.settings.dt,
          temperature: this.settings.temperature,
          thermostat: this.settings.thermostat,
          seed: this.settings.seed,
        });
      } catch (err) {
        field.destroy();
        throw err;
      }
    } else {
      if (types.length > 300) {
        throw new Error(
          `${types.length} atoms are too many for the CPU fallback (300 at most): use a browser with WebGPU`,
        );
      }
      engine = await CpuMdEngine.create(this.potential.cpu(), system, {
        dt: this.settings.dt,
        temperature: this.settings.temperature,
        // refused with a message (the run on screen goes on) if the CPU engine cannot run it
        thermostat: this.settings.thermostat,
        seed: this.settings.seed,
      });
    }
    this.finishRun();
    this.engine?.destroy();
    this.field?.destroy();
    this.engine = engine;
    this.field = field;
    this.lastFrame = null;
    this.e0 = null;
    this.viewport.setStructure(s);
    this.plots.clear();
    this.onDiffusion?.('', 0);
    const li = Array.from(s.types.keys()).filter((i) => s.species[s.types[i]] === 'Li');
    const dist = s.labels?.boundaryDistance;
    const groups = [{ name: 'Li all', atoms: Int32Array.from(li) }];
    if (dist) {
      const near = new Set(boundaryAtoms(s, 'Li'));
      groups.push({ name: 'Li near GB', atoms: Int32Array.from(li.filter((i) => near.has(i))) });
      groups.push({ name: 'Li bulk', atoms: Int32Array.from(li.filter((i) => !near.has(i))) });
    }
    await this.analysis.configure({
      masses: massesOf(types, this.potential.species),
      groups: groups.filter((g) => g.atoms.length > 0),
      frameInterval: this.settings.dt * this.settings.stepsPerFrame,
    });
    this.status = { ...this.status, atoms: types.length, step: 0 };
    this.run = { scene: this.sceneKey, temperature: this.settings.temperature, d: null, time: 0 };
    // a recording continues across restarts of the same structure (new temperature, say), not across structures
    if (this.recorder && this.recorder.frames[0]?.positions.length !== s.positions.length)
      this.recorder = new TrajectoryRecorder();
    this.emitFrame();
    this.rate = { t: performance.now(), step: 0, value: 0 };
  }

  /**
   * FIRE relaxation of the current structure (positions, fixed cell) with the current potential, then MD restarts from
   * it. A separate evaluator is used so the running engine's buffers are not touched if relaxing fails.
   */
  async relax(
    fmax = 0.05,
    maxSteps = 500,
    onStep?: (step: number, fmax: number) => void,
  ): Promise<{ steps: number; fmax: number }> {
    const s = this.structure;
    const types = this.typesForPotential(s);
    const gpu = this.device ? await this.potential.gpu(this.device, this.settings.kernel) : null;
    const potential = gpu ?? this.potential.cpu();
    try {
      const r = await fireMinimize(
        potential,
        { types, positions: s.positions, cell: s.cell, features: [] },
        {
          fmax,
          maxSteps,
          minDistance: this.potential.model.minDist,
          onStep: (step, _e, f) => onStep?.(step, f),
        },
      );
      this.structure = { ...s, positions: r.positions };
      await this.restart();
      return { steps: r.steps, fmax: r.fmax };
    } finally {
      gpu?.destroy();
    }
  }

  /**
   * Records per MD batch: adapted after each batch so that a batch takes about FRAME_BUDGET_MS, i.e. the GPU gets a
   * frame's worth of steps per submission whatever the system's size and the adapter's speed. The record interval
   * itself (settings.stepsPerFrame, the analysis's frame interval) never changes during a run.
   */
  private recordsPerBatch = 1;

  /** Steps in the last batch (shown in the status line, read by tests). */
  get batchSteps(): number {
    return this.recordsPerBatch * this.settings.stepsPerFrame;
  }

  /**
   * The MD loop's unit of work: queued commands, then one batch if playing. The page calls it again as soon as it
   * returns while playing (not once per display frame), so the next batch is submitted as soon as the last one is
   * read back; the view draws at its own rate (`render`) with the latest positions.
   */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0) await this.queue.shift()!();
      if (this.playing && this.engine) {
        const t0 = performance.now();
        await this.advance(this.batchSteps);
        this.adaptBatch(performance.now() - t0);
      }
    } finally {
      this.busy = false;
    }
  }

  private adaptBatch(ms: number): void {
    const perRecord = ms / this.recordsPerBatch;
    if (!(perRecord > 0)) return;
    const wanted = Math.min(MAX_RECORDS_PER_BATCH, Math.max(1, FRAME_BUDGET_MS / perRecord));
    // halfway there (in ratio) each batch: a slow frame does not swing the next batch to the other extreme
    this.recordsPerBatch = Math.max(1, Math.round(Math.sqrt(wanted * this.recordsPerBatch)));
  }

  /** Draws the view if anything in it changed, or when `always` (called once per display frame); true if drawn. */
  render(always = false): boolean {
    if (!always && !this.viewport.dirty) return false;
    this.viewport.render();
    return true;
  }

  async advance(steps: number): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    try {
      await engine.run(steps, steps, (t, f) => this.onRecord(t, f));
    } catch (err) {
      this.playing = false;
      if (err instanceof BlowUpError)
        this.report(`${err.message}. Paused; press reset or change the settings.`, 'error');
      else throw err;
    }
  }

  /** Called with the live D per axis (text) whenever the MSD plot updates. */
  /** The live D text and the simulated time of the run it rests on, fs. */
  onDiffusion: ((text: string, runFs: number) => void) | null = null;

  /** Called with each frame every few records (e.g. the live extrapolation grade). */
  onFrame: ((positions: Float64Array, types: Int32Array, lattice: Float64Array) => void) | null = null;

  private onRecord(t: ThermoRecord, f: Frame): void {
    this.lastFrame = f;
    if (t.step % (this.settings.stepsPerFrame * 10) === 0) this.emitFrame();
    this.viewport.updatePositions(f.positions);
    if (this.recorder) notify([this.recorder], t, f, this.structure.cell);
    const n = this.status.atoms;
    this.e0 ??= t.conserved;
    this.plots.addThermo(t.time / 1000, t.temperature, ((t.conserved - this.e0) / n) * 1000);
    // a copy moves to the worker without a second copy (the frame itself stays for exports)
    void transferFrame(this.analysis, Float64Array.from(f.positions));
    if (t.step % (this.settings.stepsPerFrame * 10) === 0) {
      const run = this.run;
      void this.analysis.snapshot().then((snap) => {
        const all = snap.find((c) => c.name === 'Li all');
        if (run && run === this.run && all?.d) {
          run.d = all.d;
          run.time = t.time;
        }
        this.plots.setMsd(snap);
        this.onDiffusion?.(diffusionText(snap), t.time);
      });
    }
    const now = performance.now();
    if (now - this.rate.t > 1000) {
      this.rate = { t: now, step: t.step, value: ((t.step - this.rate.step) * 1000) / (now - this.rate.t) };
    }
    this.status = {
      atoms: n,
      step: t.step,
      stepsPerSecond: this.rate.value,
      nsPerDay: this.rate.value * this.settings.dt * 1e-6 * 86400,
      temperature: t.temperature,
      energy: t.total,
    };
    this.onStatus(this.status);
  }

  get frame(): Frame | null {
    return this.lastFrame;
  }

  /** Hands the current frame to `onFrame` now (a pick while paused wants the grades of what is shown). */
  emitFrame(): void {
    const positions = this.lastFrame?.positions ?? this.structure.positions;
    this.onFrame?.(
      Float64Array.from(positions),
      this.typesForPotential(this.structure),
      Float64Array.from(this.structure.cell.lattice),
    );
  }

  /** After a lost device: a new device, and the run continues from the last frame. */
  async recover(device: GPUDevice): Promise<void> {
    this.device = device;
    const frame = this.lastFrame;
    await this.restart();
    if (frame && this.engine instanceof MdEngine) await this.engine.restore(frame);
  }
}
