/**
 * Ionic conductivity by Nernst-Einstein from the tracer diffusion coefficient:
 *   sigma = n q^2 D / (k_B T),  n = N_ion / V.
 * Caveat (the Haven ratio): this uses the tracer (self) diffusion coefficient and ignores correlations between the
 * motions of different ions. The measured conductivity corresponds to the charge diffusion coefficient
 * D_sigma = D_tracer / H_R; in solid Li conductors the Haven ratio H_R is typically 0.3-0.7, so the true conductivity
 * can be 1.5-3 times the Nernst-Einstein value (or lower when motions anti-correlate). Report it as an estimate.
 */
const E_CHARGE = 1.602176634e-19; // C
const KB_SI = 1.380649e-23; // J/K

/** sigma in S/cm from D (A^2/fs), the number of mobile ions, the cell volume (A^3), T (K) and the ion charge (e). */
export function nernstEinstein(dA2fs: number, ions: number, volumeA3: number, temperature: number, charge = 1): number {
  const d = dA2fs * 1e-5; // m^2/s
  const n = ions / (volumeA3 * 1e-30); // 1/m^3
  const sigmaSPerM = (n * (charge * E_CHARGE) ** 2 * d) / (KB_SI * temperature);
  return sigmaSPerM / 100;
}
