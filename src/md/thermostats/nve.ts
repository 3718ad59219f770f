import { type ThermostatModule, VERLET_ADVANCE } from './types.ts';

/** Microcanonical: velocity Verlet alone. */
export const nve: ThermostatModule<'nve'> = {
  id: 'nve',
  label: 'NVE (no thermostat)',
  help: 'nve: velocity Verlet, energy conserved (no thermostat)',
  conservesMomentum: true,
  gpu: { start: [], advance: VERLET_ADVANCE, end: [] },
  decay: () => 1,
  cpu: true,
  lammps: () => ['fix integrate all nve'],
};
