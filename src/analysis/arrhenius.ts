/**
 * Arrhenius fit across runs at several temperatures: ln D = ln D0 - Ea / (k_B T), weighted by the uncertainty of each
 * D (sigma_lnD = sigma_D / D). Gives Ea with its error and D extrapolated to any temperature with the error that
 * follows from the fit's covariance.
 */
import { KB } from '../model/units.ts';
import { fitLine } from './fit.ts';

export interface ArrheniusPoint {
  temperature: number;
  d: number;
  dError: number;
}

export interface ArrheniusFit {
  /** eV */
  activationEnergy: number;
  activationEnergyError: number;
  /** A^2/fs */
  prefactor: number;
  /** D at `temperature` with its 1-sigma error (log-normal, quoted as the symmetric error of D). */
  extrapolate(temperature: number): { d: number; error: number; logError: number };
}

export function fitArrhenius(points: ArrheniusPoint[]): ArrheniusFit {
  if (points.length < 2) throw new Error('an Arrhenius fit needs runs at two or more temperatures');
  for (const p of points) {
    if (!(p.d > 0)) throw new Error(`D at ${p.temperature} K is not positive (${p.d}): no Arrhenius fit possible`);
  }
  const x = points.map((p) => 1 / (KB * p.temperature));
  const y = points.map((p) => Math.log(p.d));
  const useWeights = points.every((p) => p.dError > 0) && points.length > 2;
  const sig = points.map((p) => p.dError / p.d);
  const f = fitLine(x, y, useWeights || points.length === 2 ? sig.map((s) => (s > 0 ? s : 1)) : undefined);
  return {
    activationEnergy: -f.slope,
    activationEnergyError: f.slopeError,
    prefactor: Math.exp(f.intercept),
    extrapolate(temperature: number) {
      const xt = 1 / (KB * temperature);
      const lnD = f.intercept + f.slope * xt;
      const varLn = f.interceptError ** 2 + xt * xt * f.slopeError ** 2 + 2 * xt * f.covariance;
      const logError = Math.sqrt(Math.max(0, varLn));
      const d = Math.exp(lnD);
      return { d, error: d * logError, logError };
    },
  };
}
