import { type ThermostatModule, VERLET_ADVANCE } from './types.ts';

/**
 * A Nose-Hoover chain of three (Martyna, Tuckerman, Klein 1992): half a chain step before and after the velocity
 * Verlet step (nhc_half leaves the velocity scale, csvr_scale applies it); period tau.
 */
export const nhc: ThermostatModule<'nhc'> = {
  id: 'nhc',
  label: 'Nose-Hoover chain',
  help: 'nhc: Nose-Hoover chain of 3, period --tau',
  conservesMomentum: true,
  gpu: {
    start: [
      ['nhc_half', 'one'],
      ['csvr_scale', 'atoms'],
    ],
    advance: VERLET_ADVANCE,
    end: [
      ['nhc_half', 'one'],
      ['csvr_scale', 'atoms'],
    ],
  },
  decay: (p) => Math.exp(-p.dt / p.tau),
  cpu: false,
  lammps: (o) => [`fix integrate all nvt temp ${o.temperature} ${o.temperature} ${o.tau / 1000} tchain 3`],
};
