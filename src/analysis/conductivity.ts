/**
 * Ionic conductivity by Nernst-Einstein from the tracer diffusion coefficient:
 *   sigma = n q^2 D / (k_B T),  n = N_ion / V.
 * Caveat (the Haven ratio): this uses the tracer (self) diffusion coefficient and ignores correlations between the
 * motions of different ions. The measured conductivity corresponds to the charge diffusion coefficient
 * D_sigma = D_tracer / H_R; in solid Li conductors the Haven ratio H_R is typically 0.3-0.7, so the true conductivity
 * can be 1.5-3 times the Nernst-Einstein value (or lower when motions anti-correlate). Report it as an estimate.
 */
import { A2_PER_FS_TO_CM2_PER_S, ELEMENTARY_CHARGE, KB } from '../model/units.ts';

/** sigma in S/cm from D (A^2/fs), the number of mobile ions, the cell volume (A^3), T (K) and the ion charge (e). */
export function nernstEinstein(dA2fs: number, ions: number, volumeA3: number, temperature: number, charge = 1): number {
  const d = dA2fs * A2_PER_FS_TO_CM2_PER_S; // cm^2/s
  const n = ions / (volumeA3 * 1e-24); // 1/cm^3
  // q^2 / (k_B T) with k_B T in eV: (charge e)^2 / (KB T e) = charge^2 e / (KB T), in C/V
  return (n * charge ** 2 * ELEMENTARY_CHARGE * d) / (KB * temperature);
}
