/**
 * Grain-boundary energy of a periodic bicrystal holding two boundaries:
 *   E_GB = (E_bicrystal - N e_bulk) / (2 A),
 * with N the bicrystal's count of bulk units (formula units for a stoichiometric bicrystal, which is exact; atoms for
 * one that is not, which is an approximation), e_bulk the bulk energy per unit with the same potential, and A the
 * area of one boundary.
 */
const EV_PER_A2_IN_J_PER_M2 = 16.021766208;

export function grainBoundaryEnergy(eBicrystal: number, units: number, eBulkPerUnit: number, area: number): number {
  if (!(area > 0)) throw new Error('boundary area must be positive');
  return ((eBicrystal - units * eBulkPerUnit) / (2 * area)) * EV_PER_A2_IN_J_PER_M2;
}
