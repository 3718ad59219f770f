import type { ThermostatModule } from './types.ts';

/**
 * Langevin dynamics by BAOAB (Leimkuhler and Matthews, Appl. Math. Res. Express 2013): kick, half drift, the
 * Ornstein-Uhlenbeck step with friction gamma (its exchanged energy accounted between kinetic_before and
 * kinetic_after), half drift. It does not keep the total momentum.
 */
export const langevin: ThermostatModule<'langevin'> = {
  id: 'langevin',
  label: 'Langevin (BAOAB)',
  help: 'langevin: BAOAB Langevin dynamics, friction --friction (1/fs)',
  conservesMomentum: false,
  gpu: {
    start: [],
    advance: [
      ['kick_half', 'atoms'],
      ['drift_half', 'atoms'],
      ['kinetic_before', 'one'],
      ['langevin_o', 'atoms'],
      ['kinetic_after', 'one'],
      ['drift_half', 'atoms'],
    ],
    end: [],
  },
  decay: (p) => Math.exp(-p.friction * p.dt),
  cpu: false,
  lammps: (o) => [
    'fix integrate all nve',
    `fix thermostat all langevin ${o.temperature} ${o.temperature} ${1 / o.friction / 1000} ${o.seed} zero yes`,
  ],
};
