/**
 * Molecular dynamics on the CPU with any Potential (the float64 MTP reference): velocity Verlet with a CSVR
 * thermostat or NVE (the thermostats whose module says `cpu`; others are refused). It is the page's fallback when the
 * browser has no WebGPU, for small systems only, and keeps the record interface of the GPU engine so the rest of the
 * lab does not care which one runs.
 */
import { type Cell, volume } from '../model/cell.ts';
import { seededNormal } from '../model/random.ts';
import { EV_A3_TO_GPA, KB, MVV_TO_EV } from '../model/units.ts';
import type { Potential } from '../potential/types.ts';
import type { Engine, Frame, MdSystem, ThermoRecord } from './engine.ts';
import { THERMOSTAT_DEFAULTS, THERMOSTATS, type Thermostat, thermostat } from './thermostats/index.ts';
import { kineticEnergy, maxwellBoltzmann } from './velocities.ts';

export class CpuMdEngine implements Engine {
  step = 0;
  readonly ndof: number;
  private readonly positions: Float64Array;
  private readonly velocities: Float64Array;
  private forces: Float64Array<ArrayBufferLike>;
  private virial: Float64Array<ArrayBufferLike> = new Float64Array(9);
  private potentialEnergy = 0;
  private thermostatEnergy = 0;
  private readonly normal: () => number;

  private constructor(
    private readonly potential: Potential,
    readonly system: MdSystem,
    readonly options: { dt: number; temperature: number; thermostat: Thermostat; seed: number; tau: number },
  ) {
    const n = system.types.length;
    this.ndof = Math.max(1, 3 * n - 3);
    this.positions = Float64Array.from(system.positions);
    this.velocities = maxwellBoltzmann(system.masses, options.temperature, options.seed);
    this.forces = new Float64Array(3 * n);
    this.normal = seededNormal(options.seed + 1);
  }

  static async create(
    potential: Potential,
    system: MdSystem,
    options: { dt: number; temperature: number; thermostat: Thermostat; seed: number; tau?: number },
  ): Promise<CpuMdEngine> {
    if (!thermostat(options.thermostat).cpu)
      throw new Error(
        `the CPU engine runs ${THERMOSTATS.filter((t) => t.cpu)
          .map((t) => t.id)
          .join(' and ')}, not ${options.thermostat}`,
      );
    const e = new CpuMdEngine(potential, system, { ...options, tau: options.tau ?? THERMOSTAT_DEFAULTS.tau });
    await e.evaluate();
    return e;
  }

  private get cell(): Cell {
    return this.system.cell;
  }

  private async evaluate(): Promise<void> {
    const r = await this.potential.compute({
      types: this.system.types,
      positions: this.positions,
      cell: this.cell,
      features: [],
    });
    this.forces = r.forces;
    this.virial = r.virial;
    this.potentialEnergy = r.energy;
  }

  /** Same contract as MdEngine.run: `steps` steps, a record every `every` steps. */
  async run(
    steps: number,
    every: number,
    onRecord: (t: ThermoRecord, f: Frame) => void | Promise<void>,
  ): Promise<void> {
    const m = this.system.masses;
    const n = m.length;
    const dt = this.options.dt;
    for (let s = 0; s < steps; s++) {
      for (let i = 0; i < n; i++) {
        const a = dt / (2 * m[i] * MVV_TO_EV);
        for (let d = 0; d < 3; d++) {
          this.velocities[3 * i + d] += a * this.forces[3 * i + d];
          this.positions[3 * i + d] += dt * this.velocities[3 * i + d];
        }
      }
      await this.evaluate();
      for (let i = 0; i < n; i++) {
        const a = dt / (2 * m[i] * MVV_TO_EV);
        for (let d = 0; d < 3; d++) this.velocities[3 * i + d] += a * this.forces[3 * i + d];
      }
      if (this.options.thermostat === 'csvr') this.csvr();
      this.step++;
      if (this.step % every === 0) await onRecord(...this.record());
    }
  }

  /** Bussi-Donadio-Parrinello rescaling (the sum of Nf - 1 squared normals drawn directly: systems here are small). */
  private csvr(): void {
    const k = kineticEnergy(this.velocities, this.system.masses);
    if (k <= 0) return;
    const target = 0.5 * this.ndof * KB * this.options.temperature;
    const c = Math.exp(-this.options.dt / this.options.tau);
    const r1 = this.normal();
    let sum = 0;
    for (let j = 1; j < this.ndof; j++) sum += this.normal() ** 2;
    const ratio = target / (this.ndof * k);
    const alpha2 = c + (1 - c) * (r1 * r1 + sum) * ratio + 2 * r1 * Math.sqrt(c * (1 - c) * ratio);
    const alpha = Math.sqrt(Math.max(0, alpha2));
    for (let k2 = 0; k2 < this.velocities.length; k2++) this.velocities[k2] *= alpha;
    this.thermostatEnergy += (alpha * alpha - 1) * k;
  }

  private record(): [ThermoRecord, Frame] {
    const kinetic = kineticEnergy(this.velocities, this.system.masses);
    const total = this.potentialEnergy + kinetic;
    const v = volume(this.cell);
    const pressure = Float64Array.from(this.virial);
    const m = this.system.masses;
    for (let i = 0; i < m.length; i++) {
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++)
          pressure[3 * a + b] += m[i] * MVV_TO_EV * this.velocities[3 * i + a] * this.velocities[3 * i + b];
      }
    }
    for (let k = 0; k < 9; k++) pressure[k] *= EV_A3_TO_GPA / v;
    return [
      {
        step: this.step,
        time: this.step * this.options.dt,
        potential: this.potentialEnergy,
        kinetic,
        total,
        temperature: (2 * kinetic) / (this.ndof * KB),
        conserved: total - this.thermostatEnergy,
        pressure,
        minDistance: Number.NaN,
        minDistanceAtom: -1,
        rebuilds: 0,
      },
      {
        step: this.step,
        time: this.step * this.options.dt,
        positions: Float64Array.from(this.positions),
        velocities: Float64Array.from(this.velocities),
        images: new Int32Array(this.positions.length),
        state: new Float32Array(16),
      },
    ];
  }

  destroy(): void {}
}
