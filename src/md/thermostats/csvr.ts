import { type ThermostatModule, VERLET_ADVANCE } from './types.ts';

/**
 * Canonical sampling through velocity rescaling (Bussi, Donadio, Parrinello, J. Chem. Phys. 126 (2007) 014101): after
 * each step the kinetic energy is drawn from its canonical relaxation with time constant tau (csvr_factor) and the
 * velocities scaled to it (csvr_scale).
 */
export const csvr: ThermostatModule<'csvr'> = {
  id: 'csvr',
  label: 'CSVR (Bussi)',
  help: 'csvr: stochastic velocity rescaling (Bussi et al. 2007), relaxation time --tau',
  conservesMomentum: true,
  gpu: {
    start: [],
    advance: VERLET_ADVANCE,
    end: [
      ['csvr_factor', 'one'],
      ['csvr_scale', 'atoms'],
    ],
  },
  decay: (p) => Math.exp(-p.dt / p.tau),
  cpu: true,
  lammps: (o) => [
    'fix integrate all nve',
    `fix thermostat all temp/csvr ${o.temperature} ${o.temperature} ${o.tau / 1000} ${o.seed}`,
  ],
};
