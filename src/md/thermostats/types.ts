/**
 * What a thermostat is to the lab: the kernels it adds to a GPU step (shaders/integrate.wgsl), its constants, what
 * the CPU engine can do, and the LAMMPS fixes that run the same ensemble. One module per thermostat, listed in
 * `index.ts`; the engine, the page's menu, the CLI's choices and the LAMMPS export all read the registry.
 */

/** Kernels of shaders/integrate.wgsl a thermostat may add to a step. */
export type IntegratorKernel =
  | 'kick_half'
  | 'kick_drift'
  | 'drift_half'
  | 'langevin_o'
  | 'kinetic_before'
  | 'kinetic_after'
  | 'csvr_factor'
  | 'csvr_scale'
  | 'nhc_half';

/** One dispatch: the kernel, over every atom (groups of 64) or one workgroup (reductions). */
export type StepDispatch = [IntegratorKernel, 'atoms' | 'one'];

export interface ThermostatParameters {
  /** Time step, fs. */
  dt: number;
  /** Relaxation time (CSVR) or chain period (Nose-Hoover), fs. */
  tau: number;
  /** Langevin friction, 1/fs. */
  friction: number;
}

export interface ThermostatModule<Id extends string = string> {
  readonly id: Id;
  /** For menus: a few words. */
  readonly label: string;
  /** For help texts: what it does and which parameter sets its strength. */
  readonly help: string;
  /** True where the thermostat keeps the total momentum (then 3N - 3 degrees of freedom, else 3N). */
  readonly conservesMomentum: boolean;
  /** The GPU step: dispatches before the first half-kick, the first half (kick and drift), after the second kick. */
  readonly gpu: { start: StepDispatch[]; advance: StepDispatch[]; end: StepDispatch[] };
  /** The per-step constant the kernels read (MdParams.decay): exp(-gamma dt) or exp(-dt / tau). */
  decay(p: ThermostatParameters): number;
  /** Whether the float64 CPU engine (the page's fallback) runs it. */
  readonly cpu: boolean;
  /** LAMMPS fixes (units metal: damping times in ps) for the same ensemble. */
  lammps(o: LammpsThermostat): string[];
}

export interface LammpsThermostat {
  temperature: number;
  seed: number;
  /** CSVR relaxation time / chain period, fs. */
  tau: number;
  /** Langevin friction, 1/fs. */
  friction: number;
}

/** The first half of a velocity-Verlet step (kick dt/2, drift dt) as one kernel. */
export const VERLET_ADVANCE: StepDispatch[] = [['kick_drift', 'atoms']];
