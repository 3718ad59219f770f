/**
 * The thermostats the lab offers, in menu order. Adding one: its module here (kernels in shaders/integrate.wgsl if
 * it needs new ones), this list, and a case in test/thermostats.test.ts.
 */
import { csvr } from './csvr.ts';
import { langevin } from './langevin.ts';
import { nhc } from './nhc.ts';
import { nve } from './nve.ts';
import type { ThermostatModule } from './types.ts';

export const THERMOSTATS = [csvr, langevin, nhc, nve] as const satisfies readonly ThermostatModule[];

export type Thermostat = (typeof THERMOSTATS)[number]['id'];

export const THERMOSTAT_IDS: readonly Thermostat[] = THERMOSTATS.map((t) => t.id);

/** The lab's default thermostat strengths (the CLI's --tau and --friction defaults, the page's fixed values). */
export const THERMOSTAT_DEFAULTS = { tau: 100, friction: 0.01 } as const;

export function isThermostat(id: string): id is Thermostat {
  return (THERMOSTAT_IDS as readonly string[]).includes(id);
}

export function thermostat(id: Thermostat): ThermostatModule {
  const t = THERMOSTATS.find((m) => m.id === id);
  if (!t) throw new Error(`no thermostat '${id}' (one of ${THERMOSTAT_IDS.join(', ')})`);
  return t;
}

export type {
  IntegratorKernel,
  LammpsThermostat,
  StepDispatch,
  ThermostatModule,
  ThermostatParameters,
} from './types.ts';
